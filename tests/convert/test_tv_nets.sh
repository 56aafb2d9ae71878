#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The DeepShift paper's Table 3 architectures (torchvision 0.14, random
# weights, 1000 classes) import and run (issue 12 item 6, docs/import.md):
# for each one, at a small input,
#   - shiftaccel-convert --calib pngdir:(8 RGB images) --input 3xSxS with
#     ImageNet's mean/std and 1000 labels converts it (exit 0);
#   - shiftaccel-run MODEL.dsm IMAGE.png --topk 5 --json answers on the CPU
#     with 5 named classes;
#   - the float trainer's logits are PyTorch's within LOGIT_BOUND, or four
#     times PyTorch's own float32 error where that is larger (tv_float_logits;
#     the oracle is PyTorch's own forward pass).
# A network that does not import fails.  The models are made by
# tests/convert/make_tv_models.py once per version of it and of torch and
# torchvision, in ${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}/tv-models-HASH
# (outside the clone: some are 100+ MB).
#
#   test_tv_nets.sh [NAME...]      default: $TV_NETS, else TV_NETS_CHECK below
#                                  (make check); `all`: every architecture
#                                  (make tv-nets-check, TV_NETS=all)
# Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${SA_BUILD:-build}
SIZE=${TV_NETS_SIZE:-64}
ALL="vgg11 vgg11_bn vgg13 vgg13_bn vgg16 vgg16_bn vgg19 vgg19_bn alexnet
     densenet121 densenet161 densenet169 densenet201
     resnet18 resnet34 resnet50 resnet101 resnet152
     mobilenet_v2 squeezenet1_0 squeezenet1_1 googlenet"
# The smallest of most families, what `make check` runs under ASan; VGG (150 MB
# and more each) and the rest only in `make tv-nets-check` (times: docs/import.md).
TV_NETS_CHECK="alexnet resnet18 mobilenet_v2 squeezenet1_1 densenet121 googlenet"
[[ $# -gt 0 ]] || set -- ${TV_NETS:-$TV_NETS_CHECK}
[[ $1 != all ]] || set -- $ALL

py=/usr/bin/python3 # Debian's interpreter: torch lives in its dist-packages.
maker=tests/convert/make_tv_models.py
versions=$($py -c 'import torch, torchvision; print(torch.__version__, torchvision.__version__)') || {
	echo "python3-torch / python3-torchvision missing (make deps)"
	echo "0 passed, 1 failed"
	exit 1
}
key=$({ sha256sum <"$maker"; echo "$versions"; } | sha256sum | cut -c1-16)
cache=${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}/tv-models-$key
calib=$cache/calib-$SIZE

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

out=$(mktemp -d)
log=$out/log
trap 'rm -rf "$out"' EXIT
image=$calib/b/7.png

for m in "$@"; do
	dir=$cache/$m-$SIZE
	# Each model is made whole or not at all (the maker renames it into place).
	if [[ ! -d $dir ]] && ! $py "$maker" "$cache" --size "$SIZE" "$m" >"$log" 2>&1; then
		bad "$m: PyTorch makes the model"
		sed 's/^/    /' "$log"
		continue
	fi
	start=$(date +%s.%N)
	"$B/bin/shiftaccel-convert" "$dir/$m.onnx" -o "$out/$m.dsm" --calib "pngdir:$calib" \
		--input "3x${SIZE}x$SIZE" --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 \
		--labels "$calib/labels.txt" --threads 2 -q >"$log" 2>&1
	rc=$?
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	if [[ $rc -eq 0 ]]; then
		ok "$m converts at 3x${SIZE}x$SIZE (${secs} s; $(grep -o '[0-9.]*x smaller' "$log"))"
	else
		bad "$m converts at 3x${SIZE}x$SIZE (exit $rc)"
		sed 's/^/    /' "$log"
	fi
	if [[ $rc -ne 0 ]]; then
		bad "$m runs on the CPU (no .dsm: it did not convert)"
	elif "$B/bin/shiftaccel-run" "$out/$m.dsm" "$image" --topk 5 --json 2>/dev/null >"$log" &&
		$py -c 'import json, sys
r = json.load(open(sys.argv[1]))
top = r["topk"]
assert len(top) == 5 and all(t["label"] == "class-%d" % t["index"] for t in top), top' "$log" 2>>"$log"; then
		ok "$m runs on the CPU (top-5 as JSON, $($py -c 'import json, sys
print("%.1f ms" % json.load(open(sys.argv[1]))["latency_ms"]["median"])' "$log"))"
	else
		bad "$m runs on the CPU (top-5 as JSON)"
		sed 's/^/    /' "$log"
	fi
	"$B/tests/tv_float_logits" "$dir/$m.onnx" "$calib" "$dir/logits.f32" "$SIZE" \
		"$(cat "$dir/torch-float32-error")" >"$log" 2>&1
	rc=$?
	if [[ $rc -eq 0 ]]; then
		ok "$m: $(cat "$log")"
	else
		bad "$m: float trainer against PyTorch (exit $rc)"
		sed 's/^/    /' "$log"
	fi
	rm -f "$out/$m.dsm"
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
