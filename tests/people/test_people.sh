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
"$SA_BUILD/tests/people_accuracy" "$model" "$DATA/mnist" "$COUNT" "$MIN" "$T"
