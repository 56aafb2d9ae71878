# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# shellcheck disable=SC2034 # T is used by the sourcing script
#
# What the training benchmarks (table1.sh, bits.sh) share, sourced from the
# repository root after they set BITS, THREADS and AUGMENT: a scratch
# directory $T and one training run reduced to its figures.

BIN=${SA_BUILD:-build}/bin
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# train MODE MODEL SET [args...]: the integer model's test accuracy and the seconds it took
train() {
	local mode=$1 model=$2 set=$3 start out acc
	shift 3
	start=$(date +%s)
	out=$("$BIN/shiftaccel-train" --model "$model" --data "$set" --mode "$mode" \
		--weight-bits "$BITS" --threads "$THREADS" --schedule cosine --augment "$AUGMENT" \
		--quiet "$@" 2>&1) || {
		echo "$(basename "$0"): shiftaccel-train --mode $mode --model $model --data $set failed:" >&2
		echo "$out" >&2
		exit 1
	}
	acc=$(sed -n 's/^integer model: test accuracy \([0-9.]*\)%.*/\1/p' <<<"$out")
	echo "${acc:-?} $(($(date +%s) - start))"
}

# train_float MODEL SET EPOCHS CHECKPOINT: a float run saving its weights;
# prints the float model's test accuracy (the last epoch of its log)
train_float() {
	"$BIN/shiftaccel-train" --model "$1" --data "$2" --mode float --epochs "$3" \
		--threads "$THREADS" --schedule cosine --augment "$AUGMENT" --quiet \
		--save-checkpoint "$4" --log "$T/float.csv" >/dev/null
	awk -F, 'NR > 1 { a = $5 } END { printf "%.2f", a }' "$T/float.csv"
}
