#!/usr/bin/env bash
# Digits as people make them, classified by a model trained on MNIST: each
# kind of image (tests/people/people_images.c) must score at least $MIN%
# top-1 against MNIST's own labels.  The model is data/models' cached one
# when `make run` left it there, else a small Simple CNN trained once into
# $SA_BUILD/fixtures (about a minute on the sanitized build, then cached).
# MNIST comes from `make data` (fetched here when missing).
set -u
: "${SA_BUILD:?set SA_BUILD to the build directory (e.g. build/san)}"
cd "$(dirname "$0")/../.."
DATA=${SHIFTACCEL_DATA:-data}
COUNT=60
MIN=85
T=$(mktemp -d "${TMPDIR:-/tmp}/test_people.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/host_lib.sh
source tests/host_lib.sh

if [[ ! -f "$DATA/mnist/t10k-images-idx3-ubyte" ]] &&
	! SHIFTACCEL_DATA="$DATA" tools/fetch-data.sh mnist >"$T/fetch.log" 2>&1; then
	not_ok "MNIST is available" "tools/fetch-data.sh mnist failed:" "$(cat "$T/fetch.log")"
	finish
	exit 1
fi
model="$DATA/models/simple-cnn-ps-mnist.dsm"
if [[ ! -f "$model" ]]; then
	model="$SA_BUILD/fixtures/people-simple-cnn.dsm"
	if [[ ! -f "$model" ]]; then
		mkdir -p "$SA_BUILD/fixtures"
		if ! "$SA_BUILD/bin/shiftaccel-train" --model simple-cnn --data mnist \
			--data-dir "$DATA" --epochs 1 --limit 12000 --eval-limit 500 --quiet \
			-o "$model" >"$T/train.log" 2>&1; then
			not_ok "fixture model trains" "$(cat "$T/train.log")"
			finish
			exit 1
		fi
	fi
fi
echo "model: $model"
"$SA_BUILD/tests/people_accuracy" "$model" "$DATA/mnist" "$COUNT" "$MIN" "$T" | tee "$T/acc.log"
pass=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$T/acc.log")
fail=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$T/acc.log")
[[ -n $pass ]] || { pass=0 fail=1; }

# The same through shiftaccel-run: MNIST's first test digit (a 7) drawn dark on white
# (people_accuracy kept its files in $T: people-KIND-INDEX.png, kind 1 drawn on white).
label=$(od -An -tu1 -j8 -N1 "$DATA/mnist/t10k-labels-idx1-ubyte" | tr -d ' ')
capture "$SA_BUILD/bin/shiftaccel-run" "$model" "$T/people-1-0.png" --json --topk 1
if [[ $rc -eq 0 && $out == *'"inverted": true'* && $out == *'"framed": true'* &&
	$out == *"\"label\": \"$label\""* ]]; then
	ok "shiftaccel-run: a digit drawn on white is inverted, framed and read as $label"
else
	not_ok "shiftaccel-run on a drawn digit" "exit $rc" "stdout: $out" "stderr: $err"
fi
capture "$SA_BUILD/bin/shiftaccel-run" "$model" "$T/people-1-0.png" --json --invert no --fit none
if [[ $rc -eq 0 && $out == *'"inverted": false'* && $out == *'"framed": false'* ]]; then
	ok "shiftaccel-run --invert no --fit none leaves the image as it is"
else
	not_ok "--invert no --fit none" "exit $rc" "stdout: $out" "stderr: $err"
fi
finish
