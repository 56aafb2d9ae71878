#!/usr/bin/env bash
# The DeepShift paper's Table 1 (Elhoushi et al., arXiv 1905.13298) with
# shiftaccel-train: Simple FC and Simple CNN on MNIST, then on Fashion-MNIST:
# the float original, DeepShift-Q and -PS from scratch, converted (equation
# 12, no training) and converted + trained.  Every DeepShift figure is the
# test accuracy of the exported integer model, measured through sa_session
# on the CPU (what shiftaccel-eval reports), not the float simulation.
# Printed beside the paper's numbers and those its authors' public code
# reports for 10 epochs.
#
#   BENCH_EPOCHS   epochs per training run (default 10, as the code's figures; 2 for a quick look)
#   BENCH_BITS     weight bits (default 5)
#   BENCH_AUGMENT  random image offsets of up to N pixels (default 0, as in the paper)
#   BENCH_SETS     data sets (default "mnist fashion-mnist")
#   BENCH_THREADS  threads (default: all cores)
# Figures only: it fails only if a run itself fails.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${BENCH_EPOCHS:-10}
BITS=${BENCH_BITS:-5}
AUGMENT=${BENCH_AUGMENT:-0}
SETS=${BENCH_SETS:-mnist fashion-mnist}
THREADS=${BENCH_THREADS:-$(nproc)}
# shellcheck source=bench/train_lib.sh
. bench/train_lib.sh
tools/fetch-data.sh $SETS >/dev/null

row() {
	printf '  %-30s %9s %8s %12s %7s\n' "$1" "$2" "$3" "$4" "$5"
}

for set in $SETS; do
	echo "== Table 1 on $set: test accuracy (%), $BITS-bit weights, $EPOCHS epochs per run, batch 64,"
	echo "   Adam, cosine schedule, augment $AUGMENT, default learning rates (shiftaccel-train --help)"
	for model in simple-fc simple-cnn; do
		if [[ $set == mnist && $model == simple-fc ]]; then
			paper=(93.59 78.55 90.19 93.78)
			code=(96.92 97.03 98.26 - - 97.85 -)
		elif [[ $set == mnist ]]; then
			paper=(98.91 85.38 98.41 98.98)
			code=(98.75 98.81 99.12 - - 99.15 99.16)
		else
			paper=(- - - -)
			code=(- - - - - - -)
		fi
		ckpt="$T/$set-$model.ckpt"
		start=$(date +%s)
		f=$(train_float "$model" "$set" "$EPOCHS" "$ckpt")
		fs=$(($(date +%s) - start))
		read -r q qs < <(train q "$model" "$set" --epochs "$EPOCHS")
		read -r p ps < <(train ps "$model" "$set" --epochs "$EPOCHS")
		read -r c cs < <(train convert "$model" "$set" --init "$ckpt")
		read -r cq cqs < <(train convert+q "$model" "$set" --init "$ckpt" --epochs "$EPOCHS")
		read -r cp cps < <(train convert+ps "$model" "$set" --init "$ckpt" --epochs "$EPOCHS")
		echo "$model:"
		row "" ShiftAccel paper "code 10 ep." seconds
		row "original (float)" "$f" "${paper[0]}" "${code[0]}" "$fs"
		row "DeepShift-Q from scratch" "$q" "${paper[1]}" "${code[1]}" "$qs"
		row "DeepShift-PS from scratch" "$p" "${paper[1]}" "${code[2]}" "$ps"
		row "converted, not trained" "$c" "${paper[2]}" "${code[3]}" "$cs"
		row "converted + DeepShift-Q" "$cq" "${paper[3]}" "${code[5]}" "$cqs"
		row "converted + DeepShift-PS" "$cp" "${paper[3]}" "${code[6]}" "$cps"
	done
done
echo "(DeepShift rows: the exported integer model through sa_session; the paper's"
echo " Table 1 gives one DeepShift figure per column, shown for both Q and PS.)"
