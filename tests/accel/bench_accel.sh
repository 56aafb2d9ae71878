#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Accel figures (make bench; never pass/fail): boots a guest with one card
# and runs bench_accel there (submission overhead of the mapped doorbell
# against the submit ioctl; inferences per second on the card and the CPU).
set -u
B=${SA_BUILD:-build}
echo "== accel"
MODEL=data/models/simple-cnn-ps-mnist.dsm
if [[ ! -x $B/tests/bench_accel || ! -f $B/driver/shiftaccel.ko ]]; then
	echo "accel: needs $B/tests/bench_accel and $B/driver/shiftaccel.ko (make module accel-bench)"
	exit 0
fi
# Without the trained MNIST model (make run), a test model; under the build
# directory, which the guest sees (its /tmp is its own).
if [[ ! -f $MODEL ]]; then
	MODEL=$B/bench-accel-models/seq_cnn.dsm
	mkdir -p "$B/bench-accel-models" && "$B/tests/accel_models" "$B/bench-accel-models"
fi
SA_BUILD=$B tools/vmrun -- bash -c "modprobe drm_shmem_helper && insmod $B/driver/shiftaccel.ko &&
	sleep 1 && $B/tests/bench_accel $MODEL" || echo "accel: the guest run failed"
exit 0
