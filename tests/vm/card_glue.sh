#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# VM test of the QEMU glue (emulator/qemu/shiftaccel_pci.c), run INSIDE a
# tools/vmrun guest with one card and no driver bound:
#   - BAR0's IRAM window takes a program while the control processor is held
#     in reset and reads it back;
#   - releasing the CP makes the card run on QEMU's timer: the program's
#     heartbeat count keeps growing while the guest does other work;
#   - the CP's MSI trigger reaches QEMU's MSI-X emulation: with MSI-X still
#     disabled by the guest the vector becomes pending in the PBA (BAR4);
#   - a function-level reset and a secondary bus reset, both through sysfs,
#     put the card back to power-on state (CP in reset, counters, scratch and
#     the pending bit cleared).
# Register offsets, addresses and the program's constants come from
# uapi/shiftaccel_hw.h through cpp; the RV32I instructions are encoded here.
#
#   tools/vmrun -- tests/vm/card_glue.sh
set -u
cd "$(dirname "$0")/../.." || exit 1

# shellcheck source=tests/vm/vm_lib.sh
source tests/vm/vm_lib.sh

load_hw vendor=SA_PCI_VENDOR_ID device=SA_PCI_DEVICE_ID bar_regs=SA_BAR_REGS \
	bar_msix=SA_BAR_MSIX iram=SA_REG_IRAM_WINDOW cp_ctrl=SA_REG_CP_CTRL \
	cp_reset=SA_CP_CTRL_RESET cp_status=SA_REG_CP_STATUS st_in_reset=SA_CP_STATUS_IN_RESET \
	st_running=SA_CP_STATUS_RUNNING cp_pc=SA_REG_CP_PC heartbeat=SA_REG_HEARTBEAT \
	scratch=SA_REG_SCRATCH msi_sent="SA_REG_PERF(SA_PERF_MSI_SENT)" wdt=SA_CP_WDT_BASE \
	wdt_heartbeat=SA_CP_WDT_HEARTBEAT intc=SA_CP_INTC_BASE msi_trigger=SA_CP_INTC_MSI_TRIGGER \
	iram_base=SA_CP_IRAM_BASE vector_events=SA_HW_VECTOR_EVENTS
((failed == 0)) || finish

find_cards "${HW[vendor]}" "${HW[device]}"
dev=${cards[0]:-}
[[ -n $dev ]] || { fail "no ShiftAccel card on the PCI bus"; finish; }
bdf=$(basename "$dev")
[[ -e $dev/driver ]] && { fail "$bdf is bound to a driver; this test needs it unbound"; finish; }
setpci -s "$bdf" COMMAND=0x2:0x2 || { fail "cannot enable memory decoding on $bdf"; finish; }

bar_start() {
	local start
	read -r start _ < <(sed -n "$(($1 + 1))p" "$dev/resource")
	echo $((start))
}
bar0=$(bar_start "${HW[bar_regs]}")
bar4=$(bar_start "${HW[bar_msix]}")
reg() { busybox devmem $((bar0 + $1)) 32 "${@:2}"; }

# MSI-X capability: where the PBA is inside the MSI-X BAR.
cap=$(find_cap "$dev" 0x11)
[[ -n $cap ]] || { fail "$bdf has no MSI-X capability"; finish; }
pba=$((bar4 + ($(cfg "$dev" $((cap + 8)) 4) & ~7)))
pba_bits() { busybox devmem "$pba" 32; }

# RV32I encoders (x5 = t0, x6 = t1, x7 = t2).
lui() { echo $((($2 & 0xfffff000) | ($1 << 7) | 0x37)); }
addi() { echo $(((($3 & 0xfff) << 20) | ($2 << 15) | ($1 << 7) | 0x13)); }
sw() { echo $(((($2 >> 5 & 0x7f) << 25) | ($1 << 20) | ($3 << 15) | (2 << 12) | (($2 & 0x1f) << 7) | 0x23)); }
jal() { # rd, byte offset (even, +-1 MiB)
	local o=$(($2 & 0x1fffff))
	echo $((((o >> 20 & 1) << 31) | ((o >> 1 & 0x3ff) << 21) | ((o >> 11 & 1) << 20) |
		((o >> 12 & 0xff) << 12) | ($1 << 7) | 0x6f))
}
vector=$((HW[vector_events] + 3)) # a queue-group vector, not the events vector
program=(
	"$(lui 5 "${HW[wdt]}")"                   # 0x00: t0 = WDT base
	"$(lui 6 "${HW[intc]}")"                  # 0x04: t1 = INTC base
	"$(addi 7 0 "$vector")"                   # 0x08: t2 = vector
	"$(sw 7 "${HW[msi_trigger]}" 6)"          # 0x0c: raise MSI-X vector t2 toward the host
	"$(sw 0 "${HW[wdt_heartbeat]}" 5)"        # 0x10: heartbeat += 1
	"$(jal 0 -4)"                             # 0x14: jump back to 0x10
)

