#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# VM smoke test, run INSIDE a tools/vmrun guest (make vmcheck runs it with
# --cards 2):  every ShiftAccel card on the bus enumerates with the identity,
# BARs and capabilities that uapi/shiftaccel_ids.h and uapi/shiftaccel_hw.h
# state, and answers register reads through BAR0.  Expected values come from
# the headers (evaluated with cpp), never from copies in this file.
#
#   tools/vmrun --cards 2 -- tests/vm/smoke_enumerate.sh
#
# Uses sysfs and the config space for the checks, lspci -vv for the MSI-X
# line a user sees, and busybox devmem for BAR0 reads (no driver bound).
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 1

# shellcheck source=tests/vm/vm_lib.sh
source tests/vm/vm_lib.sh

pow2ceil() {
	local v=1
	while ((v < $1)); do v=$((v * 2)); done
	echo "$v"
}

# Expected identity, geometry and register values.
queues=${SA_VM_QUEUES:-SA_HW_DEFAULT_QUEUES}
load_hw vendor=SA_PCI_VENDOR_ID device=SA_PCI_DEVICE_ID class=SA_PCI_CLASS \
	revision=SA_PCI_REVISION sub_vendor=SA_PCI_SUBSYSTEM_VENDOR_ID sub_device=SA_PCI_SUBSYSTEM_ID \
	queues="$queues" vectors="SA_HW_MSIX_VECTORS($queues)" bar_regs=SA_BAR_REGS \
	bar_db=SA_BAR_DOORBELL bar_msix=SA_BAR_MSIX bar0_size=SA_BAR0_SIZE \
	db_page=SA_DOORBELL_PAGE_SIZE id_magic=SA_HW_ID_MAGIC version=SA_HW_VERSION \
	feat_fi=SA_FEAT_FAULT_INJECT reg_id=SA_REG_ID reg_version=SA_REG_VERSION \
	reg_revision=SA_REG_REVISION reg_features=SA_REG_FEATURES reg_queues=SA_REG_NUM_QUEUES \
	reg_vectors=SA_REG_MSIX_VECTORS reg_scratch=SA_REG_SCRATCH
((failed == 0)) || finish
vendor=${HW[vendor]} device=${HW[device]} revision=${HW[revision]}
queues=${HW[queues]} vectors=${HW[vectors]}
bar_regs=${HW[bar_regs]} bar_db=${HW[bar_db]} bar_msix=${HW[bar_msix]}
db_size=$(($(pow2ceil "$queues") * HW[db_page]))

want_cards=${SA_VM_CARDS:-1}
find_cards "$vendor" "$device"
expect "number of cards with ID $(printf '%04x:%04x' "$vendor" "$device")" "${#cards[@]}" \
	"$want_cards"

# resource line N: "start end flags"; prints "size flags" (size 0 when unused).
bar_info() { # DEV BAR
	local start end flags
	read -r start end flags < <(sed -n "$(($2 + 1))p" "$1/resource")
	if ((start == 0 && end == 0)); then
		echo "0 $((flags))"
	else
		echo "$((end - start + 1)) $((flags))"
	fi
}
IORESOURCE_IO=0x100
IORESOURCE_MEM=0x200
IORESOURCE_PREFETCH=0x2000
IORESOURCE_MEM_64=0x100000

