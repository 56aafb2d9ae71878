#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Import accuracy (make bench; docs/import.md): networks trained in float by
# PyTorch (Debian's python3-torch) on MNIST, exported to ONNX, converted by
# shiftaccel-convert (no training), and the integer model's test accuracy
# measured by shiftaccel-eval beside the float model's.
#   BENCH_CONVERT_MODELS   default "simple-cnn resnet"
#   BENCH_CONVERT_EPOCHS   float epochs in PyTorch (default 1)
#   BENCH_CONVERT_BITS     weight bits (default 5)
#   BENCH_CONVERT_IMAGES   train on this many images per epoch (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${SA_BUILD:-build}
DATA=${SHIFTACCEL_DATA:-data}
tools/fetch-data.sh mnist >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-12s %8s %10s %10s %8s\n' model epochs float integer bits
for m in ${BENCH_CONVERT_MODELS:-simple-cnn resnet}; do
	epochs=${BENCH_CONVERT_EPOCHS:-1}
	float=$(/usr/bin/python3 bench/convert_mnist.py "$DATA/mnist" "$m" "$work/$m.onnx" "$epochs" \
		${BENCH_CONVERT_IMAGES:+"$BENCH_CONVERT_IMAGES"} |
		sed -nE 's/^float test accuracy: ([0-9.]+)%/\1/p')
	"$B/bin/shiftaccel-convert" "$work/$m.onnx" -o "$work/$m.dsm" --calib mnist \
		--data-dir "$DATA" --mean 0.1307 --std 0.3081 --calib-images 2048 \
		--weight-bits "${BENCH_CONVERT_BITS:-5}" >"$work/$m.log"
	int=$("$B/bin/shiftaccel-eval" "$work/$m.dsm" --data mnist --data-dir "$DATA" --json |
		sed -nE 's/.*"accuracy": *([0-9.]+).*/\1/p')
	printf '%-12s %8s %9.2f%% %9.2f%% %8s\n' "$m" "$epochs" "$float" "$int" "${BENCH_CONVERT_BITS:-5}"
done