echo "# card $bdf, BAR0 $(printf '0x%x' "$bar0"), PBA $(printf '0x%x' "$pba")"
expect "CP_CTRL at power-on (CP held in reset)" "$(reg "${HW[cp_ctrl]}")" "${HW[cp_reset]}"
expect "pending MSI-X bits at power-on" "$(pba_bits)" 0
for i in "${!program[@]}"; do
	reg $((HW[iram] + 4 * i)) "${program[$i]}"
done
bad=0
for i in "${!program[@]}"; do
	(($(reg $((HW[iram] + 4 * i))) == program[i])) || bad=$((bad + 1))
done
expect "IRAM words that read back differently through BAR0" "$bad" 0

reg "${HW[cp_ctrl]}" 0 # release the CP: it starts at IRAM's base
sleep 0.5
status=$(reg "${HW[cp_status]}")
if ((status & HW[st_running])) && ! ((status & HW[st_in_reset])); then
	pass "CP running after release (status $(printf '0x%x' "$status"))"
else
	fail "CP status $(printf '0x%x' "$status") after release, expected RUNNING"
fi
pc=$(reg "${HW[cp_pc]}")
if ((pc == HW[iram_base] + 0x10 || pc == HW[iram_base] + 0x14)); then
	pass "CP pc $(printf '0x%x' "$pc") is inside the heartbeat loop"
else
	fail "CP pc $(printf '0x%x' "$pc") is outside the heartbeat loop"
fi
hb1=$(reg "${HW[heartbeat]}")
sleep 0.5
hb2=$(reg "${HW[heartbeat]}")
if ((hb1 > 0 && hb2 > hb1)); then
	pass "heartbeat keeps counting while the guest runs ($((hb1)) then $((hb2)))"
else
	fail "heartbeat did not keep counting: $((hb1)) then $((hb2))"
fi
expect "MSI-X vectors sent by the card (perf counter)" "$(reg "${HW[msi_sent]}")" 1
expect "pending MSI-X bits (MSI-X disabled: vector $vector pends)" "$(pba_bits)" $((1 << vector))

# Both reset paths the driver may use end in the card's power-on state.
methods=$(cat "$dev/reset_method")
for method in flr bus; do
	if ! grep -qw "$method" <<<"$methods"; then
		fail "reset method '$method' not offered for $bdf (offered: $methods)"
		continue
	fi
	expect "before $method reset: pending MSI-X bits" "$(pba_bits)" $((1 << vector))
	reg "${HW[scratch]}" 0x5a11c0de
	if ! { echo "$method" >"$dev/reset_method" && echo 1 >"$dev/reset"; }; then
		fail "sysfs $method reset of $bdf failed"
	fi
	setpci -s "$bdf" COMMAND=0x2:0x2
	expect "after $method reset: CP_CTRL (CP held in reset)" "$(reg "${HW[cp_ctrl]}")" \
		"${HW[cp_reset]}"
	expect "after $method reset: heartbeat" "$(reg "${HW[heartbeat]}")" 0
	expect "after $method reset: scratch" "$(reg "${HW[scratch]}")" 0
	expect "after $method reset: pending MSI-X bits" "$(pba_bits)" 0
	# Run the program again so the next reset has something to undo.
	for i in "${!program[@]}"; do
		reg $((HW[iram] + 4 * i)) "${program[$i]}"
	done
	reg "${HW[cp_ctrl]}" 0
	sleep 0.3
done
echo default >"$dev/reset_method" 2>/dev/null

finish
