#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks one file written by shiftaccel-export (tests/export/test_export.sh).

usage: check_export.py MODEL.onnx NAME.in.f32 NAME.float.f32 NAME.int.f32

1. onnx.checker.check_model (with shape inference) accepts it.
2. Every weight initializer is 0 or exactly +-2^k.
3. A numpy evaluation of the graph written here from the ONNX operator
   definitions (independent of libshiftaccel), with each QuantizeLinear /
   DequantizeLinear pair taken as the identity, gives the logits of the
   .dsm's float simulation (--device cpu-float) within 1e-4 of their range.
4. With the QDQ pairs as ONNX defines them (round half to even, saturate to
   int8) and the int16 tensors of the shiftaccel.int16.* metadata rounded as
   the integer model rounds (ties up) and saturated, it gives exactly the
   integer model's logits: the export's tie-breaking Adds make ONNX's
   rounding the integer model's, and float64 holds every accumulator.
Prints one "ok"/"not ok" line per check; exits 1 if any failed.
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def pad4(x, pads, value):
    t, l, b, r = pads
    return np.pad(x, ((0, 0), (0, 0), (t, b), (l, r)), constant_values=value)


def windows(x, kh, kw, sh, sw, dh=1, dw=1):
    """x [N,C,H,W] -> [N,C,OH,OW,kh,kw] views of each window."""
    n, c, h, w = x.shape
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    out = np.empty((n, c, oh, ow, kh, kw), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out[..., i, j] = x[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh,
                               j * dw:j * dw + sw * (ow - 1) + 1:sw]
    return out


def conv(x, w, b, a):
    kh, kw = w.shape[2:]
    s = a.get("strides", [1, 1])
    d = a.get("dilations", [1, 1])
    g = a.get("group", 1)
    win = windows(pad4(x, a.get("pads", [0] * 4), 0.0), kh, kw, s[0], s[1], d[0], d[1])
    cin, cout = x.shape[1] // g, w.shape[0] // g
    outs = []
    for gi in range(g):
        xg = win[:, gi * cin:(gi + 1) * cin]
        wg = w[gi * cout:(gi + 1) * cout]
        outs.append(np.einsum("ncyxij,ocij->noyx", xg, wg))
    y = np.concatenate(outs, axis=1)
    return y if b is None else y + b.reshape(1, -1, 1, 1)


def pool(x, a, op):
    k, s = a["kernel_shape"], a.get("strides", [1, 1])
    value = -np.inf if op == "MaxPool" else 0.0
    win = windows(pad4(x, a.get("pads", [0] * 4), value), k[0], k[1], s[0], s[1])
    return win.max(axis=(4, 5)) if op == "MaxPool" else win.mean(axis=(4, 5))


def quantize(x, scale, zp):
    return np.clip(np.round(x / scale) + zp, -128, 127)  # np.round: half to even


def run(model, x, qdq):
    g = model.graph
    int16 = {p.key[len("shiftaccel.int16."):]: int(p.value) for p in model.metadata_props
             if p.key.startswith("shiftaccel.int16.")}
    v = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    v[g.input[0].name] = x
    if qdq and g.input[0].name in int16:  # an int16 input has no QDQ pair either
        e = 2.0 ** int16[g.input[0].name]
        v[g.input[0].name] = np.clip(np.floor(x / e + 0.5), -32768, 32767) * e
    for n in g.node:
        a, i = attrs(n), [v[name] if name else None for name in n.input]
        op = n.op_type
        if op == "Conv":
            y = conv(i[0], i[1], i[2] if len(i) > 2 else None, a)
        elif op == "Gemm":
            assert a.get("transB") == 1 and not a.get("transA")
            y = i[0] @ i[1].T + (i[2] if len(i) > 2 else 0)
        elif op in ("MaxPool", "AveragePool"):
            assert op == "MaxPool" or a.get("count_include_pad") == 1
            y = pool(i[0], a, op)
        elif op == "GlobalAveragePool":
            y = i[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Add" and n.name.endswith(":tie") and not qdq:
            y = i[0]  # the tie-breaker belongs to the rounding that QDQ does
        elif op == "Add":
            y = i[0] + i[1]
        elif op == "Concat":
            y = np.concatenate(i, axis=a["axis"])
        elif op == "Identity":
            y = i[0]
        elif op == "Flatten":
            y = i[0].reshape(i[0].shape[0], -1)
        elif op == "Relu":
            y = np.maximum(i[0], 0)
        elif op == "Clip":
            y = np.clip(i[0], i[1], i[2])
        elif op == "QuantizeLinear":
            y = quantize(i[0], i[1], i[2]) if qdq else i[0] / i[1]
        elif op == "DequantizeLinear":
            y = (i[0] - i[2]) * i[1]
        else:
            raise SystemExit("check_export.py: op %s not evaluated" % op)
        if qdq and n.output[0] in int16:  # what the metadata says the integer model does
            e = 2.0 ** int16[n.output[0]]
            y = np.clip(np.floor(y / e + 0.5), -32768, 32767) * e  # ties up, as it does
        v[n.output[0]] = y
    return v[g.output[0].name].reshape(-1)


def main():
    path, xin, yfloat, yint = sys.argv[1:5]
    model = onnx.load(path)
    failed = 0

    def report(ok, what):
        nonlocal failed
        failed += not ok
        print("%s - %s: %s" % ("ok" if ok else "not ok", path.split("/")[-1], what))

    try:
        onnx.checker.check_model(model, full_check=True)
        report(True, "onnx.checker accepts it")
    except Exception as e:  # noqa: BLE001 - any checker error fails the check
        report(False, "onnx.checker: %s" % e)
    pow2 = True
    for t in model.graph.initializer:
        if t.name.endswith(".weights") or t.name in [n.input[1] for n in model.graph.node
                                                    if n.op_type in ("Conv", "Gemm")]:
            w = np.abs(numpy_helper.to_array(t).astype(np.float64))
            nz = w[w != 0]
            pow2 &= bool(np.all(np.exp2(np.round(np.log2(nz))) == nz))
    report(pow2, "every weight is 0 or +-2^k")
    shape = [d.dim_value if d.HasField("dim_value") else -1  # the batch: any
             for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = np.fromfile(xin, dtype=np.float32).astype(np.float64).reshape(shape)
    ref = np.fromfile(yfloat, dtype=np.float32).astype(np.float64)
    got = run(model, x, qdq=False)
    err = np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-30)
    report(got.shape == ref.shape and err < 1e-4,
           "graph without QDQ = cpu-float (relative error %.2e)" % err)
    ref = np.fromfile(yint, dtype=np.float32).astype(np.float64)
    got = run(model, x, qdq=True)
    err = np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-30)
    report(got.shape == ref.shape and err == 0,
           "graph with QDQ = integer model (relative error %.2e)" % err)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
