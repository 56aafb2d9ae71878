#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The DeepShift paper's Table 3 architectures, as torchvision 0.14 defines them,
exported to ONNX for shiftaccel-convert's sweep test (tests/convert/test_tv_nets.sh)
and bench (bench/tv_nets.sh).  Debian's python3-torch / python3-torchvision, a
test-time dependency only; architectures only, random weights (weights=None,
fixed seeds), nothing is downloaded.

    make_tv_models.py OUT --size S [NAME...]      (no NAME: every architecture)

OUT gets, made once each and renamed into place whole (a temporary directory
beside it, then rename), so a killed run leaves nothing half-written:
  calib-S/a/*.png, calib-S/b/*.png   8 RGB calibration images of SxS: shapes and
                                     gradients drawn with a fixed seed
  calib-S/labels.txt                 1000 class names, "class-0" ... "class-999"
  NAME-S/NAME.onnx                   the network in eval mode, opset 13, input
                                     1x3xSxS fixed
  NAME-S/logits.f32                  PyTorch's logits for the calibration images
                                     (in the order pngdir reads them: folder, then
                                     file name), normalised with ImageNet's
                                     MEAN/STD below; 8 x 1000 little-endian floats
  NAME-S/torch-float32-error         the largest relative difference of those
                                     logits from PyTorch's float64 ones

VGG and AlexNet end their features with AdaptiveAvgPool2d to 7x7 (AlexNet 6x6).
At a small input the features are smaller than that and the pool replicates
(or averages neighbouring) values, which ONNX export cannot write.  The pool is
a fixed linear map P from the features' HxW plane to the 7x7 one, and it is
followed by the first Linear layer, so Linear(W) after the pool is exactly
Linear(W') on the features themselves with W'[o, c, j] = sum_i W[o, c, i] * P[i, j]
(at a 1x1 plane: the first layer's weights summed over the 49 positions).  The
maker writes that variant (Identity pool, Linear(C*H*W, 4096)) and checks with
PyTorch that it answers what the original model answers at that input (prints
the largest difference; fails above 1e-4 relative).

Batch norm layers get random running statistics and affine parameters (at
initialisation they are the identity), so the importer's fold is exercised, and
biases small random values instead of zeros (look_trained below says why).
"""
import copy
import os
import shutil
import struct
import sys
import tempfile
import zlib

import numpy as np
import torch
import torchvision
from torch import nn

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
N_IMAGES = 8
CLASSES = 1000

# name -> constructor; every Table 3 architecture torchvision 0.14 has.
ARCHS = {
    **{f"vgg{d}": getattr(torchvision.models, f"vgg{d}") for d in (11, 13, 16, 19)},
    **{f"vgg{d}_bn": getattr(torchvision.models, f"vgg{d}_bn") for d in (11, 13, 16, 19)},
    "alexnet": torchvision.models.alexnet,
    **{f"densenet{d}": getattr(torchvision.models, f"densenet{d}")
       for d in (121, 161, 169, 201)},
    **{f"resnet{d}": getattr(torchvision.models, f"resnet{d}") for d in (18, 34, 50, 101, 152)},
    "mobilenet_v2": torchvision.models.mobilenet_v2,
    "squeezenet1_0": torchvision.models.squeezenet1_0,
    "squeezenet1_1": torchvision.models.squeezenet1_1,
    # Aux classifiers only run in training mode; transform_input is False by default
    # without weights, said here to be sure.
    "googlenet": lambda **kw: torchvision.models.googlenet(aux_logits=False, transform_input=False,
                                                           init_weights=True, **kw),
}


def png(path, rgb):
    """An 8-bit RGB PNG (H x W x 3 uint8), written with zlib alone."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\0" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def draw(size, rng):
    """A colour gradient with a few filled discs and rectangles."""
    y, x = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    t = (x * rng.uniform(-1, 1) + y * rng.uniform(-1, 1)) % 1.0
    img = c0[None, None, :] * (1 - t[..., None]) + c1[None, None, :] * t[..., None]
    for _ in range(rng.integers(2, 5)):
        colour = rng.uniform(0, 255, 3)
        cx, cy, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.1, 0.3)
        if rng.random() < 0.5:
            mask = (x - cx) ** 2 + (y - cy) ** 2 < r * r
        else:
            mask = (abs(x - cx) < r) & (abs(y - cy) < r * rng.uniform(0.3, 1))
        img[mask] = colour
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def calib_images(size):
    """The 8 images as uint8 HxWx3, in pngdir's order (folder a, then b; file names)."""
    rng = np.random.default_rng(size)
    return [draw(size, rng) for _ in range(N_IMAGES)]


def normalised(images):
    x = torch.tensor(np.stack(images), dtype=torch.float32).permute(0, 3, 1, 2) / 255.0
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def publish(tmp, final):
    """Renames a finished temporary directory into place (another maker may have won)."""
    try:
        os.rename(tmp, final)
    except OSError:
        if not os.path.isdir(final):
            raise
        shutil.rmtree(tmp)


def make_calib(out, size):
    final = os.path.join(out, f"calib-{size}")
    if os.path.isdir(final):
        return
    tmp = tempfile.mkdtemp(prefix=".calib-", dir=out)
    os.chmod(tmp, 0o755)
    for cls in ("a", "b"):
        os.mkdir(os.path.join(tmp, cls))
    for i, img in enumerate(calib_images(size)):
        png(os.path.join(tmp, "a" if i < N_IMAGES // 2 else "b", f"{i}.png"), img)
    with open(os.path.join(tmp, "labels.txt"), "w") as f:
        f.writelines(f"class-{c}\n" for c in range(CLASSES))
    publish(tmp, final)


def look_trained(model, gen, x):
    """Batch norm statistics and biases where initialisation leaves constants.

    Freshly initialised, batch norm is the identity and biases are zero; trained
    models are neither, and equal zero biases would be merged by the exporter into
    one initializer read through Identity nodes, which no trained model has.
    Batch norm gets the statistics of the images x (as training leaves them) and
    random scales and shifts: with made-up statistics instead, a deep network's
    activations grow without bound (ResNet-152's logits reached 1e10, where
    PyTorch's own float32 and float64 answers differ by 1%).
    """
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None:
            m.bias.data.copy_(torch.randn(m.bias.shape, generator=gen) * 0.01)
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            m.weight.data.copy_(torch.rand(n, generator=gen) * 0.5 + 0.5)
            m.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)
            m.reset_running_stats()
            m.momentum = None  # a plain average over the batches below
    model.train()
    with torch.no_grad():
        model(x)
    model.eval()


def pool_matrix(pool, h, w):
    """The adaptive pool as a matrix P: (oh*ow) x (h*w), from its answers to unit planes."""
    basis = torch.eye(h * w).view(h * w, 1, h, w)
    with torch.no_grad():
        return pool(basis).flatten(1).t()  # [oh*ow, h*w]


def fold_adaptive_pool(model, size):
    """VGG/AlexNet: the Identity-pool variant whose first Linear absorbs the pool."""
    with torch.no_grad():
        feat = model.features(torch.zeros(1, 3, size, size))
    c, h, w = feat.shape[1:]
    first = model.classifier[1] if isinstance(model.classifier[0], nn.Dropout) else \
        model.classifier[0]
    p = pool_matrix(model.avgpool, h, w)
    wt = first.weight.data.view(first.out_features, c, p.shape[0])
    folded = nn.Linear(c * h * w, first.out_features)
    with torch.no_grad():
        folded.weight.copy_(torch.einsum("oci,ij->ocj", wt.double(), p.double())
                            .reshape(first.out_features, c * h * w).float())
        folded.bias.copy_(first.bias)
    variant = copy.deepcopy(model)
    variant.avgpool = nn.Identity()
    variant.classifier[list(model.classifier).index(first)] = folded
    return variant


def make_model(out, name, size, images):
    final = os.path.join(out, f"{name}-{size}")
    if os.path.isdir(final):
        return
    torch.manual_seed(1905)  # arXiv 1905.13298
    gen = torch.Generator().manual_seed(13)
    model = ARCHS[name](weights=None)
    x = normalised(images)
    look_trained(model, gen, x)
    with torch.no_grad():
        want = model(x)
    if name.startswith(("vgg", "alexnet")):
        model = fold_adaptive_pool(model, size).eval()
        with torch.no_grad():
            got = model(x)
        diff = ((got - want).abs() / (1 + want.abs())).max().item()
        print(f"{name}: adaptive pool folded into the first Linear, largest relative "
              f"difference {diff:.3g}")
        if diff > 1e-4:
            sys.exit(f"{name}: the folded variant differs from the original by {diff}")
        want = got
    tmp = tempfile.mkdtemp(prefix=f".{name}-", dir=out)
    os.chmod(tmp, 0o755)
    torch.onnx.export(model, torch.zeros(1, 3, size, size), os.path.join(tmp, f"{name}.onnx"),
                      opset_version=13, input_names=["input"], output_names=["logits"],
                      do_constant_folding=True)
    want.numpy().astype("<f4").tofile(os.path.join(tmp, "logits.f32"))
    # How far PyTorch's own float32 answer is from the exact one (float64): deep
    # networks with random weights lose more than LOGIT_BOUND to rounding alone.
    with torch.no_grad():
        exact = copy.deepcopy(model).double()(x.double())
    err = ((want.double() - exact).abs() / (1 + exact.abs())).max().item()
    with open(os.path.join(tmp, "torch-float32-error"), "w") as f:
        f.write(f"{err:.6g}\n")
    publish(tmp, final)
    mib = os.path.getsize(os.path.join(final, f"{name}.onnx")) >> 20
    print(f"{name}: {mib} MiB at {size}x{size}")


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != "--size":
        sys.exit(__doc__)
    out, size, names = args[0], int(args[2]), args[3:] or list(ARCHS)
    unknown = [n for n in names if n not in ARCHS]
    if unknown:
        sys.exit(f"unknown architecture(s) {unknown}; known: {' '.join(ARCHS)}")
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    make_calib(out, size)
    images = calib_images(size)
    for name in names:
        make_model(out, name, size, images)


if __name__ == "__main__":
    main()
