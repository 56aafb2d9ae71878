#!/usr/bin/env bash
# shiftaccel-train and shiftaccel-eval from the command line, on a small idx
# data set generated here (4 classes of 8x8 images): training in every mode,
# the exported model's accuracy as the trainer reports it and as
# shiftaccel-eval measures it, logs, plots, reproducibility, checkpoints,
# and the errors users hit.  Ends with "N passed, N failed".
set -u
BIN=${SA_BUILD:-build}/bin
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/host_lib.sh
. "$(dirname "$0")/../host_lib.sh"
# check NAME EXPRESSION: passes when the (eval'd) expression is true.
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

be32() { printf '\\%03o\\%03o\\%03o\\%03o' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }

# gen PREFIX COUNT SEED: PREFIX-images / PREFIX-labels, class c = a bright quadrant c plus noise
gen() {
	LC_ALL=C awk -v n="$2" -v seed="$3" -v out="$1" 'BEGIN {
		srand(seed)
		for (i = 0; i < n; i++) {
			c = int(rand() * 4); L = L sprintf("\\%03o", c)
			for (y = 0; y < 8; y++) for (x = 0; x < 8; x++) {
				v = int(rand() * 200)
				if (int(y / 4) * 2 + int(x / 4) == c) v += 55
				I = I sprintf("\\%03o", v)
			}
		}
		print I > (out "-images.txt"); print L > (out "-labels.txt")
	}'
	{ printf '\000\000\010\003'; printf "$(be32 "$2")"; printf "$(be32 8)$(be32 8)"; printf "$(cat "$1-images.txt")"; } >"$1-images"
	{ printf '\000\000\010\001'; printf "$(be32 "$2")"; printf "$(cat "$1-labels.txt")"; } >"$1-labels"
}
gen "$T/train" 400 1
gen "$T/test" 120 2
TRAIN="idx:$T/train-images,$T/train-labels"
TEST="idx:$T/test-images,$T/test-labels"
cat >"$T/tiny.arch" <<'ARCH'
# a tiny CNN for 8x8 inputs
conv 6 3 pad=1 relu name=c1
maxpool 2
fc 16 relu
fc classes
ARCH
COMMON=(--model "$T/tiny.arch" --data "$TRAIN" --test-data "$TEST" --batch-size 16 --seed 5)

out=$("$BIN/shiftaccel-train" "${COMMON[@]}" --mode ps --epochs 3 --lr 0.03 --threads 2 \
	-o "$T/ps.dsm" --log "$T/log.csv" --plot "$T/curves.png" 2>&1)
rc=$?
check "ps training exits 0" '[[ $rc -eq 0 ]]'
check "one line per epoch" '[[ $(grep -c "^ps     epoch" <<<"$out") -eq 3 ]]'
acc=$(sed -n 's/^integer model: test accuracy \([0-9.]*\)%.*/\1/p' <<<"$out")
check "the integer model's accuracy is reported" '[[ -n $acc ]]'
check "the tiny model learns (> 70%, chance is 25%)" '[[ ${acc%%.*} -ge 70 ]]'
check "CSV log: header and 3 epochs" '[[ $(wc -l <"$T/log.csv") -eq 4 && $(head -c 11 "$T/log.csv") == "phase,epoch" ]]'
check "the plot is a PNG" '[[ $(od -An -c -N4 "$T/curves.png" | tr -d " ") == "211PNG" ]]'

json=$("$BIN/shiftaccel-eval" "$T/ps.dsm" --data "$TEST" --json)
check "shiftaccel-eval --json exits 0" '[[ $? -eq 0 ]]'
eacc=$(sed -n 's/.*"accuracy":\([0-9.]*\),"device".*/\1/p' <<<"$json")
check "shiftaccel-eval agrees with the trainer ($acc%)" '[[ $(printf "%.2f" "$eacc") == "$acc" ]]'
check "the trainer's figure is recorded in the model" '[[ $json == *"\"recorded_accuracy\":\"$acc\""* ]]'
text=$("$BIN/shiftaccel-eval" "$T/ps.dsm" --data "$TEST" --confusion --threads 1)
check "text report: accuracy, per class, confusion" '[[ $text == *"accuracy: $acc%"* && $(grep -c "^  [0-3] " <<<"$text") -ge 4 && $text == *confusion* ]]'

