#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Choosing a card (docs/accel.md, "Choosing a card"), run INSIDE a tools/vmrun
# guest with two cards (make vmcheck): loads $SA_BUILD/driver/shiftaccel.ko, then
#   1. shiftaccel-info numbers the cards 0 and 1 in PCI address order, in
#      text and JSON;
#   2. shiftaccel-run --device accel:N, accel:/dev/accel/accelM and
#      accel:<PCI address> (long and short form) each run on the card they
#      name: the run reports that card, only that card's interrupt counter
#      (debugfs) moves, and the classes and
#      probabilities are those of --device cpu;
#   3. SHIFTACCEL_DEVICE=accel:1 picks card 1, and --device wins over it;
#   4. accel:2, an accel node that is no card's and a PCI address with no
#      card are exit 3 naming what was asked and listing both cards.
# Ends with "N passed, N failed".
#   make all module driver-firmware accel-vm-tools
#   tools/vmrun --cards 2 -- bash tests/accel/test_cards_vm.sh
set -u
cd "${SA_PROJECT:-$(dirname "$0")/../..}" || exit 1
B=${SA_BUILD:-build}
RUN=$B/bin/shiftaccel-run
INFO=$B/bin/shiftaccel-info
T=$(mktemp -d /tmp/cards-vm.XXXXXX)

# shellcheck source-path=SCRIPTDIR/../..
source tests/vm/vm_lib.sh

