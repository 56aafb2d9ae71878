#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The DeepShift paper's Table 3 architectures at 224x224 (make bench;
# docs/import.md): torchvision 0.14 networks with random weights
# (tests/convert/make_tv_models.py, cached as for tests/convert/test_tv_nets.sh),
# converted by shiftaccel-convert on 8 RGB calibration images.  Per
# architecture: conversion time, ONNX and .dsm sizes, the CPU latency of the
# integer model in shiftaccel-run (median of BENCH_TV_REPEAT runs, one image),
# and the top-1 agreement of the integer and the float model on the
# calibration images (random weights give logits with tiny margins, so this
# agreement is low and says little about trained networks).
#   BENCH_TV_NETS     architectures (default: all of Table 3)
#   BENCH_TV_SIZE     input side (default 224)
#   BENCH_TV_REPEAT   shiftaccel-run repetitions (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${SA_BUILD:-build}
SIZE=${BENCH_TV_SIZE:-224}
py=/usr/bin/python3
maker=tests/convert/make_tv_models.py
versions=$($py -c 'import torch, torchvision; print(torch.__version__, torchvision.__version__)')
key=$({ sha256sum <"$maker"; echo "$versions"; } | sha256sum | cut -c1-16)
cache=${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}/tv-models-$key
calib=$cache/calib-$SIZE
nets=${BENCH_TV_NETS:-vgg11 vgg11_bn vgg13 vgg13_bn vgg16 vgg16_bn vgg19 vgg19_bn alexnet
	densenet121 densenet161 densenet169 densenet201 resnet18 resnet34 resnet50 resnet101
	resnet152 mobilenet_v2 squeezenet1_0 squeezenet1_1 googlenet}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "Table 3 architectures at 3x${SIZE}x$SIZE, $(nproc) cores, torch/torchvision $versions"
printf '%-14s %10s %10s %10s %7s %12s %10s\n' model convert_s onnx_MB dsm_MB ratio cpu_ms/image agreement
for m in $nets; do
	[[ -d $cache/$m-$SIZE ]] || $py "$maker" "$cache" --size "$SIZE" "$m" >"$work/make.log" 2>&1 ||
		{ printf '%-14s %s\n' "$m" "PyTorch could not make it"; continue; }
	onnx=$cache/$m-$SIZE/$m.onnx
	start=$(date +%s.%N)
	if ! "$B/bin/shiftaccel-convert" "$onnx" -o "$work/$m.dsm" --calib "pngdir:$calib" \
		--input "3x${SIZE}x$SIZE" --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 \
		--labels "$calib/labels.txt" -q >"$work/$m.log" 2>&1; then
		printf '%-14s %s\n' "$m" "does not import: $(tail -n 1 "$work/$m.log")"
		continue
	fi
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
	agree=$(sed -nE 's/^top-1 agreement, integer vs float model: ([0-9.]+%).*/\1/p' "$work/$m.log")
	ms=$("$B/bin/shiftaccel-run" "$work/$m.dsm" "$calib/b/7.png" --device cpu --json \
		--repeat "${BENCH_TV_REPEAT:-5}" 2>/dev/null |
		$py -c 'import json, sys; print("%.1f" % json.load(sys.stdin)["latency_ms"]["median"])')
	awk -v m="$m" -v s="$secs" -v o="$(stat -c %s "$onnx")" -v d="$(stat -c %s "$work/$m.dsm")" \
		-v ms="$ms" -v a="$agree" 'BEGIN {
		printf "%-14s %10s %10.1f %10.1f %6.1fx %12s %10s\n", m, s, o / 1e6, d / 1e6, o / d, ms, a }'
	rm -f "$work/$m.dsm"
done
