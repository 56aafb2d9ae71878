#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# shiftaccel-export (make check).  Models built with sa_builder
# (make_export_models: every op, weight widths 2..5 with odd and extreme
# bases, int8 and int16 activations, biases wider than a float) and models
# of shiftaccel-train (its built-in architectures, one quick epoch on a
# random idx data set made here) are exported; each export must pass
# onnx.checker and the numpy evaluation of check_export.py, and
# shiftaccel-convert must give back the same .dsm bytes with no --calib.
# Then the errors users hit.  Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${SA_BUILD:-build}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/host_lib.sh
. tests/host_lib.sh
export_tool=$B/bin/shiftaccel-export
convert_tool=$B/bin/shiftaccel-convert

# expect NAME RC PATTERN -- TOOL ARGS: TOOL exits RC and its output has PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3
	shift 4
	"$@" >"$T/log" 2>&1
	local rc=$?
	if [[ $rc -eq $want ]] && grep -q -- "$pattern" "$T/log"; then
		ok "$name"
	else
		not_ok "$name (exit $rc, want $want and '$pattern')"
		sed 's/^/    /' "$T/log"
	fi
}

# round_trip DSM: export, convert back, compare the bytes.
round_trip() {
	local dsm=$1 n=${1%.dsm}
	expect "$(basename "$n") exports" 0 "wrote $n.onnx" -- "$export_tool" "$dsm" -o "$n.onnx"
	expect "$(basename "$n") converts back without --calib" 0 "restored without calibration" \
		-- "$convert_tool" "$n.onnx" -o "$n.back.dsm"
	if cmp -s "$dsm" "$n.back.dsm"; then
		ok "$(basename "$n"): convert(export(m)) has m's bytes"
	else
		not_ok "$(basename "$n"): convert(export(m)) differs from m"
	fi
}

mkdir -p "$T/m"
if ! "$B/tests/make_export_models" "$T/m"; then
	not_ok "make_export_models"
