#!/usr/bin/env bash
# Backquotes in patterns are literal (the hints quote commands); pass always
# succeeds, so "test && pass || fail" is an if-then-else.
# shellcheck disable=SC2016,SC2015
# SPDX-License-Identifier: MIT
#
# shiftaccel-info INSIDE a tools/vmrun guest with two cards (make vmcheck):
#   1. before the driver is loaded: both cards listed with driver "none", the
#      "modprobe shiftaccel" hint and exit 3;
#   2. driver loaded with a missing firmware file: "probe-failed" pointing to
#      `dmesg | grep shiftaccel`, exit 3;
#   3. driver loaded (insmod, as tests/driver/run_selftests.sh does): both
#      cards usable, exit 0, and every field checked against sysfs read here
#      directly (PCI address, IDs, revision, class, link, NUMA node, accel
#      node, state, firmware version and build id, reset count, counters) and
#      the uapi headers (queues, firmware and driver versions);
#   4. after a reset forced through debugfs: the new reset count;
#   5. as an unprivileged user: "permission-denied" on the accel node, exit 3,
#      and the link read from sysfs instead of config space.
# Ends with "N passed, N failed".
#
#   make BUILD=build/info all module driver-firmware
#   SA_BUILD=build/info tools/vmrun --cards 2 -- bash tests/info/test_info_vm.sh
set -u
cd "${SA_PROJECT:-$(dirname "$0")/../..}" || exit 1
# shellcheck source-path=SCRIPTDIR/../..
source tests/vm/vm_lib.sh
B=${SA_BUILD:-build}
INFO=$B/bin/shiftaccel-info
KO=$B/driver/shiftaccel.ko
PY=/usr/bin/python3
T=$(mktemp -d /tmp/test_info.XXXXXX)

