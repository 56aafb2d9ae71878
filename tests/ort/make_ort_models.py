#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Models for the ONNX Runtime oracle test (tests/ort/test_ort.sh), made with
PyTorch (Debian's python3-torch, a test-time dependency only), random weights,
exported with torch.onnx.export at opset 13 with a free batch dimension.

Every conv/fc weight is exactly 0 or +-2^k, with the exponents of a layer
within 7 octaves (inside the 15 of a 5-bit code), every bias a multiple of
2^-8, and the one batch norm has a power-of-two scale (var + eps = 4^j), so
shiftaccel-convert keeps every weight and the converted .dsm is exactly the
network in the .onnx file.

For each model NAME it writes into OUT:
  NAME.onnx           the model
  NAME-images.idx3    N_IMAGES uint8 images (calibration, and the test inputs)
  NAME-labels.idx1    PyTorch's top-1 answers (only so --calib has labels)
  NAME-input.f32      the images normalised, (p/255 - MEAN)/STD, float32 NCHW:
                      what both ONNX Runtime and the float path get
  NAME-err.f64        per output, a bound on the float32 rounding error of
                      any summation order (error_bound(), float64;
                      docs/numerics.md section 13)
  NAME-gamma.txt      G = sum over the network's summing layers of
                      gamma(n + 3) = (n + 3)u / (1 - (n + 3)u), u = 2^-24,
                      n the number of terms the layer adds per output
and models.txt: "NAME C H W" per model.
"""
import copy
import struct
import sys

import numpy as np
import torch
from torch import nn

MEAN, STD = 0.25, 0.5
N_IMAGES = 128
CLASSES = 10
U = 2.0 ** -24


class ConvMix(nn.Module):
    """Strides, padding, dilation, groups, depthwise, ReLU6, max and average pool, Gemm."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),                 # 32 -> 16
            nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8), nn.ReLU6(),    # depthwise
            nn.Conv2d(8, 16, 3, padding=1, groups=2), nn.ReLU(),                # grouped
            nn.MaxPool2d(2),                                                    # 16 -> 8
            nn.Conv2d(16, 16, 1), nn.ReLU(),                                    # pointwise
            nn.AvgPool2d(2),                                                    # 8 -> 4
            nn.Conv2d(16, 16, (3, 1), stride=(1, 2), padding=(1, 0)), nn.ReLU())  # 4x4 -> 4x2
        self.fc = nn.Linear(16 * 4 * 2, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class ResidualBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(c, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=1)
        self.r1, self.r2 = nn.ReLU(), nn.ReLU()

    def forward(self, x):
        return self.r2(self.c2(self.r1(self.c1(x))) + x)


class Residual(nn.Module):
    """Residual adds, a strided conv, global average pool, MatMul + Add head."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU6())
        self.b1 = ResidualBlock(8)
        self.down = nn.Sequential(nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU())  # 16 -> 8
        self.b2 = ResidualBlock(16)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.w = nn.Parameter(torch.zeros(16, CLASSES))
        self.b = nn.Parameter(torch.zeros(CLASSES))

    def forward(self, x):
        x = self.gap(self.b2(self.down(self.b1(self.stem(x)))))
        return torch.matmul(torch.flatten(x, 1), self.w) + self.b


class MLP(nn.Module):
    """Flatten, Gemm-ReLU twice, Gemm."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 64), nn.ReLU(),
                                 nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, CLASSES))

    def forward(self, x):
        return self.net(x)


