#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The ioctl and ring fuzzer (sa_fuzz), run INSIDE a tools/vmrun guest with
# shiftaccel.ko loaded: a short run in make vmcheck, a long one from
# bench/driver_fuzz.sh.  SECONDS defaults to $SA_FUZZ_SECONDS, else 75.
#
#   tools/vmrun --smp 2 -- bash tests/driver/run_fuzz.sh [SECONDS]
# sa_fuzz's knobs (SA_FUZZ_SEED, SA_FUZZ_PROCS, SA_FUZZ_THREADS,
# SA_FUZZ_SKIP_VA_END) reach the guest because vmrun exports SA_* variables.
set -u
cd "${SA_PROJECT:-$(dirname "$0")/../..}" || exit 1
# shellcheck source-path=SCRIPTDIR/../..
source tests/driver/fuzz_lib.sh
run_with_module "${SA_BUILD:-build}/tests/driver/sa_fuzz" -t "${1:-${SA_FUZZ_SECONDS:-75}}"
finish
