#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Driver robustness figures (make bench; never pass/fail): a long run of the
# ioctl and ring fuzzer (operations per second per ioctl, what it found) and
# the fault campaign with long rounds (its table), each in its own guest.
#   SA_BENCH_FUZZ_SECONDS (default 600), SA_BENCH_FC_SECONDS per round (default 30)
set -u
B=${SA_BUILD:-build}
echo "== driver fuzz and fault campaign"
for f in "$B/driver/shiftaccel.ko" "$B/tests/driver/sa_fuzz" "$B/tests/driver/sa_fault_campaign"; do
	if [[ ! -e $f ]]; then
		echo "driver_fuzz: needs $f (make module driver-fuzz)"
		exit 0
	fi
done
fuzz_s=${SA_BENCH_FUZZ_SECONDS:-600}
fc_s=${SA_BENCH_FC_SECONDS:-30}
SA_BUILD=$B tools/vmrun --smp 2 --timeout $((fuzz_s + 300)) -- \
	bash tests/driver/run_fuzz.sh "$fuzz_s" || echo "driver_fuzz: the fuzz run failed (exit $?)"
SA_BUILD=$B tools/vmrun --debug-card --timeout $((fc_s * 7 + 700)) -- \
	bash tests/driver/run_fault_campaign.sh "$fc_s" ||
	echo "driver_fuzz: the fault campaign failed (exit $?)"
exit 0