"$BIN/shiftaccel-train" "${COMMON[@]}" --mode ps --epochs 3 --lr 0.03 --threads 1 -o "$T/again.dsm" --quiet >/dev/null 2>&1
check "same seed, other thread count: the same bytes" 'cmp -s "$T/ps.dsm" "$T/again.dsm"'

"$BIN/shiftaccel-eval" --data "$TEST" --write-image 3 "$T/img.png" >"$T/write.txt"
check "--write-image writes a PNG and its label" '[[ -s $T/img.png && $(cat "$T/write.txt") == *"label "[0-3] ]]'
run=$("$BIN/shiftaccel-run" "$T/ps.dsm" "$T/img.png" --device cpu --topk 1 2>/dev/null)
check "shiftaccel-run classifies the written image" '[[ $? -eq 0 && -n $run ]]'

"$BIN/shiftaccel-train" "${COMMON[@]}" --mode float --epochs 2 --save-checkpoint "$T/f.ckpt" --quiet >/dev/null 2>&1
check "float training saves a checkpoint" '[[ -s $T/f.ckpt ]]'
conv=$("$BIN/shiftaccel-train" "${COMMON[@]}" --mode convert --init "$T/f.ckpt" --weight-bits 4 -o "$T/conv.dsm" 2>&1)
check "convert from the checkpoint (no training)" '[[ $? -eq 0 && $conv == *"converted to 4-bit shifts"* && -s $T/conv.dsm ]]'
cq=$("$BIN/shiftaccel-train" "${COMMON[@]}" --mode convert+q --init "$T/f.ckpt" --epochs 1 --quiet 2>&1)
check "convert+q trains after converting" '[[ $? -eq 0 && $cq == *"integer model: test accuracy"* ]]'
hold=$("$BIN/shiftaccel-train" --model "$T/tiny.arch" --data "$TRAIN" --mode ps --epochs 3 --lr 0.03 --holdout 0.25 \
	--seed 11 -o "$T/hold.dsm" 2>&1)
check "data without a test part holds some out" '[[ $? -eq 0 && $hold == *"holding out 100 of 400"* ]]'
# shiftaccel-eval rebuilds that test set from the split the model records, with
# --data given or taken from the model; the trainer's figure is the one it measures.
hacc=$(sed -n 's/^integer model: test accuracy \([0-9.]*\)% (\([0-9]*\)\/100,.*/\1/p' <<<"$hold")
hjson=$("$BIN/shiftaccel-eval" "$T/hold.dsm" --holdout --data "$TRAIN" --json)
check "eval --holdout: the trainer's hold-out accuracy ($hacc%) on the same 100 images" '[[ -n $hacc && $hjson == *"\"split\":\"holdout\",\"first\":0,\"images\":100,"* && $(sed -n "s/.*\"accuracy\":\([0-9.]*\),\"device\".*/\1/p" <<<"$hjson" | xargs printf "%.2f") == "$hacc" ]]'
htext=$("$BIN/shiftaccel-eval" "$T/hold.dsm" --holdout)
check "eval --holdout without --data uses the model's data set" '[[ $? -eq 0 && $htext == *"accuracy: $hacc%"* ]]'
# Another seed holds out other images: the recorded seed matters.
"$BIN/shiftaccel-train" --model "$T/tiny.arch" --data "$TRAIN" --mode ps --epochs 3 --lr 0.03 --holdout 0.25 \
	--seed 12 -o "$T/hold12.dsm" --quiet >/dev/null 2>&1
w11=$("$BIN/shiftaccel-eval" "$T/hold.dsm" --holdout --json)
w12=$("$BIN/shiftaccel-eval" "$T/hold12.dsm" --holdout --json)
check "another seed's hold-out set has other images (per-class counts differ)" '[[ -n $w12 && $(grep -o "\"images\":[0-9]*" <<<"$w11") != $(grep -o "\"images\":[0-9]*" <<<"$w12") ]]'
"$BIN/shiftaccel-eval" "$T/ps.dsm" --holdout --data "$TEST" >/dev/null 2>"$T/err"
check "eval --holdout of a model trained with a test set: exit 2, saying so" '[[ $? -eq 2 && $(cat "$T/err") == *"no held-out split"* ]]'
"$BIN/shiftaccel-eval" "$T/hold.dsm" --holdout --split train >/dev/null 2>"$T/err"
check "eval --holdout with --split: exit 1" '[[ $? -eq 1 && $(cat "$T/err") == *"--holdout"* ]]'

