#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""ONNX files for the reader's tests, made with the onnx package (Debian's
python3-onnx, a test-time dependency only) and a manifest of what the reader
must say about each, computed here and not by the code under test:

    file <TAB> expected status <TAB> detail

For "ok" the detail is ops=Op,Op,...;input=d0xd1x..;inits=N;sum=S (S the sum
of every float initializer, to check the weights arrive intact); otherwise it
is a piece of text the error message must contain.

    make_models.py OUTDIR
"""
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
rng = np.random.default_rng(1905)
manifest = []


def weights(name, *shape, raw=True):
    a = rng.standard_normal(shape).astype(np.float32)
    t = numpy_helper.from_array(a, name)
    if not raw:  # the float_data encoding some exporters use
        t = helper.make_tensor(name, TensorProto.FLOAT, shape, a.flatten().tolist())
    return t, a


def image(shape):
    return helper.make_tensor_value_info("image", TensorProto.FLOAT, shape)


def save(name, model, expect, detail, check=True):
    if check:
        onnx.checker.check_model(model)
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    manifest.append((name, expect, detail))
    return path


def model(nodes, inits, shape, outputs=("out",), opset=13, **kw):
    g = helper.make_graph(nodes, "g", [image(shape)],
                          [helper.make_tensor_value_info(o, TensorProto.FLOAT, [None, None]) for o in outputs],
                          [t[0] if isinstance(t, tuple) else t for t in inits])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], **kw)


def ok(name, m, shape):
    ops = ",".join(n.op_type for n in m.graph.node)
    total = sum(float(numpy_helper.to_array(t).astype(np.float64).sum())
                for t in m.graph.initializer if t.data_type == TensorProto.FLOAT)
    dims = "x".join(str(d) if isinstance(d, int) else "?" for d in shape)
    save(name, m, "ok", f"ops={ops};input={dims};inits={len(m.graph.initializer)};sum={total:.6f}")


# A small CNN with every op of the table, as a PyTorch export would write it.
w1, _ = weights("w1", 8, 3, 3, 3)
b1, _ = weights("b1", 8)
bn = [weights(f"bn_{p}", 8) for p in ("scale", "bias", "mean")]
bn_var = numpy_helper.from_array(rng.uniform(0.5, 2, 8).astype(np.float32), "bn_var")
dw, _ = weights("dw", 8, 1, 3, 3, raw=False)
w2, _ = weights("w2", 10, 8 * 4 * 4)
b2, _ = weights("b2", 10)
shape_c = numpy_helper.from_array(np.array([1, -1], dtype=np.int64), "shape")
lo = numpy_helper.from_array(np.array(0, dtype=np.float32), "lo")
hi = numpy_helper.from_array(np.array(6, dtype=np.float32), "hi")
inits = [w1, b1, *bn, bn_var, dw, w2, b2, shape_c, lo, hi]
nodes = [
    helper.make_node("Conv", ["image", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1], strides=[1, 1]),
    helper.make_node("BatchNormalization", ["c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"],
                     ["n1"], name="bn1", epsilon=1e-5),
    helper.make_node("Relu", ["n1"], ["r1"]),
    helper.make_node("Conv", ["r1", "dw"], ["d1"], name="depthwise", group=8, pads=[1, 1, 1, 1]),
    helper.make_node("Clip", ["d1", "lo", "hi"], ["r6"], name="relu6"),
    helper.make_node("Add", ["r6", "r1"], ["s1"], name="residual"),
    helper.make_node("MaxPool", ["s1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("AveragePool", ["p1"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Concat", ["p2", "p2"], ["cat"], axis=1),
    helper.make_node("Conv", ["cat", "w1"], ["c2"], name="conv2", kernel_shape=[3, 3],
                     pads=[1, 1, 1, 1]),
    helper.make_node("GlobalAveragePool", ["p2"], ["gap"]),
    helper.make_node("Reshape", ["p2", "shape"], ["flat"]),
    helper.make_node("Dropout", ["flat"], ["drop"]),
    helper.make_node("Gemm", ["drop", "w2", "b2"], ["logits"], transB=1),
    helper.make_node("Identity", ["logits"], ["id"]),
    helper.make_node("Flatten", ["gap"], ["gflat"], axis=1),
    helper.make_node("MatMul", ["gflat", "gflat_w"], ["mm"]),
    helper.make_node("Softmax", ["id"], ["out"], axis=1),
]
mm_w, _ = weights("gflat_w", 8, 5)
inits.append(mm_w)
cnn = model(nodes, inits, [1, 3, 16, 16])
ok("cnn_every_op.onnx", cnn, [1, 3, 16, 16])

# A free batch dimension and LogSoftmax at opset 11 and 17 (the ends of the range).
for opset in (11, 17):
    m = model([helper.make_node("Gemm", ["image", "w", "b"], ["y"], transB=1),
               helper.make_node("LogSoftmax", ["y"], ["out"])],
              [weights("w", 4, 6), weights("b", 4)], ["N", 6], opset=opset)
    ok(f"fc_opset{opset}.onnx", m, ["N", 6])


# An initializer with no elements, as typed data (found by the fuzzer: no data pointer at all).
m = model([helper.make_node("Gemm", ["image", "w"], ["out"], transB=1)],
          [weights("w", 4, 6), helper.make_tensor("empty", TensorProto.FLOAT, [0], [])], [1, 6])
ok("empty_initializer.onnx", m, [1, 6])


def bad(name, m, expect, text, check=False):
    save(name, m, expect, text, check=check)


def fc(opset=13, op="Relu", **attrs):
    return model([helper.make_node("Gemm", ["image", "w"], ["y"], transB=1),
                  helper.make_node(op, ["y"], ["out"], name="the_node", **attrs)],
                 [weights("w", 4, 6)], [1, 6], opset=opset)


# Refused, naming what: ops, opsets, attributes, types.
bad("op_sigmoid.onnx", fc(op="Sigmoid"), "SA_ERR_UNSUPPORTED",
    "node 'the_node' (Sigmoid, opset 13): op Sigmoid is not supported")
bad("constant_float.onnx",
    model([helper.make_node("Constant", [], ["k"], name="k", value_float=2.0),
           helper.make_node("Gemm", ["image", "w"], ["out"], transB=1)],
          [weights("w", 4, 6)], [1, 6]),
    "SA_ERR_UNSUPPORTED", "node 'k' (Constant, opset 13): only a Constant with one 'value' tensor")
bad("pad_reflect.onnx", fc(op="Pad", mode="reflect"), "SA_ERR_UNSUPPORTED",
    "node 'the_node' (Pad, opset 13): only constant padding is supported")
bad("opset10.onnx", fc(opset=10), "SA_ERR_UNSUPPORTED", "opset 10; the importer reads opsets 11 to 17")
bad("opset18.onnx", fc(opset=18), "SA_ERR_UNSUPPORTED", "opset 18")
bad("conv1d.onnx",
    model([helper.make_node("Conv", ["image", "w"], ["out"], name="c", kernel_shape=[3])],
          [weights("w", 2, 3, 3)], [1, 3, 8]),
    "SA_ERR_UNSUPPORTED", "only 2-D operations")
bad("same_pad.onnx",
    model([helper.make_node("Conv", ["image", "w"], ["out"], name="c", auto_pad="SAME_UPPER")],
          [weights("w", 2, 3, 3, 3)], [1, 3, 8, 8]),
    "SA_ERR_UNSUPPORTED", "auto_pad SAME_UPPER is not supported")
bad("unknown_attr.onnx", fc(op="Relu", frobnicate=1), "SA_ERR_UNSUPPORTED",
    "attribute 'frobnicate' is not supported")
bad("bn_training.onnx",
    model([helper.make_node("BatchNormalization", ["image", "s", "b", "m", "v"],
                            ["out", "rm", "rv"], name="bn", training_mode=1)],
          [weights(n, 3) for n in "sbmv"], [1, 3, 4, 4], opset=15),
    "SA_ERR_UNSUPPORTED", "3 outputs")
t = helper.make_tensor("w", TensorProto.DOUBLE, [4, 6], [0.5] * 24)
bad("double_weights.onnx",
    model([helper.make_node("Gemm", ["image", "w"], ["out"], transB=1)], [(t, None)], [1, 6]),
    "SA_ERR_UNSUPPORTED", "initializer 'w' has element type 11")
m = fc()
m.graph.node[1].domain = "com.microsoft"
bad("custom_domain.onnx", m, "SA_ERR_UNSUPPORTED", "operator domain 'com.microsoft'")
m = fc()
m.graph.input.append(helper.make_tensor_value_info("second", TensorProto.FLOAT, [1, 6]))
bad("two_inputs.onnx", m, "SA_ERR_UNSUPPORTED", "more than one input")
m = fc()
m.graph.initializer[0].data_location = TensorProto.EXTERNAL
bad("external_data.onnx", m, "SA_ERR_UNSUPPORTED", "external file")

# Malformed: ONNX itself forbids these.
m = fc()
m.graph.node[1].input[0] = "nowhere"
bad("dangling_input.onnx", m, "SA_ERR_BAD_MODEL", "input 'nowhere' is not defined before the node")
m = fc()
m.graph.node.reverse()
bad("not_topological.onnx", m, "SA_ERR_BAD_MODEL", "topological order")
m = fc()
m.graph.node[1].output[0] = "y"
bad("output_twice.onnx", m, "SA_ERR_BAD_MODEL", "node output 'y' is defined twice")
m = fc()
m.graph.initializer[0].raw_data = m.graph.initializer[0].raw_data[:-4]
bad("short_raw_data.onnx", m, "SA_ERR_BAD_MODEL", "holds 92 bytes for 24 elements")
m = fc()
del m.graph.initializer[0].dims[:]
m.graph.initializer[0].dims.extend([1 << 20, 1 << 20])
bad("huge_dims.onnx", m, "SA_ERR_BAD_MODEL", "more than 1073741824 elements")
m = fc()
m.graph.output[0].name = "missing"
bad("output_missing.onnx", m, "SA_ERR_BAD_MODEL", "graph output 'missing' is computed by no node")
m = fc()
del m.opset_import[:]
bad("no_opset.onnx", m, "SA_ERR_BAD_MODEL", "imports no opset")
m = fc(op="Concat")  # no axis
bad("concat_no_axis.onnx", m, "SA_ERR_BAD_MODEL", "Concat needs an axis")

# Bytes that are no protobuf at all, and a truncated model.
good = cnn.SerializeToString()
for name, data in (("png_header.onnx", b"\x89PNG\r\n\x1a\n" + bytes(40)),
                   ("truncated.onnx", good[: len(good) // 2]),
                   ("empty.onnx", b"")):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    manifest.append((name, "SA_ERR_BAD_MODEL", "not an ONNX model"))

with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
    for row in manifest:
        f.write("\t".join(row) + "\n")
print(f"{len(manifest)} ONNX fixtures in {OUT}")