fi
for dsm in "$T"/m/*.dsm; do
	n=${dsm%.dsm}
	round_trip "$dsm"
	# Debian's interpreter: onnx and numpy live in its dist-packages.
	while read -r line; do
		case $line in
		ok*) ok "${line#ok - }" ;;
		*) not_ok "${line#not ok - }" ;;
		esac
	done < <(/usr/bin/python3 tests/export/check_export.py "$n.onnx" "$n.in.f32" \
		"$n.float.f32" "$n.int.f32" 2>&1 || echo "not ok - check_export.py $n failed")
done

# Damaged exports: every prefix and every byte inverted (a clean error or a valid .dsm).
line=$("$B/tests/test_export_hostile" "$T/m/conv_fc.onnx" "$T/m/conv_fc.dsm" | tee "$T/log" | tail -n 1)
grep '^not ok' "$T/log" | head -n 20
if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	pass=$((pass + BASH_REMATCH[1]))
	fail=$((fail + BASH_REMATCH[2]))
else
	not_ok "test_export_hostile did not finish"
fi

# The trainer's architectures, trained briefly on random 28x28 images.
/usr/bin/python3 - "$T" <<'EOF'
import sys, numpy as np
rng = np.random.default_rng(1)
n = 64
imgs = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
labels = rng.integers(0, 10, n, dtype=np.uint8)
with open(sys.argv[1] + "/images", "wb") as f:
    f.write(np.array([0x803, n, 28, 28], dtype=">u4").tobytes() + imgs.tobytes())
with open(sys.argv[1] + "/labels", "wb") as f:
    f.write(np.array([0x801, n], dtype=">u4").tobytes() + labels.tobytes())
EOF
data="idx:$T/images,$T/labels"
for arch in simple-fc simple-cnn lenet5 resnet20; do
	if "$B/bin/shiftaccel-train" --model "$arch" --data "$data" --test-data "$data" --epochs 1 \
		--calibrate 16 --threads 2 -o "$T/$arch.dsm" >"$T/log" 2>&1; then
		round_trip "$T/$arch.dsm"
	else
		not_ok "shiftaccel-train --model $arch"
		sed 's/^/    /' "$T/log"
	fi
done

m=$T/m/all_ops.dsm
expect "--help names the options" 0 "Usage: shiftaccel-export" -- "$export_tool" --help
expect "no -o is a usage error" 1 "-o FILE is required" -- "$export_tool" "$m"
expect "no model is a usage error" 1 "no .dsm model given" -- "$export_tool" -o "$T/x.onnx"
expect "an unknown option is a usage error" 1 "" -- "$export_tool" --frobnicate "$m" -o "$T/x.onnx"
expect "a missing model exits 2" 2 "$T/none.dsm" -- "$export_tool" "$T/none.dsm" -o "$T/x.onnx"
printf 'not a model at all, just text\n' >"$T/text.dsm"
expect "a file that is not a .dsm exits 2" 2 "not a .dsm model" -- \
	"$export_tool" "$T/text.dsm" -o "$T/x.onnx"
expect "a directory as the model exits 2" 2 "" -- "$export_tool" "$T" -o "$T/x.onnx"
expect "an output in a missing directory exits 2" 2 "$T/no/such" -- \
	"$export_tool" "$m" -o "$T/no/such/x.onnx"
expect "a directory as the output exits 2" 2 "" -- "$export_tool" "$m" -o "$T"
if [[ $(id -u) -ne 0 ]]; then
	mkdir -p "$T/ro" && chmod 555 "$T/ro"
	expect "an unwritable directory exits 2" 2 "$T/ro" -- "$export_tool" "$m" -o "$T/ro/x.onnx"
fi
[[ ! -e $T/x.onnx ]] && ok "failed runs leave no output" || not_ok "a failed run left $T/x.onnx"
# A tampered export: a weight that is no longer +-2^k.
/usr/bin/python3 - "$T/m/all_ops.onnx" "$T/tampered.onnx" <<'EOF'
import sys, onnx, numpy as np
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
for i, t in enumerate(m.graph.initializer):
    if t.name.endswith(".weights"):
        w = numpy_helper.to_array(t).copy()
        w.flat[0] = 0.3
        m.graph.initializer[i].CopyFrom(numpy_helper.from_array(w, t.name))
        break
onnx.save(m, sys.argv[2])
EOF
expect "a weight that is not +-2^k is refused by name" 2 "is not +-2^k" -- \
	"$convert_tool" "$T/tampered.onnx" -o "$T/t.dsm"

# Weights whose size does not fit the layer's input (the fuzzer's first find
# in the reader of exports: the builder sized them from the input and read
# past the shorter tensor).
/usr/bin/python3 - "$T/m/conv_fc.onnx" "$T" <<'EOF'
import sys, onnx, numpy as np
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
gemm = [n for n in m.graph.node if n.op_type == "Gemm"][0]
conv = [n for n in m.graph.node if n.op_type == "Conv"][0]
def shrink(model, name, axis, path):
    for i, t in enumerate(model.graph.initializer):
        if t.name == name:
            a = numpy_helper.to_array(t)
            a = np.take(a, range(a.shape[axis] - 1), axis=axis)
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(a, name))
    onnx.save(model, path)
shrink(onnx.load(sys.argv[1]), gemm.input[1], 1, sys.argv[2] + "/narrow_fc.onnx")
shrink(onnx.load(sys.argv[1]), conv.input[1], 1, sys.argv[2] + "/narrow_conv.onnx")
EOF
expect "fc weights narrower than the fc's input are refused, naming the node" 2 \
	"weights for .* inputs do not fit its input of" -- \
	"$convert_tool" "$T/narrow_fc.onnx" -o "$T/t.dsm"
expect "conv weights for fewer channels than the input are refused, naming the node" 2 \
	"input channels x 1 groups do not fit its input of" -- \
	"$convert_tool" "$T/narrow_conv.onnx" -o "$T/t.dsm"

# The general importer (a file not marked as an export) reads QDQ pairs:
# power-of-two per-tensor scales with zero point 0, and nothing else.
/usr/bin/python3 - "$T/m/all_ops.onnx" "$T" <<'EOF'
import sys, onnx, numpy as np
from onnx import numpy_helper
src, out = sys.argv[1], sys.argv[2]
def variant(name, edit):
    m = onnx.load(src)
    del m.metadata_props[:]
    edit(m)
    onnx.save(m, "%s/%s.onnx" % (out, name))
def init(m, name, array):
    for i, t in enumerate(m.graph.initializer):
        if t.name == name:
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(array, name))
variant("qdq_plain", lambda m: None)
variant("qdq_scale", lambda m: init(m, "scale:2^-3", np.array(0.3, np.float32)))
variant("qdq_zero_point", lambda m: init(m, "zero_point:int8", np.array(5, np.int8)))
variant("qdq_per_axis", lambda m: init(m, "scale:2^-3", np.array([0.125, 0.25], np.float32)))
variant("qdq_uint8", lambda m: init(m, "zero_point:int8", np.array(0, np.uint8)))
# A scalar Add before a QuantizeLinear is a tie-breaker only below half its scale.
ties = [t.name for t in onnx.load(src).graph.initializer if t.name.startswith("tie:")]
variant("qdq_big_tie", lambda m: [init(m, t, np.array(1.0, np.float32)) for t in ties])
EOF
qdq=$B/tests/import_qdq
expect "QDQ pairs import as the float network" 0 "imported, 10 classes" -- \
	"$qdq" "$T/qdq_plain.onnx" 3 16 16
expect "a scale that is not 2^k is refused, naming the node" 2 \
	"node 'stem/conv out:q' (QuantizeLinear, opset 13): scale 0.3 is not a power of two" -- \
	"$qdq" "$T/qdq_scale.onnx" 3 16 16
expect "a zero point other than 0 is refused" 2 "zero point 5" -- \
	"$qdq" "$T/qdq_zero_point.onnx" 3 16 16
expect "a per-axis scale is refused" 2 "per-tensor" -- "$qdq" "$T/qdq_per_axis.onnx" 3 16 16
expect "a uint8 zero point is refused" 2 "element type 2" -- "$qdq" "$T/qdq_uint8.onnx" 3 16 16
expect "an Add of a constant as large as a step is no tie-breaker, and refused" 2 \
	"adding a constant is supported only as the bias" -- "$qdq" "$T/qdq_big_tie.onnx" 3 16 16
finish