find_cards 0x1234 0x5a11
if ((${#cards[@]} != 2)); then
	fail "expected 2 cards on the bus, sysfs has ${#cards[@]} (run with --cards 2)"
	finish
fi
load_module "$B/driver/shiftaccel.ko"
addr=() node=()
for d in "${cards[@]}"; do
	addr+=("$(basename "$d")")
done
for i in 0 1; do
	n=""
	for _ in $(seq 100); do
		for p in "/sys/bus/pci/devices/${addr[i]}/accel/"accel*; do
			[[ -e $p ]] && n=/dev/accel/$(basename "$p")
		done
		[[ -n $n && -c $n && $(cat "/sys/bus/pci/devices/${addr[i]}/device_state") == ready ]] && break
		sleep 0.1
	done
	node+=("$n")
done
if [[ -c ${node[0]} && -c ${node[1]} && ${addr[0]} < ${addr[1]} ]]; then
	pass "cards ${addr[0]} (${node[0]}) and ${addr[1]} (${node[1]}) ready"
else
	fail "cards not ready: ${addr[*]} ${node[*]}"
	finish
fi

# ---- 1. shiftaccel-info's numbering
"$INFO" --json >"$T/info.json" 2>"$T/err"
"$INFO" >"$T/info.txt" 2>>"$T/err"
for i in 0 1; do
	if python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cards"][int(sys.argv[2])]
assert c["index"] == int(sys.argv[2]) and c["device_option"] == "accel:" + sys.argv[2], c
assert c["pci_address"] == sys.argv[3] and c["accel_node"] == sys.argv[4], c
' "$T/info.json" "$i" "${addr[i]}" "${node[i]}" &&
		grep -A1 -x "ShiftAccel card ${addr[i]}: usable" "$T/info.txt" |
		grep -qx "  index:          $i (--device accel:$i)"; then
		pass "shiftaccel-info: card ${addr[i]} is index $i (text and JSON)"
	else
		fail "shiftaccel-info: card ${addr[i]} is not index $i"
		cat "$T/info.txt" "$T/err"
	fi
done

# interrupts I: card I's interrupt counter, read from debugfs directly (the DRM
# core names the directory after the PCI address, older kernels after the
# minor): opening the node, as shiftaccel-info does, would itself interrupt.
interrupts() {
	local f=/sys/kernel/debug/accel/${addr[$1]}/counters
	[[ -r $f ]] || f=/sys/kernel/debug/accel/${node[$1]#/dev/accel/accel}/counters
	sed -n 's/^interrupts //p' "$f"
}
[[ -n $(interrupts 0) && -n $(interrupts 1) ]] || fail "no debugfs interrupt counters"

# ---- 2. each way of naming a card runs on that card
"$B/tests/make_fixture" "$T" || fail "make_fixture"
classes() { grep -E '^ *[0-9]+\. '; }
cpu=$("$RUN" "$T/gray.dsm" "$T/top.png" --device cpu --topk 3 | classes)
[[ -n $cpu ]] || fail "shiftaccel-run --device cpu printed no classes"
short1=${addr[1]#0000:}
# runs_on NAME WANT-INDEX [ENV=VALUE] ARGS...: the run is on card WANT and only
# that card's interrupts move; its classes are the CPU's.
runs_on() {
	local name=$1 want=$2 other=$((1 - $2)) before_w before_o out
	shift 2
	before_w=$(interrupts "$want")
	before_o=$(interrupts "$other")
	out=$(env "$@" 2>&1)
	local after_w after_o
	after_w=$(interrupts "$want")
	after_o=$(interrupts "$other")
	if grep -qx "on card: accel:$want ${addr[want]} ${node[want]}" <<<"$out" &&
		[[ $(classes <<<"$out") == "$cpu" ]] &&
		((after_w > before_w && after_o == before_o)); then
		pass "$name: ran on card $want (${addr[want]}), interrupts +$((after_w - before_w)) there, +0 on card $other; classes as on the CPU"
	else
		fail "$name: want card $want; interrupts card $want $before_w -> $after_w, card $other $before_o -> $after_o"
		printf '#   cpu:\n%s\n#   run:\n%s\n' "$cpu" "$out"
	fi
}
args=("$T/gray.dsm" "$T/top.png" --topk 3)
for i in 0 1; do
	runs_on "--device accel:$i" "$i" "$RUN" "${args[@]}" --device "accel:$i"
	runs_on "--device accel:${node[i]}" "$i" "$RUN" "${args[@]}" --device "accel:${node[i]}"
	runs_on "--device accel:${addr[i]}" "$i" "$RUN" "${args[@]}" --device "accel:${addr[i]}"
done
runs_on "--device accel:$short1 (short PCI address)" 1 "$RUN" "${args[@]}" --device "accel:$short1"
runs_on "--device accel (the first card)" 0 "$RUN" "${args[@]}" --device accel

# ---- 3. the environment
runs_on "SHIFTACCEL_DEVICE=accel:1" 1 SHIFTACCEL_DEVICE=accel:1 "$RUN" "${args[@]}"
runs_on "SHIFTACCEL_DEVICE=accel:1 --device auto" 1 SHIFTACCEL_DEVICE=accel:1 "$RUN" "${args[@]}" \
	--device auto
runs_on "--device accel:0 wins over SHIFTACCEL_DEVICE=accel:1" 0 SHIFTACCEL_DEVICE=accel:1 \
	"$RUN" "${args[@]}" --device accel:0

# ---- 4. cards that are not there
cards_listed="2 ShiftAccel cards: accel:0 ${addr[0]} ${node[0]}, accel:1 ${addr[1]} ${node[1]}"
# no_card NAME PATTERN [ENV=VALUE] ARGS...: exit 3, one stderr line naming it and the cards.
no_card() {
	local name=$1 pattern=$2 out rc
	shift 2
	out=$(env "$@" 2>&1 >/dev/null)
	rc=$?
	if [[ $rc -eq 3 && $(wc -l <<<"$out") -eq 1 ]] && grep -qF -- "$pattern" <<<"$out" &&
		grep -qF -- "$cards_listed" <<<"$out"; then
		pass "$name: exit 3 naming it and listing the cards"
	else
		fail "$name: exit $rc: $out"
	fi
}
no_card "--device accel:2" "shiftaccel-run: accel:2: no card accel:2; there are" "$RUN" "${args[@]}" \
	--device accel:2
no_card "SHIFTACCEL_DEVICE=accel:2" "SHIFTACCEL_DEVICE=accel:2: no card accel:2" \
	SHIFTACCEL_DEVICE=accel:2 "$RUN" "${args[@]}"
no_card "--device accel:/dev/null" "accel:/dev/null: /dev/null is not the accel node of a ShiftAccel card" \
	"$RUN" "${args[@]}" --device accel:/dev/null
no_card "--device accel:0000:00:1f.7" "no ShiftAccel card at PCI address 0000:00:1f.7" \
	"$RUN" "${args[@]}" --device accel:0000:00:1f.7

rm -rf "$T"
finish