class ConvBN(nn.Module):
    """Conv + batch norm whose fold keeps +-2^k, padded max pool (ceil-free), average pool.
    (A padded average pool exports as Pad + AveragePool, which the importer refuses.)"""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 5, padding=2), nn.BatchNorm2d(8, eps=2.0 ** -10), nn.ReLU(),
            nn.MaxPool2d(3, stride=2, padding=1),                               # 28 -> 14
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
            nn.AvgPool2d(2))                                                    # 14 -> 7
        self.fc = nn.Linear(8 * 7 * 7, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


# name, model class, input size (1 channel: the calibration data are idx files)
MODELS = (("conv_mix", ConvMix, 32), ("residual", Residual, 32), ("mlp", MLP, 28),
          ("conv_bn", ConvBN, 28))


def pow2_(t, fan_in, rng, zeros=0.05):
    """Fills t with 0 or +-2^k, k in [top - 6, top], top near He scale."""
    top = int(np.round(np.log2(2.0 / np.sqrt(fan_in)))) + 1
    k = rng.integers(top - 6, top + 1, t.shape)
    sign = rng.choice([-1.0, 0.0, 1.0], t.shape, p=[(1 - zeros) / 2, zeros, (1 - zeros) / 2])
    t.copy_(torch.from_numpy((sign * np.exp2(k)).astype(np.float32)))


def dyadic_(t, rng, scale=0.1):
    """Biases: multiples of 2^-8, exact at every accumulator scale the converter picks."""
    t.copy_(torch.from_numpy((np.round(rng.normal(0, scale, t.shape) * 256) / 256).astype(np.float32)))


def randomise(model, rng):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                pow2_(m.weight, m.weight[0].numel(), rng)
                if m.bias is not None:
                    dyadic_(m.bias, rng)
            elif isinstance(m, nn.BatchNorm2d):
                # gamma / sqrt(var + eps) = +-2^i / 2^j exactly: var = 4^j - eps.
                j = rng.integers(-1, 2, m.num_features)
                m.running_var.copy_(torch.from_numpy((4.0 ** j - m.eps).astype(np.float32)))
                m.weight.copy_(torch.from_numpy(
                    (rng.choice([-1.0, 1.0], m.num_features) * np.exp2(rng.integers(-1, 2, m.num_features)))
                    .astype(np.float32)))
                dyadic_(m.running_mean, rng)
                dyadic_(m.bias, rng)
        if isinstance(model, Residual):
            pow2_(model.w, 16, rng)
            dyadic_(model.b, rng)


def absolute(model):
    """The network with |W|, |b|, and activations replaced by the identity, in
    float64: how far an error can grow through each layer (error_bound())."""
    a = copy.deepcopy(model).double()
    with torch.no_grad():
        for name, m in list(a.named_modules()):
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.abs_()
                if m.bias is not None:
                    m.bias.abs_()
            elif isinstance(m, nn.BatchNorm2d):
                s = m.weight / torch.sqrt(m.running_var + m.eps)
                m.bias.copy_((m.bias - s * m.running_mean).abs())
                m.running_mean.zero_()
                m.weight.abs_()
        for p in (getattr(a, "w", None), getattr(a, "b", None)):
            if p is not None:
                p.data.abs_()
        for parent in a.modules():
            for cname, child in parent.named_children():
                if isinstance(child, (nn.ReLU, nn.ReLU6)):
                    setattr(parent, cname, nn.Identity())
    return a


def gamma(n):
    return n * U / (1 - n * U)


def error_bound(model, x):
    """A bound on |float32 result - exact result| for every output, to first
    order in u (docs/numerics.md 13): the error E runs through the absolute
    network (|W| E: how an input error can grow), and each summing layer adds
    gamma(n + 3) * (|W| |x| + |b|) on its actual inputs x, recorded from the
    exact (float64) network; ReLU, ReLU6 and max pooling are 1-Lipschitz, so E
    passes them as is (max pooling: the window's largest E)."""
    exact = copy.deepcopy(model).double()
    seen = {}

    def record(name):
        return lambda m, inp, out: seen.__setitem__(name, inp[0].abs())

    hs = [m.register_forward_hook(record(n)) for n, m in exact.named_modules()
          if isinstance(m, (nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d))
          or n.endswith("r2")]
    with torch.no_grad():
        exact(torch.from_numpy(x).double())
    for h in hs:
        h.remove()
    a = absolute(model)

    def grow(name):
        def hook(m, inp, out):
            ax = seen[name]
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                b = m.bias.view(1, -1, *([1] * (out.dim() - 2))) if m.bias is not None else 0
                return out - b + gamma(m.weight[0].numel() + 3) * m.forward(ax)
            if isinstance(m, nn.BatchNorm2d):  # |s| E + gamma(3) (|s| |x| + |s mean| + |beta|)
                s = (m.weight / torch.sqrt(m.running_var + m.eps)).view(1, -1, 1, 1)
                shift = m.bias.view(1, -1, 1, 1)  # absolute(): |beta - s mean| <= |s mean| + |beta|
                return out - shift + gamma(3) * (s * ax + s * model_bn_mean[name].abs().view(1, -1, 1, 1)
                                                 + model_bn_beta[name].abs().view(1, -1, 1, 1))
            if isinstance(m, nn.AvgPool2d):
                k = m.kernel_size if isinstance(m.kernel_size, tuple) else (m.kernel_size,) * 2
                return out + gamma(k[0] * k[1]) * m.forward(ax)
            if isinstance(m, nn.AdaptiveAvgPool2d):
                return out + gamma(ax.shape[2] * ax.shape[3]) * m.forward(ax)
            return out + U * ax  # the residual add before r2: one rounding of |a + b|
        return hook

    model_bn_mean = {n: m.running_mean.double() for n, m in model.named_modules()
                     if isinstance(m, nn.BatchNorm2d)}
    model_bn_beta = {n: m.bias.detach().double() for n, m in model.named_modules()
                     if isinstance(m, nn.BatchNorm2d)}
    for n, m in a.named_modules():
        if n in seen:
            m.register_forward_hook(grow(n))
    with torch.no_grad():
        e = a(torch.zeros(x.shape, dtype=torch.float64))
        if isinstance(model, Residual):  # the MatMul + Add head: E |w| + gamma(n + 1)(|x| |w| + |b|)
            gx = torch.flatten(seen_gap(exact, x), 1)
            e = e - a.b + gamma(a.w.shape[0] + 3) * (gx @ a.w + a.b)
    return e.numpy()


def seen_gap(exact, x):
    """The exact network's global average pool output, |.| (the MatMul head's input)."""
    got = {}
    h = exact.gap.register_forward_hook(lambda m, i, o: got.__setitem__("g", o.abs()))
    with torch.no_grad():
        exact(torch.from_numpy(x).double())
    h.remove()
    return got["g"]


def gamma_sum(model, c, size):
    """G: gamma(n + 3) summed over every layer that adds n terms per output (+3:
    a bias, a batch norm's two operations), residual adds counted with n = 2."""
    total = 0.0
    terms = []

    def hook(m, inp, out):
        x = inp[0]
        if isinstance(m, nn.Conv2d):
            n = m.weight[0].numel()
        elif isinstance(m, nn.Linear):
            n = m.in_features
        elif isinstance(m, (nn.AvgPool2d, nn.MaxPool2d)):
            k = m.kernel_size if isinstance(m.kernel_size, tuple) else (m.kernel_size,) * 2
            n = k[0] * k[1]
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            n = x.shape[2] * x.shape[3]
        elif isinstance(m, ResidualBlock):
            n = 2
        elif isinstance(m, Residual):
            n = m.w.shape[0]  # the MatMul head
        else:
            return
        terms.append(n)

    hs = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model(torch.zeros(1, c, size, size))
    for h in hs:
        h.remove()
    for n in terms:
        total += (n + 3) * U / (1 - (n + 3) * U)
    return total


def images(size, n, rng):
    """Smooth random patterns with noise, light on dark like the digits."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    out = np.zeros((n, 1, size, size), dtype=np.uint8)
    for i in range(n):
        p = np.zeros((size, size))
        for _ in range(3):
            fx, fy, ph = rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0), rng.uniform(0, 6.3)
            p += np.sin(2 * np.pi * (fx * xx + fy * yy) + ph)
        p = (p - p.min()) / (p.max() - p.min()) + rng.normal(0, 0.1, p.shape)
        out[i, 0] = np.clip(p * 255, 0, 255).astype(np.uint8)
    return out


def write_idx(out, name, x, labels):
    n, _, h, w = x.shape
    with open(f"{out}/{name}-images.idx3", "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, h, w) + x.tobytes())
    with open(f"{out}/{name}-labels.idx1", "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + np.asarray(labels, dtype=np.uint8).tobytes())


def main():
    out = sys.argv[1]
    torch.manual_seed(14)
    torch.set_num_threads(1)
    rng = np.random.default_rng(14)
    listing = []
    for name, cls, size in MODELS:
        model = cls()
        randomise(model, rng)
        model.eval()
        x8 = images(size, N_IMAGES, rng)
        x = ((x8.astype(np.float32) / np.float32(255) - np.float32(MEAN)) / np.float32(STD)).astype("<f4")
        with torch.no_grad():
            logits = model(torch.from_numpy(x)).numpy()
        err = error_bound(model, x)
        write_idx(out, name, x8, logits.argmax(1))
        x.tofile(f"{out}/{name}-input.f32")
        err.astype("<f8").tofile(f"{out}/{name}-err.f64")
        with open(f"{out}/{name}-gamma.txt", "w") as f:
            f.write(f"{gamma_sum(model, 1, size):.10e}\n")
        torch.onnx.export(model, torch.from_numpy(x[:1]), f"{out}/{name}.onnx", opset_version=13,
                          input_names=["image"], output_names=["logits"],
                          dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
        listing.append(f"{name} 1 {size} {size}")
    with open(f"{out}/models.txt", "w") as f:
        f.write("\n".join(listing) + "\n")


if __name__ == "__main__":
    main()