[[ ${SA_VM:-0} == 1 ]] || { fail "not inside a tools/vmrun guest"; finish; }
[[ -x $INFO ]] || { fail "no $INFO (make all)"; finish; }
[[ -f $KO ]] || { fail "no $KO (make module)"; finish; }
load_hw DEFAULT_QUEUES=SA_HW_DEFAULT_QUEUES
want_queues=${SA_VM_QUEUES:-${HW[DEFAULT_QUEUES]}}
find_cards 0x1234 0x5a11
if ((${#cards[@]} == 2)); then
	pass "2 cards on the bus (sysfs)"
else
	fail "expected 2 cards on the bus, sysfs has ${#cards[@]} (run with --cards 2)"
	finish
fi
addrs=()
for d in "${cards[@]}"; do addrs+=("$(basename "$d")"); done

# run_info [setpriv args --] [ARGS]: JSON in $T/out, text in $T/text, exit codes.
run_info() {
	"$@" "$INFO" --json >"$T/out" 2>"$T/err"
	rc=$?
	"$@" "$INFO" >"$T/text" 2>>"$T/err"
	rc_text=$?
	if $PY -m json.tool "$T/out" >/dev/null 2>&1; then
		pass "--json output is valid JSON"
	else
		fail "--json output is not valid JSON: $(head -c 300 "$T/out")"
	fi
	[[ $rc == "$rc_text" ]] || fail "text exit $rc_text differs from --json exit $rc"
	[[ -s $T/err ]] && fail "stderr: $(cat "$T/err")"
}
# j EXPR: a Python expression over j (the JSON output), printed.
j() {
	$PY -c 'import json,sys; j=json.load(open(sys.argv[1])); v=eval(sys.argv[2]); print("" if v is None else v)' \
		"$T/out" "$1" 2>/dev/null
}
# same WHAT GOT WANT: string equality.
same() {
	if [[ $2 == "$3" ]]; then
		pass "$1 = '$2'"
	else
		fail "$1 is '$2', expected '$3'"
	fi
}
sysattr() { cat "/sys/bus/pci/devices/$1/$2" 2>/dev/null; }
accel_of() { # PCI-ADDRESS: the accel device the driver registered under it
	local p
	for p in "/sys/bus/pci/devices/$1/accel/"accel*; do
		[[ -e $p ]] && basename "$p" && return
	done
}

# PCI fields of card i (index into the JSON, in bus order like addrs) against sysfs.
check_pci_fields() { # I LINK-SOURCE
	local i=$1 a=${addrs[$1]} c="j['cards'][$1]" speed numa
	same "card $i: PCI address" "$(j "${c}['pci_address']")" "$a"
	same "card $i: vendor" "0x$(j "${c}['vendor']")" "$(sysattr "$a" vendor)"
	same "card $i: device" "0x$(j "${c}['device']")" "$(sysattr "$a" device)"
	same "card $i: subsystem vendor" "0x$(j "${c}['subsystem_vendor']")" \
		"$(sysattr "$a" subsystem_vendor)"
	same "card $i: subsystem device" "0x$(j "${c}['subsystem_device']")" \
		"$(sysattr "$a" subsystem_device)"
	same "card $i: revision" "$(j "${c}['revision']")" "$(($(sysattr "$a" revision)))"
	same "card $i: class" "0x$(j "${c}['class']")" "$(sysattr "$a" class)"
	speed=$(sysattr "$a" current_link_speed)
	same "card $i: link speed" "$(j "${c}['link']['speed']")" "${speed% PCIe}"
	same "card $i: link width" "$(j "${c}['link']['width']")" "$(sysattr "$a" current_link_width)"
	same "card $i: link read from" "$(j "${c}['link']['source']")" "$2"
	numa=$(sysattr "$a" numa_node)
	[[ -z $numa || $numa -lt 0 ]] && numa=""
	same "card $i: NUMA node" "$(j "${c}['numa_node']")" "$numa"
	if grep -q "^ShiftAccel card $a: " "$T/text"; then
		pass "card $i: listed in the text output"
	else
		fail "card $i: $a not in the text output"
	fi
}

# ---- 1. no driver
load_drm_deps
echo "# 1. before loading the driver"
run_info
same "no driver: exit status" "$rc" 3
same "no driver: cards listed" "$(j "len(j['cards'])")" 2
same "no driver: usable cards" "$(j "j['usable_cards']")" 0
same "no driver: driver_loaded" "$(j "j['driver_loaded']")" False
for i in 0 1; do
	check_pci_fields "$i" pcie-capability
	same "card $i: driver" "$(j "j['cards'][$i]['driver']")" none
	same "card $i: status" "$(j "j['cards'][$i]['status']")" driver-not-loaded
	if [[ $(j "j['cards'][$i]['hint']") == *'`modprobe shiftaccel`'* ]]; then
		pass "card $i: hint says to run modprobe shiftaccel"
	else
		fail "card $i: hint '$(j "j['cards'][$i]['hint']")' does not mention modprobe shiftaccel"
	fi
done
grep -q "driver:  *none" "$T/text" && pass "text output shows 'driver: none'" ||
	fail "text output has no 'driver: none' line"
grep -q "^no usable ShiftAccel card (2 found): .*modprobe shiftaccel" "$T/text" &&
	pass "text output ends with the no-usable-card verdict and the hint" ||
	fail "text verdict: $(tail -n 1 "$T/text")"

drv_major=$(sed -nE 's/^#define SA_DRIVER_MAJOR ([0-9]+).*/\1/p' driver/sa_drv.h)
drv_minor=$(sed -nE 's/^#define SA_DRIVER_MINOR ([0-9]+).*/\1/p' driver/sa_drv.h)

# ---- 2. driver loaded, probe failed (firmware file missing)
echo "# 2. driver loaded, firmware missing"
if insmod "$KO" fw_name=shiftaccel/missing.bin; then
	run_info
	same "probe failed: exit status" "$rc" 3
	same "probe failed: driver_loaded" "$(j "j['driver_loaded']")" True
	same "probe failed: driver version (module)" "$(j "j['driver_version']")" "$drv_major.$drv_minor.0"
	for i in 0 1; do
		same "card $i: status" "$(j "j['cards'][$i]['status']")" probe-failed
		[[ $(j "j['cards'][$i]['hint']") == *'`dmesg | grep shiftaccel`'* ]] &&
			pass "card $i: hint points to dmesg | grep shiftaccel" ||
			fail "card $i: hint '$(j "j['cards'][$i]['hint']")'"
	done
	rmmod shiftaccel || fail "rmmod after the failed probe"
else
	fail "insmod fw_name=shiftaccel/missing.bin"
fi

# ---- 3. driver loaded: both cards usable, every field against sysfs
echo "# 3. driver loaded"
if ! insmod "$KO"; then
	fail "insmod $KO"
	finish
fi
run_info
same "driver loaded: exit status" "$rc" 0
same "driver loaded: usable cards" "$(j "j['usable_cards']")" 2
same "driver version (DRM version ioctl)" "$(j "j['driver_version']")" "$drv_major.$drv_minor.0"
same "library probe found a card" "$(j "j['library_probe']['found']")" True
[[ " ${addrs[*]} " == *" $(j "j['library_probe']['pci_address']") "* ]] &&
	pass "library probe's card is one of the two" ||
	fail "library probe's address '$(j "j['library_probe']['pci_address']")'"
for i in 0 1; do
	a=${addrs[$i]}
	c="j['cards'][$i]"
	check_pci_fields "$i" pcie-capability
	same "card $i: driver" "$(j "${c}['driver']")" shiftaccel
	same "card $i: status" "$(j "${c}['status']")" usable
	accel=$(accel_of "$a")
	same "card $i: accel node" "$(j "${c}['accel_node']")" "/dev/accel/$accel"
	[[ -c /dev/accel/$accel ]] && pass "card $i: /dev/accel/$accel is a character device" ||
		fail "card $i: /dev/accel/$accel missing"
	same "card $i: node opened" "$(j "${c}['node_opened']")" True
	same "card $i: device_state" "$(j "${c}['device_state']")" "$(sysattr "$a" device_state)"
	same "card $i: fw_version" "$(j "${c}['fw_version']")" "$(sysattr "$a" fw_version)"
	same "card $i: fw_build_id" "$(j "${c}['fw_build_id']")" "$(sysattr "$a" fw_build_id)"
	same "card $i: reset_count" "$(j "${c}['reset_count']")" "$(sysattr "$a" reset_count)"
	for n in bo_count pinned_pages mappings queue_count ctx_count; do
		same "card $i: counter $n" "$(j "${c}['counters']['$n']")" "$(sysattr "$a" "$n")"
	done
	[[ -n $(j "${c}['counters'].get('interrupts')") ]] &&
		pass "card $i: debugfs counters (interrupts) included" ||
		fail "card $i: no debugfs interrupts counter"
	same "card $i: hardware queues" "$(j "${c}['queues']")" "$want_queues"
	grep -q "firmware: *$(sysattr "$a" fw_version) (build $(sysattr "$a" fw_build_id))" \
		"$T/text" && pass "card $i: text shows the firmware version and build" ||
		fail "card $i: text has no firmware line for $(sysattr "$a" fw_version)"
done
same "firmware version is the uapi's" "$(j "j['cards'][0]['fw_version']")" \
	"$(for p in MAJOR MINOR PATCH; do
		sed -nE "s/^#define SA_FW_VERSION_$p ([0-9]+).*/\1/p" uapi/shiftaccel_fw.h
	done | paste -sd.)"
grep -q "^2 of 2 ShiftAccel cards usable$" "$T/text" && pass "text verdict: 2 of 2 usable" ||
	fail "text verdict: $(tail -n 1 "$T/text")"

# ---- 4. reset count after a reset forced through debugfs
echo "# 4. forced reset"
a=${addrs[0]}
accel=$(accel_of "$a")
before=$(sysattr "$a" reset_count)
# The DRM core names the debugfs directory after the PCI address (older kernels: the minor).
dbg=/sys/kernel/debug/accel/$a
[[ -d $dbg ]] || dbg=/sys/kernel/debug/accel/${accel#accel}
echo 1 >"$dbg/force_reset" || fail "debugfs force_reset"
for _ in $(seq 1 150); do
	[[ $(sysattr "$a" reset_count) -gt $before && $(sysattr "$a" device_state) == ready ]] && break
	sleep 0.2
done
run_info
same "after reset: exit status" "$rc" 0
same "after reset: card 0 reset_count (sysfs)" "$(sysattr "$a" reset_count)" "$((before + 1))"
same "after reset: card 0 reset_count" "$(j "j['cards'][0]['reset_count']")" "$((before + 1))"
same "after reset: card 1 reset_count" "$(j "j['cards'][1]['reset_count']")" \
	"$(sysattr "${addrs[1]}" reset_count)"

# ---- 5. an unprivileged user may not open the node
echo "# 5. as user nobody"
run_info setpriv --reuid=65534 --regid=65534 --clear-groups --
same "nobody: exit status" "$rc" 3
for i in 0 1; do
	check_pci_fields "$i" sysfs
	same "card $i: status as nobody" "$(j "j['cards'][$i]['status']")" permission-denied
	[[ $(j "j['cards'][$i]['hint']") == "permission denied opening $(j "j['cards'][$i]['accel_node']")"* ]] &&
		pass "card $i: hint names the node" || fail "card $i: hint '$(j "j['cards'][$i]['hint']")'"
done

if dmesg | grep -E -q 'BUG:|WARNING:|Oops'; then
	fail "kernel log has a BUG/WARNING"
	dmesg | grep -E -A20 'BUG:|WARNING:|Oops' | head -n 40
fi
rmmod shiftaccel || fail "rmmod at the end"
rm -rf "$T"
finish
