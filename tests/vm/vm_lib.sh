# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# What the VM tests share, sourced from the repository root INSIDE a
# tools/vmrun guest: the pass/fail tally that ends in "N passed, N failed",
# expected values evaluated from the uapi headers, config-space reads and
# finding the ShiftAccel cards on the PCI bus.

passed=0
failed=0
pass() {
	passed=$((passed + 1))
	echo "ok   - $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL - $*"
}
# expect NAME GOT WANT: numeric comparison, values printed in hex.
expect() {
	if [[ -n $2 && -n $3 ]] && (($2 == $3)); then
		pass "$1 = $(printf '0x%x' "$2")"
	else
		fail "$1 is '${2:-nothing}', expected $(printf '0x%x' "${3:-0}")"
	fi
}
# Prints the tally and exits non-zero on any failure.
finish() {
	echo "$passed passed, $failed failed"
	[[ $failed -eq 0 ]]
	exit
}

# The DRM core and the GEM shmem helper, modules of the guest kernel that
# shiftaccel.ko needs before insmod.  The debug kernel has them built in:
# modprobe finds them in modules.builtin and succeeds without loading.
load_drm_deps() {
	local m
	for m in drm drm_shmem_helper; do
		modprobe "$m" || fail "modprobe $m"
	done
}

# load_module KO: the DRM modules and then KO; a failure ends the test.
load_module() {
	load_drm_deps
	if insmod "$1"; then
		pass "insmod $(basename "$1")"
	else
		fail "insmod $(basename "$1")"
		finish
	fi
}

# Evaluates C constant expressions over the uapi headers with one cpp run:
#   load_hw NAME=EXPR ...   sets HW[NAME] to the value of EXPR.
declare -A HW
load_hw() {
	local kv line name expr
	while IFS= read -r line; do
		[[ $line == @@*@@* ]] || continue
		name=${line#@@}
		name=${name%%@@*}
		expr=${line#@@"$name"@@}
		HW[$name]=$((expr))
	done < <({
		echo '#include "shiftaccel_hw.h"'
		for kv in "$@"; do
			echo "@@${kv%%=*}@@ ${kv#*=}"
		done
	} | cpp -P -Iuapi - | sed -E 's/\b(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]+\b/\1/g')
	for kv in "$@"; do
		[[ -n ${HW[${kv%%=*}]:-} ]] ||
			fail "cannot evaluate ${kv#*=} from uapi/shiftaccel_hw.h (is cpp installed?)"
	done
}

# Little-endian reads from a device's config space (sysfs `config`).
cfg() { # DEV OFFSET BYTES
	od -An -tu"$3" -j "$2" -N "$3" "$1/config" 2>/dev/null | tr -d ' '
}
find_cap() { # DEV CAP_ID -> offset of that capability, or nothing
	local ptr n=0
	(($(cfg "$1" 6 2) & 0x10)) || return 0
	ptr=$(($(cfg "$1" 0x34 1) & 0xfc))
	while ((ptr != 0 && n < 48)); do
		if (($(cfg "$1" "$ptr" 1) == $2)); then
			echo "$ptr"
			return 0
		fi
		ptr=$(($(cfg "$1" $((ptr + 1)) 1) & 0xfc))
		n=$((n + 1))
	done
}

# find_cards VENDOR DEVICE: sets cards=() to the sysfs directories of the
# PCI functions with that ID, in bus order.
find_cards() {
	local d
	cards=()
	for d in /sys/bus/pci/devices/*; do
		[[ $(cat "$d/vendor") == "$(printf '0x%04x' "$1")" &&
			$(cat "$d/device") == "$(printf '0x%04x' "$2")" ]] && cards+=("$d")
	done
}
