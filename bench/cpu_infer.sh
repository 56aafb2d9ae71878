#!/usr/bin/env bash
# Single-image CPU inference speed (docs/numerics.md, "CPU backend kernels"):
# a Simple CNN and a Simple FC, trained briefly on MNIST, run one image at a
# time on one thread with the reference kernels (SHIFTACCEL_CPU_KERNELS=
# reference), the fast kernels in plain C (=portable) and the default fast
# kernels, against PyTorch float inference of the same architecture at batch
# 1 on 1 thread (bench/torch_infer.py).  Per model: the median latency of
# shiftaccel-run --repeat on one test image, and shiftaccel-eval's throughput
# over the MNIST test set with --threads 1 (with its accuracy, which must not
# depend on the kernels).  Figures only: this script never fails on a slow
# result.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SA_BUILD:-build}/bin
REPEAT=${BENCH_INFER_REPEAT:-2000}
IMAGES=${BENCH_INFER_IMAGES:-10000}
PY=/usr/bin/python3
tools/fetch-data.sh mnist >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$BIN/shiftaccel-eval" --write-image 0 "$T/digit.png" >/dev/null
for model in simple-cnn simple-fc; do
	"$BIN/shiftaccel-train" --model "$model" --data mnist --epochs 1 --limit 5000 --eval-limit 1 \
		--quiet -o "$T/$model.dsm" >/dev/null
done

# median latency (µs) of one image through a CPU session: MODEL KERNELS
latency_us() {
	SHIFTACCEL_CPU_KERNELS=$2 "$BIN/shiftaccel-run" "$1" "$T/digit.png" --device cpu \
		--repeat "$REPEAT" --json |
		"$PY" -c 'import json,sys; print("%.1f" % (1000 * json.load(sys.stdin)["latency_ms"]["median"]))'
}

# "images/s accuracy" of shiftaccel-eval on one thread: MODEL KERNELS
eval_rate() {
	SHIFTACCEL_CPU_KERNELS=$2 "$BIN/shiftaccel-eval" "$1" --data mnist --count "$IMAGES" \
		--threads 1 --json |
		"$PY" -c 'import json,sys; d=json.load(sys.stdin); print("%.0f %.2f%%" % (d["images"] / d["seconds"], d["accuracy"]))'
}

have_torch=1
if ! "$PY" -c 'import torch' 2>/dev/null; then
	have_torch=0
	echo "cpu_infer: python3-torch is not installed (make bench-deps); skipping the PyTorch comparison"
fi

echo "== CPU inference, batch 1, 1 thread: median latency of $REPEAT runs of one image;"
echo "   eval: shiftaccel-eval over $IMAGES MNIST test images (--threads 1)"
printf '%-11s %-24s %12s %10s %12s %9s\n' model kernels "latency_us" "images/s" "eval img/s" accuracy
# one table row: MODEL NAME LATENCY_US EVAL_RATE ACCURACY
row() {
	printf '%-11s %-24s %12s %10.0f %12s %9s\n' "$1" "$2" "$3" \
		"$(awk -v l="$3" 'BEGIN { print 1e6 / l }')" "$4" "$5"
}

for model in simple-cnn simple-fc; do
	for k in reference portable auto; do
		read -r rate acc < <(eval_rate "$T/$model.dsm" "$k")
		l=$(latency_us "$T/$model.dsm" "$k")
		case $k in
		reference) ref=$l name=reference ;;
		portable) port=$l name="fast (portable C)" ;;
		auto) fast=$l name="fast (default)" ;;
		esac
		row "$model" "$name" "$l" "$rate" "$acc"
	done
	line=$(awk -v r="$ref" -v f="$fast" -v p="$port" \
		'BEGIN { printf "fast vs reference %.1fx (portable C %.1fx)", r / f, r / p }')
	if [[ $have_torch == 1 ]]; then
		read -r tlat trate tver < <("$PY" bench/torch_infer.py --model "$model" \
			--data "${SHIFTACCEL_DATA:-data}/mnist" --repeat "$REPEAT" --images "$IMAGES" |
			"$PY" -c 'import json,sys; d=json.load(sys.stdin); print("%.1f %.0f %s" % (1000 * d["median_ms"], d["images_per_second"], d["torch"]))')
		row "$model" "pytorch $tver float" "$tlat" "$trate" "-"
		line+=$(awk -v t="$tlat" -v f="$fast" 'BEGIN { printf ", fast vs PyTorch %.1fx", t / f }')
	fi
	echo "$model: $line"
done
