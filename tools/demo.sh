#!/usr/bin/env bash
# The README's main job (`make run`): fetch MNIST if absent, train a DeepShift-PS
# Simple CNN if no trained model is cached, write a digit of the MNIST test set
# as a PNG and classify it with shiftaccel-run, printing its true label.
#
# Environment: SA_BUILD (binaries, default build), SHIFTACCEL_DATA (default data),
# DIGIT (index in the MNIST test set, default 0), RUN_EPOCHS (default 3: about
# 30 s of training on 2 cores; the whole job takes about 35 s on a fresh clone).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${SA_BUILD:-build}
DATA=${SHIFTACCEL_DATA:-data}
DIGIT=${DIGIT:-0}
EPOCHS=${RUN_EPOCHS:-3}
MODEL="$DATA/models/simple-cnn-ps-mnist.dsm"
PNG="$DATA/digit-$DIGIT.png"

tools/fetch-data.sh mnist
if [[ ! -f $MODEL ]]; then
	echo "== no cached model: training a DeepShift-PS Simple CNN on MNIST ($EPOCHS epochs)"
	mkdir -p "$DATA/models"
	"$BUILD/bin/shiftaccel-train" --model simple-cnn --data mnist --data-dir "$DATA" \
		--mode ps --weight-bits 5 --epochs "$EPOCHS" --schedule cosine -o "$MODEL" \
		--plot "$DATA/models/simple-cnn-ps-mnist.png"
else
	echo "== using the cached model $MODEL (delete it to train again)"
fi
echo "== test digit $DIGIT of the MNIST test set"
line=$("$BUILD/bin/shiftaccel-eval" --data mnist --data-dir "$DATA" --write-image "$DIGIT" "$PNG")
echo "$line"
label=${line##* label }
echo "== shiftaccel-run $MODEL $PNG"
"$BUILD/bin/shiftaccel-run" "$MODEL" "$PNG" --topk 3 --repeat 20
echo "true label: $label"