printf 'conv 6 3 pad=1 bn relu name=a\nconv 6 3 pad=1 bn\nadd a relu\nmaxpool 2\nfc classes\n' >"$T/bn.arch"
BN=(--model "$T/bn.arch" --data "$TRAIN" --test-data "$TEST" --mode q --batch-size 16)
fold=$("$BIN/shiftaccel-train" "${BN[@]}" --epochs 2 --augment 1 -o "$T/fold.dsm" 2>&1)
facc=$(sed -n 's/^integer model: test accuracy \([0-9.]*\)%.*/\1/p' <<<"$fold")
check "batch norm: by default the last of 2 epochs trains folded (with augmentation)" '[[ $fold == *"batch norm folded"* && $(grep -c "^q      epoch  1/2" <<<"$fold") -eq 1 && $(grep -c "^folded epoch  2/2" <<<"$fold") -eq 1 && -n $facc ]]'
fjson=$("$BIN/shiftaccel-eval" "$T/fold.dsm" --data "$TEST" --json)
check "the folded model's accuracy agrees ($facc%)" '[[ $fjson == *"\"recorded_accuracy\":\"$facc\""* && $(sed -n "s/.*\"accuracy\":\([0-9.]*\),\"device\".*/\1/p" <<<"$fjson" | xargs printf "%.2f") == "$facc" ]]'
nofold=$("$BIN/shiftaccel-train" "${BN[@]}" --epochs 2 --fold-epochs 0 2>&1)
check "--fold-epochs 0: batch norm trained to the end" '[[ $? -eq 0 && $nofold != *folded* && $(grep -c "^q      epoch" <<<"$nofold") -eq 2 ]]'
"$BIN/shiftaccel-train" "${BN[@]}" --epochs 2 --fold-epochs 3 >/dev/null 2>"$T/err"
check "--fold-epochs beyond --epochs: exit 1 naming both" '[[ $? -eq 1 && $(cat "$T/err") == *"--fold-epochs 3"*"--epochs 2"* ]]'

"$BIN/shiftaccel-train" --mode bogus >/dev/null 2>"$T/err"
check "bad --mode: exit 1 with the choices" '[[ $? -eq 1 && $(cat "$T/err") == *"convert+ps"* ]]'
"$BIN/shiftaccel-train" "${COMMON[@]}" --mode float -o "$T/x.dsm" >/dev/null 2>"$T/err"
check "float with -o: exit 1, pointing at convert" '[[ $? -eq 1 && $(cat "$T/err") == *convert* ]]'
"$BIN/shiftaccel-train" --data "idx:$T/none,$T/none2" >/dev/null 2>"$T/err"
check "missing data: exit 2 naming the file" '[[ $? -eq 2 && $(cat "$T/err") == *"$T/none"* ]]'
printf 'conv 4 3\nfc 7 relu bogus=1\n' >"$T/bad.arch"
"$BIN/shiftaccel-train" --model "$T/bad.arch" --data "$TRAIN" --test-data "$TEST" >/dev/null 2>"$T/err"
check "bad architecture file: exit 2 naming the line" '[[ $? -eq 2 && $(cat "$T/err") == *"bad.arch:2"* ]]'
"$BIN/shiftaccel-train" --model lenet7 --data "$TRAIN" --test-data "$TEST" >/dev/null 2>"$T/err"
check "unknown model: exit 1 listing the built-ins" '[[ $? -eq 1 && $(cat "$T/err") == *simple-cnn* ]]'
"$BIN/shiftaccel-eval" "$T/nothing.dsm" --data "$TEST" >/dev/null 2>"$T/err"
check "shiftaccel-eval without the model: exit 2" '[[ $? -eq 2 ]]'
"$BIN/shiftaccel-eval" "$T/ps.dsm" --data "$TRAIN" --count 5 --first 400 >/dev/null 2>"$T/err"
check "shiftaccel-eval past the end: exit 1" '[[ $? -eq 1 && $(cat "$T/err") == *"has 400 images"* ]]'

finish
