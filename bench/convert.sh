#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Import accuracy (make bench; docs/import.md "Measured"): networks trained in
# float by PyTorch (Debian's python3-torch, bench/convert_float.py) on MNIST and
# Fashion-MNIST, exported to ONNX, then
#   converted   shiftaccel-convert, no training
#   fine-tuned  shiftaccel-train --init model.onnx --mode convert+ps, 1 epoch
# with the integer models' test accuracy measured by shiftaccel-eval beside the
# float model's.  The issue's goal: converted within 1.0 point of float,
# fine-tuned within 0.2.
#   BENCH_CONVERT_SETS     default "mnist fashion-mnist"
#   BENCH_CONVERT_MODELS   default "simple-cnn resnet"
#   BENCH_CONVERT_EPOCHS   float epochs in PyTorch (default 8)
#   BENCH_CONVERT_TUNE     epochs of DeepShift-PS fine-tuning (default 1)
#   BENCH_CONVERT_BITS     weight bits (default 5)
#   BENCH_CONVERT_IMAGES   PyTorch trains on this many images per epoch (default all)
#   BENCH_CONVERT_TUNE_IMAGES  fine-tuning trains on this many per epoch (default all)
#   BENCH_THREADS          threads of every step (default all cores)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${SA_BUILD:-build}
DATA=${SHIFTACCEL_DATA:-data}
SETS=${BENCH_CONVERT_SETS:-mnist fashion-mnist}
EPOCHS=${BENCH_CONVERT_EPOCHS:-8}
TUNE=${BENCH_CONVERT_TUNE:-1}
BITS=${BENCH_CONVERT_BITS:-5}
THREADS=${BENCH_THREADS:-$(nproc)}
# shellcheck disable=SC2086
tools/fetch-data.sh $SETS >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shiftaccel-eval's accuracy of a model on the set's test split.
eval_acc() {
	"$B/bin/shiftaccel-eval" "$1" --data "$2" --data-dir "$DATA" --threads "$THREADS" --json |
		sed -nE 's/.*"accuracy":([0-9.]+),"device".*/\1/p'
}
echo "float: PyTorch, $EPOCHS epochs; $BITS-bit weights; fine-tuned: convert+ps, $TUNE epoch(s); $THREADS threads"
printf '%-14s %-11s %8s %10s %8s %10s %8s\n' set model float converted delta fine-tuned delta
for set in $SETS; do
	for m in ${BENCH_CONVERT_MODELS:-simple-cnn resnet}; do
		onnx=$work/$set-$m.onnx
		# PyTorch's own process only: the forced OpenBLAS core type and L2 size slow it down.
		env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE BENCH_THREADS="$THREADS" \
			/usr/bin/python3 bench/convert_float.py "$DATA/$set" "$m" "$onnx" "$EPOCHS" \
			${BENCH_CONVERT_IMAGES:+"$BENCH_CONVERT_IMAGES"} >"$work/float.log"
		float=$(sed -nE 's/^float test accuracy: ([0-9.]+)%/\1/p' "$work/float.log")
		read -r mean std < <(sed -nE 's/^normalisation: mean ([0-9.]+) std ([0-9.]+)/\1 \2/p' "$work/float.log")
		"$B/bin/shiftaccel-convert" "$onnx" -o "$work/conv.dsm" --calib "$set" --data-dir "$DATA" \
			--mean "$mean" --std "$std" --calib-images 2048 --weight-bits "$BITS" \
			--threads "$THREADS" >"$work/convert.log"
		conv=$(eval_acc "$work/conv.dsm" "$set")
		"$B/bin/shiftaccel-train" --init "$onnx" --mode convert+ps --data "$set" --data-dir "$DATA" \
			--mean "$mean" --std "$std" --epochs "$TUNE" --weight-bits "$BITS" \
			--threads "$THREADS" ${BENCH_CONVERT_TUNE_IMAGES:+--limit "$BENCH_CONVERT_TUNE_IMAGES"} \
			--quiet -o "$work/tuned.dsm" >"$work/tune.log"
		tuned=$(eval_acc "$work/tuned.dsm" "$set")
		printf '%-14s %-11s %7.2f%% %9.2f%% %+8.2f %9.2f%% %+8.2f\n' "$set" "$m" "$float" "$conv" \
			"$(awk -v a="$conv" -v b="$float" 'BEGIN { print a - b }')" "$tuned" \
			"$(awk -v a="$tuned" -v b="$float" 'BEGIN { print a - b }')"
	done
done
