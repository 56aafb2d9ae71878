#!/usr/bin/env bash
# Accuracy against weight bits (docs/training.md, "The weight code"): Simple FC
# and Simple CNN on MNIST with 2- to 5-bit weight codes (ternary to 15
# power-of-two levels), as DeepShift-Q and -PS from scratch, converted from
# one float model (equation 12, no training) and converted + PS.  Every
# figure is the exported integer model's test accuracy through sa_session.
#
#   BENCH_BITS_EPOCHS  epochs per run (default 2)
#   BENCH_BITS_SETS    data sets (default mnist)
#   BENCH_THREADS      threads (default: all cores)
# Figures only: it fails only if a run itself fails.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${BENCH_BITS_EPOCHS:-2}
SETS=${BENCH_BITS_SETS:-mnist}
THREADS=${BENCH_THREADS:-$(nproc)}
AUGMENT=0
BITS=5
# shellcheck source=bench/train_lib.sh
. bench/train_lib.sh
tools/fetch-data.sh $SETS >/dev/null

for set in $SETS; do
	echo "== weight bits on $set: test accuracy (%) of the integer model, $EPOCHS epochs per run,"
	echo "   batch 64, Adam, cosine schedule, default learning rates"
	for model in simple-fc simple-cnn; do
		ckpt="$T/$set-$model.ckpt"
		f=$(train_float "$model" "$set" "$EPOCHS" "$ckpt")
		echo "$model (float: $f):"
		printf '  %-5s %8s %8s %10s %11s\n' bits Q PS converted "conv + PS"
		for BITS in 2 3 4 5; do
			read -r q _ < <(train q "$model" "$set" --epochs "$EPOCHS")
			read -r p _ < <(train ps "$model" "$set" --epochs "$EPOCHS")
			read -r c _ < <(train convert "$model" "$set" --init "$ckpt")
			read -r cp _ < <(train convert+ps "$model" "$set" --init "$ckpt" --epochs "$EPOCHS")
			printf '  %-5s %8s %8s %10s %11s\n' "$BITS" "$q" "$p" "$c" "$cp"
		done
	done
done
