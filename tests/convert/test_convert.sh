#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# shiftaccel-convert (make check).  Makes the PyTorch test models once per
# version of tests/convert/make_models.py into $SA_BUILD/convert-fixtures,
# runs test_convert_import on them (the library against PyTorch's logits and
# weights), then the tool: conversions checked against PyTorch's answers,
# errors and exit codes.  Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${SA_BUILD:-build}
fx=$B/convert-fixtures
stamp=$fx/.made-by-$(sha256sum tests/convert/make_models.py | cut -c1-16)
if [[ ! -e $stamp ]]; then
	rm -rf "$fx"
	mkdir -p "$fx"
	# Debian's interpreter: torch lives in its dist-packages.
	/usr/bin/python3 tests/convert/make_models.py "$fx" || { echo "0 passed, 1 failed"; exit 1; }
	touch "$stamp"
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

log=$(mktemp)
"$B/tests/test_convert_import" "$fx" 2>&1 | tee "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
pass=$((pass + ${line%% passed*}))
f=${line#* passed, }
fail=$((fail + ${f%% failed*}))
[[ -n $line ]] || fail=$((fail + 1))

tool=$B/bin/shiftaccel-convert
out=$(mktemp -d)
trap 'rm -rf "$out" "$log"' EXIT
calib() { echo "idx:$fx/$1-images.idx3,$fx/$1-torch.idx1"; }

# expect NAME RC PATTERN -- ARGS: the tool exits RC and its output has PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3
	shift 4
	"$tool" "$@" >"$log" 2>&1
	local rc=$?
	if [[ $rc -eq $want ]] && grep -q -- "$pattern" "$log"; then
		ok "$name"
	else
		bad "$name (exit $rc, want $want and '$pattern')"
		sed 's/^/    /' "$log"
	fi
}

# Conversions against PyTorch: the calibration labels are PyTorch's own top-1
# answers, so "accuracy" is agreement with PyTorch.  The float model must give
# PyTorch's answers; the 5-bit integer model at least the share below of them
# (measured: docs/import.md; the ResNet's rounded weights lose most).
declare -A min_int=([simple_cnn]=95 [resnet]=80 [torch_example]=90 [pow2]=95 [branches]=75
	[dense_like]=80 [squeeze_like]=90)
for m in simple_cnn resnet torch_example pow2 branches dense_like squeeze_like; do
	expect "$m converts" 0 "wrote $out/$m.dsm" -- "$fx/$m.onnx" -o "$out/$m.dsm" \
		--calib "$(calib $m)" --mean 0.25 --std 0.5
	read -r fl il < <(sed -nE 's/^top-1 accuracy on them: float ([0-9.]+)%, integer ([0-9.]+)%/\1 \2/p' "$log")
	if [[ -n ${fl:-} ]] && awk -v f="$fl" -v i="$il" -v m="${min_int[$m]}" 'BEGIN { exit !(f >= 99.5 && i >= m) }'; then
		ok "$m agrees with PyTorch (float $fl%, integer $il%)"
	else
		bad "$m agrees with PyTorch (float ${fl:-?}%, integer ${il:-?}%; want >= 99.5 and >= ${min_int[$m]})"
	fi
	ls "$out" | grep -q '\.tmp-' && bad "$m leaves no temporary file" || ok "$m leaves no temporary file"
done
expect "the table names ONNX ops and weight exponents" 0 "Gemm .*2^-" -- "$fx/simple_cnn.onnx" \
	-o "$out/t.dsm" --calib "$(calib simple_cnn)" --weight-bits 3 --calib-images 64
grep -q "agreement, integer vs float model: .* of 64 calibration images" "$log" && ok "--calib-images 64" ||
	bad "--calib-images 64"
grep -qE '^1 +conv +Conv .* 3 2\^' "$log" && ok "--weight-bits 3 in the table" ||
	bad "--weight-bits 3 in the table"
seq 0 9 | sed 's/^/class-/' >"$out/labels.txt"
expect "labels are stored" 0 "wrote" -- "$fx/simple_cnn.onnx" -o "$out/l.dsm" \
	--calib "$(calib simple_cnn)" --labels "$out/labels.txt" -q