for d in "${cards[@]}"; do
	bdf=$(basename "$d")
	echo "# card $bdf"
	expect "$bdf class" "$(cat "$d/class")" "${HW[class]}"
	expect "$bdf revision" "$(cat "$d/revision")" "$revision"
	expect "$bdf subsystem vendor" "$(cat "$d/subsystem_vendor")" "${HW[sub_vendor]}"
	expect "$bdf subsystem device" "$(cat "$d/subsystem_device")" "${HW[sub_device]}"

	# BARs: sizes from the spec, memory (never I/O) and not prefetchable
	# (register and doorbell writes have side effects).
	for b in "$bar_regs" "$bar_db" "$bar_msix"; do
		read -r size flags < <(bar_info "$d" "$b")
		if ((size == 0)); then
			fail "$bdf BAR$b is missing"
			continue
		fi
		if ((!(flags & IORESOURCE_MEM) || (flags & (IORESOURCE_IO | IORESOURCE_PREFETCH)))); then
			fail "$bdf BAR$b flags $(printf '0x%x' "$flags"): not a non-prefetchable memory BAR"
		else
			pass "$bdf BAR$b is non-prefetchable memory"
		fi
		if [[ $b != "$bar_msix" ]]; then
			expect "$bdf BAR$b is 64-bit" $(((flags & IORESOURCE_MEM_64) != 0)) 1
		fi
		case "$b" in
		"$bar_regs") expect "$bdf BAR$b (registers) size" "$size" "${HW[bar0_size]}" ;;
		"$bar_db") expect "$bdf BAR$b (doorbells, $queues queues) size" "$size" "$db_size" ;;
		"$bar_msix")
			if ((size >= vectors * 16 && (size & (size - 1)) == 0)); then
				pass "$bdf BAR$b (MSI-X) size $size holds $vectors vectors"
			else
				fail "$bdf BAR$b (MSI-X) size $size for $vectors vectors"
			fi
			;;
		esac
	done
	io_bars=0
	for b in 0 1 2 3 4 5; do
		read -r size flags < <(bar_info "$d" "$b")
		((size != 0 && (flags & IORESOURCE_IO))) && io_bars=$((io_bars + 1))
	done
	expect "$bdf I/O BARs" "$io_bars" 0
	expect "$bdf interrupt pin (MSI-X only, no INTx)" "$(cfg "$d" 0x3d 1)" 0

	# MSI-X capability: vector count, table and PBA in the MSI-X BAR.
	msix=$(find_cap "$d" 0x11)
	if [[ -z $msix ]]; then
		fail "$bdf has no MSI-X capability"
	else
		ctrl=$(cfg "$d" $((msix + 2)) 2)
		expect "$bdf MSI-X table size" $(((ctrl & 0x7ff) + 1)) "$vectors"
		expect "$bdf MSI-X table BIR" $(($(cfg "$d" $((msix + 4)) 4) & 7)) "$bar_msix"
		expect "$bdf MSI-X PBA BIR" $(($(cfg "$d" $((msix + 8)) 4) & 7)) "$bar_msix"
	fi
	# What a user sees: "MSI-X: Enable- Count=N" (no driver has enabled it yet).
	if ! command -v lspci >/dev/null; then
		fail "lspci not found (pciutils is in DEPS_PACKAGES)"
	elif lspci -vv -s "$bdf" | grep -q "MSI-X: Enable- Count=$vectors "; then
		pass "$bdf lspci -vv shows 'MSI-X: Enable- Count=$vectors'"
	else
		fail "$bdf lspci -vv has no 'MSI-X: Enable- Count=$vectors':"
		lspci -vv -s "$bdf" | grep -i 'msi-x' | sed 's/^/#   /'
	fi

	# PCI Express endpoint with function-level reset.
	pcie=$(find_cap "$d" 0x10)
	if [[ -z $pcie ]]; then
		fail "$bdf has no PCI Express capability"
	else
		expect "$bdf PCIe device type (0 = endpoint)" $((($(cfg "$d" $((pcie + 2)) 2) >> 4) & 0xf)) 0
		expect "$bdf PCIe FLR capable" $((($(cfg "$d" $((pcie + 4)) 4) >> 28) & 1)) 1
	fi

	# BAR0 registers through the physical address (memory decoding on).
	read -r start _ < <(sed -n "$((bar_regs + 1))p" "$d/resource")
	if (($(cfg "$d" 4 2) & 2)) || setpci -s "$bdf" COMMAND=0x2:0x2; then
		reg() { busybox devmem $((start + HW[$1])) 32 "${@:2}"; }
		expect "$bdf register ID" "$(reg reg_id)" "${HW[id_magic]}"
		expect "$bdf register VERSION" "$(reg reg_version)" "${HW[version]}"
		expect "$bdf register REVISION" "$(reg reg_revision)" "$revision"
		expect "$bdf register NUM_QUEUES" "$(reg reg_queues)" "$queues"
		expect "$bdf register MSIX_VECTORS" "$(reg reg_vectors)" "$vectors"
		fi_bit=$((($(reg reg_features) & HW[feat_fi]) != 0))
		expect "$bdf fault-injection feature (debug card: ${SA_VM_DEBUG_CARD:-0})" "$fi_bit" \
			"${SA_VM_DEBUG_CARD:-0}"
		reg reg_scratch 0x5a11c0de
		expect "$bdf register SCRATCH after writing 0x5a11c0de" "$(reg reg_scratch)" 0x5a11c0de
		reg reg_scratch 0
	else
		fail "$bdf memory decoding is off and setpci could not enable it"
	fi
done

finish
