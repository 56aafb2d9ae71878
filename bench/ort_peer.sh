#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# ONNX Runtime as a speed peer (issue 14), first cut: the Simple CNN and
# Simple FC of bench/torch_peer.py exported to ONNX (bench/ort_peer.py, random
# PyTorch initialisation), run by ONNX Runtime's CPU execution provider in
# float (tests/ort/ort_run.js, the pinned onnxruntime-node of
# tests/ort/install-ort.sh) and, converted by shiftaccel-convert (5-bit, MNIST
# calibration), by ShiftAccel's integer CPU path.  Every row names threads and
# batch:
#   ORT latency      median of BENCH_ORT_RUNS1 runs of one image, batch 1
#   ORT throughput   median run of a batch of BENCH_ORT_BATCH (256) images
#   ShiftAccel latency     shiftaccel-run --repeat, one image (one thread)
#   ShiftAccel throughput  shiftaccel-eval over BENCH_ORT_IMAGES MNIST test
#                    images with --threads T (one image per session run: the
#                    library has no batched CPU run yet, issue 14 item 1)
# at 1 thread and at all cores (BENCH_THREADS, default nproc), with ratios.
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the peer's process only.
# ORT int8 (QDQ) needs ONNX Runtime's Python quantiser (onnxruntime.quantization),
# which Debian does not package (no python3-onnxruntime): not measured here.
# Figures only: this script never fails on a slow result.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SA_BUILD:-build}/bin
ALL=${BENCH_THREADS:-$(nproc)}
BATCH=${BENCH_ORT_BATCH:-256}
RUNS1=${BENCH_ORT_RUNS1:-2000}
RUNSN=${BENCH_ORT_RUNSN:-50}
IMAGES=${BENCH_ORT_IMAGES:-10000}
PY=/usr/bin/python3
tools/fetch-data.sh mnist >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if ! ort=$(tests/ort/install-ort.sh); then
	echo "ort_peer: onnxruntime-node could not be installed; skipping"
	exit 0
fi
"$PY" bench/ort_peer.py "$T" "$BATCH" 2>/dev/null
"$BIN/shiftaccel-eval" --write-image 0 "$T/digit.png" >/dev/null

json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# ORT: MODEL BATCH THREADS RUNS -> "median_ms images_per_s"
ort_time() {
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE NODE_PATH="$ort/node_modules" \
		node tests/ort/ort_run.js "$T/$1.onnx" --shape 1,28,28 --input "$T/input.f32" \
		--batch "$2" --threads "$3" --time "$4" --json |
		json '"%.4f %.0f" % (d["median_ms"], d["images_per_s"])'
}

# ShiftAccel batch-1 latency (ms) of one image.
sa_latency() {
	"$BIN/shiftaccel-run" "$T/$1.dsm" "$T/digit.png" --device cpu --repeat "$RUNS1" --json |
		json '"%.4f" % d["latency_ms"]["median"]'
}

# ShiftAccel throughput (images/s) over the MNIST test set with THREADS sessions.
sa_rate() {
	"$BIN/shiftaccel-eval" "$T/$1.dsm" --data mnist --count "$IMAGES" --threads "$2" --json |
		json '"%.0f" % (d["images"] / d["seconds"])'
}

version=$(cd "$ort" && node -p 'require("onnxruntime-node").env.versions.common')
echo "== ONNX Runtime $version (CPU EP, float, graph optimisation all) vs ShiftAccel (integer, 5-bit)"
echo "   $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
printf '%-11s %-22s %7s %7s %12s %12s\n' model runtime threads batch "latency_ms" "images/s"
for model in simple-cnn simple-fc; do
	"$BIN/shiftaccel-convert" "$T/$model.onnx" -o "$T/$model.dsm" --calib mnist \
		--calib-images 512 --mean 0.1307 --std 0.3081 -q >/dev/null
	sl=$(sa_latency "$model")
	for th in 1 "$ALL"; do
		read -r ol _ < <(ort_time "$model" 1 "$th" "$RUNS1")
		read -r _ orate < <(ort_time "$model" "$BATCH" "$th" "$RUNSN")
		srate=$(sa_rate "$model" "$th")
		printf '%-11s %-22s %7s %7s %12s %12s\n' "$model" "ort $version float" "$th" 1 "$ol" \
			"$(awk -v l="$ol" 'BEGIN { printf "%.0f", 1000 / l }')"
		printf '%-11s %-22s %7s %7s %12s %12s\n' "$model" "ort $version float" "$th" "$BATCH" - "$orate"
		if [[ $th == 1 ]]; then
			printf '%-11s %-22s %7s %7s %12s %12s\n' "$model" "shiftaccel" 1 1 "$sl" \
				"$(awk -v l="$sl" 'BEGIN { printf "%.0f", 1000 / l }')"
		fi
		printf '%-11s %-22s %7s %7s %12s %12s\n' "$model" "shiftaccel (eval)" "$th" "1/run" - "$srate"
		awk -v m="$model" -v th="$th" -v ol="$ol" -v sl="$sl" -v o="$orate" -v s="$srate" -v b="$BATCH" 'BEGIN {
			if (th == 1) printf "%-11s ratio, batch-1 latency ORT/ShiftAccel (1 thread): %.2fx\n", m, ol / sl
			printf "%-11s ratio, throughput ShiftAccel/ORT batch %d (%d threads): %.2fx\n", m, b, th, s / o }'
	done
done
