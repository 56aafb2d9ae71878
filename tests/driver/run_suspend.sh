#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# System suspend and resume with the driver, run INSIDE a tools/vmrun guest
# (make vmcheck): sa_selftest_lifecycle's suspend_and_resume_keep_idle_queues
# makes the PM core suspend and resume every device (pm_test "devices") and
# checks a queue made before still runs work after.  Ends with
# "N passed, N failed".
#
# The guest's root file system is virtio-9p, and the kernel's 9p transport
# does not survive a suspend cycle: afterwards the first request to the root
# (opening a file, or closing one, which a process exiting does) waits
# forever.  So this test runs alone in its guest, reads the selftest's output
# through a pipe with shell builtins only, does not wait for the selftest to
# exit, and ends the guest itself the way tools/vmrun's init would
# (SA_VMRUN_NONCE, docs/vm-testing.md).
set -u
cd "${SA_PROJECT:-$(dirname "$0")/../..}" || exit 1
B=${SA_BUILD:-build}
KO=$B/driver/shiftaccel.ko
BIN=$B/tests/driver/sa_selftest_lifecycle

# shellcheck source-path=SCRIPTDIR/../..
source tests/vm/vm_lib.sh

# Ends the guest with the tally as its status; builtins only.
end_guest() {
	echo "$passed passed, $failed failed"
	echo "@@vmrun-exit:${SA_VMRUN_NONCE:-none}:$((failed ? 1 : 0))@@"
	echo o >/proc/sysrq-trigger
	read -r -t 60 -u 3 _ || true
	exit 1
}

load_drm_deps
if ! insmod "$KO"; then
	fail "insmod $KO"
	finish
fi
pass "insmod $KO"
[[ -x $BIN ]] || {
	fail "$BIN missing (make driver-selftests)"
	finish
}
[[ -n ${SA_VMRUN_NONCE:-} ]] || {
	fail "SA_VMRUN_NONCE is not set: run this through tools/vmrun"
	finish
}

exec 3< <(stdbuf -oL -eL "$BIN" -t suspend_and_resume_keep_idle_queues 2>&1)
# From here on the root file system may be gone: no external command.
ran=0
while IFS= read -r -t 240 -u 3 line; do
	echo "$line"
	case $line in
	"ok "*) ran=1 && pass "suspend and resume: ${line#ok [0-9]* }" ;;
	"not ok "*) ran=1 && fail "suspend and resume: ${line#not ok [0-9]* }" ;;
	"# Totals: "*) break ;;
	esac
done
((ran)) || fail "the suspend selftest reported no result"
# The kernel log, from /dev/kmsg (devtmpfs, not the root): read -t 1 ends at its end.
oops=
exec 4</dev/kmsg
while IFS= read -r -t 1 -u 4 line; do
	case $line in
	*BUG:* | *WARNING:* | *Oops*) oops+="  ${line#*;}"$'\n' ;;
	esac
done
if [[ -z $oops ]]; then
	pass "no kernel BUG or WARNING after suspend and resume"
else
	fail "kernel log after suspend and resume:"
	printf '%s' "$oops"
fi
end_guest
