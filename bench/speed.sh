#!/usr/bin/env bash
# Training speed against PyTorch, measured in the same run: one float epoch of
# the same network (same layers and initialisation, Adam, batch size, thread
# count) on MNIST with shiftaccel-train and with PyTorch (Debian's
# python3-torch, bench/torch_peer.py).  Each side runs BENCH_SPEED_EPOCHS
# epochs (default 2); the fastest epoch of each is compared, which filters out
# other load on a shared machine.  Also shows DeepShift-PS epochs for ours.
# BENCH_SPEED_MODELS picks the networks (default "simple-fc simple-cnn
# resnet20"); BENCH_SPEED_IMAGES (default 60000, a whole MNIST epoch) trains
# both sides on the first N shuffled images of each epoch, for a quicker look
# at the slow resnet20: images/s compare partial epochs fairly.
# Figures only: this script never fails on a slow result.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SA_BUILD:-build}/bin
THREADS=${BENCH_THREADS:-$(nproc)}
EPOCHS=${BENCH_SPEED_EPOCHS:-2}
BATCH=${BENCH_BATCH:-64}
MODELS=${BENCH_SPEED_MODELS:-simple-fc simple-cnn resnet20}
IMAGES=${BENCH_SPEED_IMAGES:-60000}
PY=/usr/bin/python3
tools/fetch-data.sh mnist >/dev/null
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# best (smallest) seconds of a CSV log's epochs, and its images/s
ours() {
	local model=$1 mode=$2
	"$BIN/shiftaccel-train" --model "$model" --data mnist --mode "$mode" --epochs "$EPOCHS" \
		--batch-size "$BATCH" --threads "$THREADS" --optimizer adam --lr 0.001 --quiet \
		--limit "$IMAGES" --eval-limit 1 --log "$T/log.csv" >/dev/null
	awk -F, 'NR > 1 { if (!b || $6 < b) { b = $6; r = $7 } } END { printf "%.2f %.0f\n", b, r }' "$T/log.csv"
}

torch_peer() {
	"$PY" bench/torch_peer.py --model "$1" --data "${SHIFTACCEL_DATA:-data}/mnist" --epochs "$EPOCHS" \
		--batch-size "$BATCH" --threads "$THREADS" --images "$IMAGES" |
		"$PY" -c 'import json,sys; e=min(json.load(sys.stdin)["epochs"], key=lambda e: e["seconds"]); print("%.2f %.0f" % (e["seconds"], e["images_per_second"]))'
}

if ! "$PY" -c 'import torch' 2>/dev/null; then
	echo "speed: python3-torch is not installed (make bench-deps); skipping the PyTorch comparison"
	exit 0
fi
torch_version=$("$PY" -c 'import torch; print(torch.__version__)')
echo "== training speed, MNIST float epoch ($IMAGES images), batch $BATCH, $THREADS threads, best of $EPOCHS epochs"
printf '%-11s %-16s %10s %10s\n' model trainer "s/epoch" "images/s"
for model in $MODELS; do
	read -r ts ti < <(ours "$model" float)
	read -r ps pi < <(torch_peer "$model")
	read -r qs qi < <(ours "$model" ps)
	printf '%-11s %-16s %10s %10s\n' "$model" "shiftaccel" "$ts" "$ti"
	printf '%-11s %-16s %10s %10s\n' "" "pytorch $torch_version" "$ps" "$pi"
	printf '%-11s %-16s %10s %10s\n' "" "shiftaccel (PS)" "$qs" "$qi"
	awk -v a="$ts" -v b="$ps" -v m="$model" 'BEGIN { printf "%-11s speed-up over PyTorch (float): %.2fx\n", m, b / a }'
done