grep -q "class-7" "$out/l.dsm" && ok "the .dsm holds the labels" || bad "the .dsm holds the labels"
grep -q "simple_cnn.onnx" "$out/l.dsm" && ok "the .dsm names its source" ||
	bad "the .dsm names its source"
# The calibration images are light shapes on black: their look is stored, as the trainer does.
grep -aq "input.polarity.light-on-dark" "$out/l.dsm" && ok "the .dsm states the data's polarity" ||
	bad "the .dsm states the data's polarity"

# Refusals: exit 2, the node, its op and the opset named.
expect "Concat along the height is refused" 2 "node '/Concat' (Concat, opset 13): .*channels" -- \
	"$fx/concat_height.onnx" -o "$out/x.dsm" --calib "$(calib simple_cnn)"
expect "an average pool without its padding is refused" 2 \
	"(AveragePool, opset 13): .*count_include_pad=0" -- \
	"$fx/avgpool_exclude_pad.onnx" -o "$out/x.dsm" --calib "$(calib simple_cnn)"
expect "Sigmoid is refused" 2 "node '/Sigmoid' (Sigmoid, opset 13)" -- \
	"$fx/sigmoid.onnx" -o "$out/x.dsm" --calib "$(calib simple_cnn)"
expect "images of another size" 2 "takes 1x1x32x32 inputs" -- \
	"$fx/resnet.onnx" -o "$out/x.dsm" --calib "$(calib simple_cnn)"
# --input: the 28x28 calibration images resized to the ResNet's 32x32 (the
# library's bilinear resize); a fixed input of another size, or other channels, refused.
expect "--input 1x32x32 resizes 28x28 calibration images" 0 "wrote" -- "$fx/resnet.onnx" \
	-o "$out/in.dsm" --calib "$(calib simple_cnn)" --input 1x32x32 -q
expect "--input against a fixed input of another size" 2 \
	"takes 1x1x28x28 inputs but the images are 1x1x32x32" -- "$fx/simple_cnn.onnx" \
	-o "$out/x.dsm" --calib "$(calib simple_cnn)" --input 1x32x32
expect "--input 3x28x28 for grey images" 2 "have 1 channel, not 3" -- "$fx/simple_cnn.onnx" \
	-o "$out/x.dsm" --calib "$(calib simple_cnn)" --input 3x28x28
for v in 0x28x28 1x28 1x28x28x1 1x-28x28 5x28x28; do
	expect "--input $v is a usage error" 1 "input" -- "$fx/simple_cnn.onnx" -o "$out/x.dsm" \
		--calib "$(calib simple_cnn)" --input "$v"
done
expect "a missing model" 2 "nonexistent.onnx" -- \
	"$out/nonexistent.onnx" -o "$out/x.dsm" --calib "$(calib simple_cnn)"
expect "labels of another count" 2 "3 labels for the model's 10 classes" -- \
	"$fx/simple_cnn.onnx" -o "$out/x.dsm" --calib "$(calib simple_cnn)" \
	--labels <(printf 'a\nb\nc\n')
[[ ! -e $out/x.dsm ]] && ok "no output after a refusal" || bad "no output after a refusal"

# Fine-tuning an imported graph: shiftaccel-train --init model.onnx (q and ps start
# from the converted float weights: convert+q, convert+ps).
train=$B/bin/shiftaccel-train
BIN_EVAL=$B/bin/shiftaccel-eval
"$train" --init "$fx/simple_cnn.onnx" --mode ps --data "$(calib simple_cnn)" --epochs 1 \
	-o "$out/tuned.dsm" >"$log" 2>&1
rc=$?
if [[ $rc -eq 0 && -s $out/tuned.dsm ]] && grep -q "converted to 5-bit shifts" "$log" &&
	grep -q "mode=convert+ps" "$log" && grep -qE "^ps +epoch +1/1" "$log"; then
	ok "shiftaccel-train --init model.onnx --mode ps converts, then trains DeepShift-PS"
else
	bad "shiftaccel-train --init model.onnx --mode ps (exit $rc)"
	sed 's/^/    /' "$log"
fi
"$train" --init "$fx/resnet.onnx" --mode convert --data "$(calib simple_cnn)" \
	-o "$out/x.dsm" >"$log" 2>&1
rc=$?
if [[ $rc -eq 2 ]] && grep -q "takes 1x1x32x32 inputs" "$log" && [[ ! -e $out/x.dsm ]]; then
	ok "shiftaccel-train --init with images of another size: exit 2, the shapes named"
