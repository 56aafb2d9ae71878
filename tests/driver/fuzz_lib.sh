# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# What run_fuzz.sh and run_fault_campaign.sh share, sourced from the
# repository root INSIDE a tools/vmrun guest: load shiftaccel.ko, run one
# test program that ends with "N passed, N failed", add its counts to the
# tally of tests/vm/vm_lib.sh, and check that the module still unloads.
#
#   run_with_module PROGRAM [ARGS...]; finish

# shellcheck source-path=SCRIPTDIR/../..
source tests/vm/vm_lib.sh

run_with_module() {
	local ko=${SA_BUILD:-build}/driver/shiftaccel.ko prog=$1 log rc line p f
	load_drm_deps
	if [[ ! -f $ko || ! -x $prog ]]; then
		fail "no $ko or $prog (make module driver-fuzz)"
		return
	fi
	if insmod "$ko"; then
		pass "insmod $ko"
	else
		fail "insmod $ko"
		return
	fi
	log=$(mktemp)
	stdbuf -oL -eL "$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	rm -f "$log"
	if [[ -z $line ]]; then
		fail "$prog printed no result line (exit $rc)"
	else
		read -r p _ f _ <<<"${line//,/}"
		passed=$((passed + p))
		failed=$((failed + f))
	fi
	if rmmod shiftaccel; then
		pass "rmmod after $(basename "$prog")"
	else
		fail "rmmod after $(basename "$prog")"
	fi
}
