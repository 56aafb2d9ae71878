#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The fault campaign (sa_fault_campaign), run INSIDE a tools/vmrun guest
# with a --debug-card and shiftaccel.ko loaded: prints the table of jobs
# per injected fault and fails on any lost or duplicated job.  SECONDS per
# round defaults to $SA_FC_SECONDS, else 8 (make vmcheck); bench runs longer.
#
#   tools/vmrun --debug-card -- bash tests/driver/run_fault_campaign.sh [SECONDS]
set -u
cd "${SA_PROJECT:-$(dirname "$0")/../..}" || exit 1
# shellcheck source-path=SCRIPTDIR/../..
source tests/driver/fuzz_lib.sh
if [[ ${SA_VM_DEBUG_CARD:-0} != 1 ]]; then
	echo "# warning: no --debug-card: the injections will fail"
fi
run_with_module "${SA_BUILD:-build}/tests/driver/sa_fault_campaign" -t "${1:-${SA_FC_SECONDS:-8}}"
finish
