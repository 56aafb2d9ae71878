#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Driver selftests, run INSIDE a tools/vmrun guest (make vmcheck):
#   1. loads $SA_BUILD/driver/shiftaccel.ko and runs the kselftest-harness
#      programs (TAP output streams through; their totals are added up);
#   2. probe must fail cleanly, with a clear kernel log line, when the
#      firmware file is missing or corrupt (a copy in the guest's /tmp found
#      through firmware_class.path, picked with the module's fw_name);
#   3. the module unloads while idle and reloads 20 times, probing each time.
# System suspend and resume is tests/driver/run_suspend.sh, in a guest of its
# own (the guest's 9p root does not survive a suspend cycle).
# Ends with "N passed, N failed"; a skipped selftest counts as a failure.
#
#   tools/vmrun -- bash tests/driver/run_selftests.sh [SELFTEST...]
# runs only the named selftest programs (e.g. sa_selftest_exec) and step 1.
set -u
cd "${SA_PROJECT:-$(dirname "$0")/../..}" || exit 1
B=${SA_BUILD:-build}
KO=$B/driver/shiftaccel.ko
FW=$B/firmware/shiftaccel-fw.bin
FW_PATH_PARAM=/sys/module/firmware_class/parameters/path

# shellcheck source-path=SCRIPTDIR/../..
source tests/vm/vm_lib.sh

accel_nodes() {
	local n=0 d
	for d in /sys/class/accel/accel*; do
		[[ -e $d/device/vendor ]] || continue
		[[ $(cat "$d/device/vendor") == 0x1234 && $(cat "$d/device/device") == 0x5a11 ]] &&
			n=$((n + 1))
	done
	echo "$n"
}

load() { # insmod with module parameters; 0 when the module is in
	insmod "$KO" "$@" 2>&1
}
unload() {
	rmmod shiftaccel 2>&1
}

load_drm_deps
[[ -f $KO ]] || { fail "no $KO (make module)"; finish; }

# ---- 1. selftest programs
if load; then
	pass "insmod $KO"
else
	fail "insmod $KO"
	finish
fi
if [[ $(accel_nodes) -ge 1 ]]; then
	pass "probe created /dev/accel/accel* for the card"
else
	fail "no accel node after insmod"
	dmesg | grep -i shiftaccel | tail -n 20
fi
# run_prog NAME [HARNESS-ARGS]: one selftest program, its TAP totals added up.
run_prog() {
	local p=$1 bin=$B/tests/driver/$1 log rc totals start
	shift
	if [[ ! -x $bin ]]; then
		fail "$bin missing (make driver-selftests)"
		return
	fi
	log=$(mktemp)
	start=$(date +%s)
	stdbuf -oL -eL "$bin" "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	# "# Totals: pass:N fail:N xfail:N xpass:N skip:N error:N"
	totals=$(grep -E '^# Totals: ' "$log" | tail -n 1)
	rm -f "$log"
	if [[ -z $totals ]]; then
		fail "$p printed no TAP totals (exit $rc)"
		return
	fi
	get() { sed -E "s/.* $1:([0-9]+).*/\1/" <<<"$totals"; }
	passed=$((passed + $(get pass) + $(get xfail)))
	failed=$((failed + $(get fail) + $(get xpass) + $(get skip) + $(get error)))
	echo "# $p: $totals ($(($(date +%s) - start)) s)"
	if [[ $rc -ne 0 && $(get fail) -eq 0 ]]; then
		fail "$p exited $rc"
	fi
}
# The suspend test runs in run_suspend.sh.
SUSPEND_TEST=suspend_and_resume_keep_idle_queues
if (($#)); then
	for p in "$@"; do
		if [[ $p == sa_selftest_lifecycle ]]; then
			run_prog "$p" -T "$SUSPEND_TEST"
		else
			run_prog "$p"
		fi
	done
else
	run_prog sa_selftest_basic
	run_prog sa_selftest_exec
	run_prog sa_selftest_attack
	run_prog sa_selftest_lifecycle -T "$SUSPEND_TEST"
fi
if dmesg | grep -E -q 'BUG:|WARNING:|Oops|refcount_t'; then
	fail "kernel log has a BUG/WARNING after the selftests"
	dmesg | grep -E -B2 -A20 'BUG:|WARNING:|Oops|refcount_t' | head -n 60
else
	pass "no kernel BUG or WARNING"
fi
if unload; then
	pass "rmmod after the selftests"
else
	fail "rmmod after the selftests"
fi
(($# == 0)) || finish

# ---- 2. firmware missing or corrupt: probe fails cleanly and says why
orig_path=$(cat "$FW_PATH_PARAM" 2>/dev/null)
fwdir=$(mktemp -d /tmp/safw.XXXXXX)
mkdir -p "$fwdir/shiftaccel"
cp "$FW" "$fwdir/shiftaccel/corrupt.bin"
size=$(stat -c %s "$FW")
# Flip one byte in the middle of the code (past the 128-byte header).
off=$((128 + (size - 128) / 2))
byte=$(od -An -tu1 -j "$off" -N 1 "$FW" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte ^ 0xff) & 0xff)))" |
	dd of="$fwdir/shiftaccel/corrupt.bin" bs=1 seek="$off" conv=notrunc status=none
printf '%s' "$fwdir" >"$FW_PATH_PARAM"

fw_case() { # NAME FILE EXPECTED-LOG-REGEX
	dmesg -C
	if load fw_name="$2"; then
		pass "$1: insmod itself succeeds"
	else
		fail "$1: insmod failed outright"
	fi
	if [[ $(accel_nodes) -eq 0 ]]; then
		pass "$1: no accel node (probe failed)"
	else
		fail "$1: the card probed with $2"
	fi
	if dmesg | grep -E -q "$3"; then
		pass "$1: kernel log says: $(dmesg | grep -E "$3" | head -n 1 | sed 's/^\[[^]]*\] //')"
	else
		fail "$1: no kernel log line matching '$3'"
		dmesg | tail -n 10
	fi
	if unload; then
		pass "$1: rmmod"
	else
		fail "$1: rmmod"
	fi
}
fw_case "missing firmware" shiftaccel/missing.bin \
	'cannot load firmware shiftaccel/missing.bin \(error -2\).*/lib/firmware/shiftaccel/missing.bin'
fw_case "corrupt firmware" shiftaccel/corrupt.bin \
	'firmware shiftaccel/corrupt.bin: bad checksum .* the file is corrupt'
printf '%s' "$orig_path" >"$FW_PATH_PARAM"
rm -rf "$fwdir"

# ---- 3. unload while idle and reload, 20 times
ok=0
for i in $(seq 1 20); do
	if ! load >/dev/null; then
		fail "reload $i: insmod"
		break
	fi
	if [[ $(accel_nodes) -ne 1 ]] ||
		[[ $(cat /sys/class/accel/accel*/device/device_state 2>/dev/null) != ready ]]; then
		fail "reload $i: the card did not come up"
		dmesg | tail -n 10
		unload
		break
	fi
	if ! unload >/dev/null; then
		fail "reload $i: rmmod"
		break
	fi
	ok=$((ok + 1))
done
((ok == 20)) && pass "module loaded, probed (firmware booted) and unloaded 20 times"
if dmesg | grep -E -q 'BUG:|WARNING:|Oops'; then
	fail "kernel log has a BUG/WARNING after the reloads"
	dmesg | grep -E -A20 'BUG:|WARNING:|Oops' | head -n 40
else
	pass "no kernel BUG or WARNING after the reloads"
fi

finish