else
	bad "shiftaccel-train --init with images of another size (exit $rc)"
	sed 's/^/    /' "$log"
fi

# --mean/--std give the ONNX network its own normalisation (make_models.py trains with
# 0.25/0.5, not the images' statistics): the float trainer then answers as PyTorch does,
# and the integer model, which applies the stored normalisation, keeps that.
"$train" --init "$fx/simple_cnn.onnx" --mode convert --data "$(calib simple_cnn)" \
	--test-data "$(calib simple_cnn)" --mean 0.25 --std 0.5 -o "$out/norm.dsm" >"$log" 2>&1
rc=$?
fl=$(sed -nE 's/^float weights from .*: test accuracy ([0-9.]+)%/\1/p' "$log")
il=$(sed -nE 's/^integer model: test accuracy ([0-9.]+)%.*/\1/p' "$log")
if [[ $rc -eq 0 && -n $fl && -n $il ]] && awk -v f="$fl" -v i="$il" 'BEGIN { exit !(f >= 99.5 && i >= 95) }'; then
	ok "shiftaccel-train --init model.onnx --mean/--std: PyTorch's answers (float $fl%, integer $il%)"
else
	bad "shiftaccel-train --init model.onnx --mean/--std (exit $rc, float ${fl:-?}%, integer ${il:-?}%)"
	sed 's/^/    /' "$log"
fi
"$BIN_EVAL" "$out/norm.dsm" --data "$(calib simple_cnn)" --json >"$log" 2>&1
grep -q "\"accuracy\":$il" "$log" && ok "the model keeps --mean/--std (shiftaccel-eval: $il%)" ||
	bad "the model keeps --mean/--std (shiftaccel-eval, want $il%)" 
# expect_train NAME RC PATTERN -- ARGS: as expect, for shiftaccel-train.
expect_train() { local tool=$train; expect "$@"; }
expect_train "train: --mean without --std" 1 "go together" -- --init "$fx/simple_cnn.onnx" \
	--data "$(calib simple_cnn)" --mean 0.5
expect_train "train: --mean of 3 channels for 1" 1 "3 values but the images have 1" -- \
	--init "$fx/simple_cnn.onnx" --data "$(calib simple_cnn)" --mean 0.5,0.5,0.5 --std 1,1,1
expect_train "train: --mean/--std only with an ONNX --init" 1 "only with --init FILE.onnx" -- \
	--data "$(calib simple_cnn)" --mean 0.5 --std 1
expect_train "train: --std 0" 1 "std" -- --init "$fx/simple_cnn.onnx" \
	--data "$(calib simple_cnn)" --mean 0.5 --std 0

# Usage errors: exit 1.
expect "--calib is required" 1 "--calib SPEC is required" -- "$fx/simple_cnn.onnx" -o "$out/x.dsm"
expect "-o is required" 1 "-o FILE is required" -- "$fx/simple_cnn.onnx" --calib "$(calib pow2)"
expect "--weight-bits 6" 1 "weight-bits" -- "$fx/simple_cnn.onnx" -o "$out/x.dsm" \
	--calib "$(calib pow2)" --weight-bits 6
expect "--weight-bits 1" 1 "weight-bits" -- "$fx/simple_cnn.onnx" -o "$out/x.dsm" \
	--calib "$(calib pow2)" --weight-bits 1
expect "--mean without --std" 1 "go together" -- "$fx/simple_cnn.onnx" -o "$out/x.dsm" \
	--calib "$(calib pow2)" --mean 0.5
expect "--mean of 3 channels for 1" 1 "3 values but the images have 1" -- \
	"$fx/simple_cnn.onnx" -o "$out/x.dsm" --calib "$(calib pow2)" --mean 0.5,0.5,0.5 \
	--std 1,1,1
expect "an unknown option" 1 "--frobnicate" -- "$fx/simple_cnn.onnx" --frobnicate
expect "--help" 0 "Usage: shiftaccel-convert MODEL.onnx" -- --help

# A missing output directory is found before the work starts (the model is not even read).
expect "a missing output directory" 2 "does not exist" -- \
	"$out/nonexistent.onnx" -o "$out/no/such/dir/x.dsm" --calib "$(calib pow2)"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
