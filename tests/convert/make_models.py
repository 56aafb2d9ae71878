#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Test models for shiftaccel-convert, made with PyTorch (Debian's python3-torch,
a test-time dependency only) and exported with torch.onnx.export at opset 13.

For each model NAME it writes into OUT:
  NAME.onnx                the model
  NAME-images.idx3         256 uint8 test images, "random but structured": one of
                           10 smooth class patterns, shifted, scaled and noisy
  NAME-torch.idx1          PyTorch's own top-1 answer for each image (the oracle)
  NAME-logits.f32          PyTorch's logits (256 x 10 little-endian floats)
The networks are trained for a few steps on such images so that their answers
spread over the classes with realistic margins (random weights answer one class).
Inputs are normalised with MEAN and STD below, which the test passes to
shiftaccel-convert.

Models: simple_cnn, resnet, torch_example (ReLU after max pool, log_softmax);
branches (GoogLeNet-like), dense_like (DenseNet-like), squeeze_like
(SqueezeNet-like), for Concat, standalone batch norm, ceil_mode max pools,
average pools of areas 9 and 49, and a pooled ReLU output.
Also: pow2.onnx, a network whose weights are all +-2^k or 0 (what DeepShift
reference models export), with pow2-weights.txt listing every conv/fc weight as
"layer index value" in the ONNX order; and models the converter must refuse:
concat_height.onnx (Concat along the height), avgpool_exclude_pad.onnx
(count_include_pad=0 with padding), sigmoid.onnx.
"""
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

# The ResNet basic block of the benchmark's PyTorch peer (conv-bn-relu, conv-bn, + shortcut).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../bench"))
from torch_peer import BasicBlock  # noqa: E402

MEAN, STD = 0.25, 0.5
N_IMAGES = 256
CLASSES = 10


def patterns(c, size, rng):
    """10 smooth class patterns of c x size x size in [0, 1]."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    pats = []
    for k in range(CLASSES):
        p = np.zeros((c, size, size))
        for ch in range(c):
            for _ in range(3):
                fx, fy, ph = rng.uniform(0.5, 3.0), rng.uniform(0.5, 3.0), rng.uniform(0, 6.3)
                p[ch] += np.sin(2 * np.pi * (fx * xx + fy * yy) + ph)
        p = (p - p.min()) / (p.max() - p.min())
        pats.append(p)
    return pats


def images(c, size, n, rng, pats):
    labels = rng.integers(0, CLASSES, n)
    out = np.zeros((n, c, size, size), dtype=np.uint8)
    for i, k in enumerate(labels):
        p = np.roll(pats[k], (rng.integers(-2, 3), rng.integers(-2, 3)), axis=(1, 2))
        p = p * rng.uniform(0.6, 1.0) + rng.normal(0, 0.15, p.shape)
        out[i] = np.clip(p * 255, 0, 255).astype(np.uint8)
    return out, labels


def normalise(x):
    return (torch.from_numpy(x).float() / 255.0 - MEAN) / STD


def train(model, c, size, rng, pats, steps=60):
    x, y = images(c, size, 64 * steps, rng, pats)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for s in range(steps):
        xb, yb = normalise(x[s * 64:(s + 1) * 64]), torch.from_numpy(y[s * 64:(s + 1) * 64])
        opt.zero_grad()
        nn.functional.cross_entropy(model(xb), yb.long()).backward()
        opt.step()
    model.eval()


def write_idx3(path, x):
    n, c, h, w = x.shape
    assert c == 1  # idx3: one channel
    with open(path, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, h, w))
        f.write(x.tobytes())


def write_idx1(path, y):
    with open(path, "wb") as f:
        f.write(struct.pack(">II", 0x801, len(y)))
        f.write(np.asarray(y, dtype=np.uint8).tobytes())


def export(model, c, size, path):
    torch.onnx.export(model, torch.zeros(1, c, size, size), path, opset_version=13,
                      input_names=["image"], output_names=["logits"])


class SimpleCNN(nn.Module):
    """conv-bn-relu-maxpool twice, fc; 1 x 28 x 28 (the paper's Simple CNN, smaller)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 5, padding=2), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 5, padding=2), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(16 * 7 * 7, CLASSES)

    def forward(self, x):
        return self.fc(self.dropout(torch.flatten(self.features(x), 1)))


class SmallResNet(nn.Module):
    """Residual adds, a ReLU6, global average pool, MatMul + Add head; 1 x 32 x 32."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU6())
        self.blocks = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2),
                                    BasicBlock(32, 32, 2))
        self.w = nn.Parameter(torch.randn(32, CLASSES) / 6)
        self.b = nn.Parameter(torch.zeros(CLASSES))

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1)
        return torch.matmul(torch.flatten(x, 1), self.w) + self.b


class TorchExample(nn.Module):
    """In the style of PyTorch's MNIST example: ReLU after max pool, dropout,
    log_softmax at the output."""

    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 8, 3), nn.Conv2d(8, 16, 3)
        self.fc1, self.fc2 = nn.Linear(16 * 5 * 5, 32), nn.Linear(32, CLASSES)
        self.drop = nn.Dropout(0.25)

    def forward(self, x):
        x = torch.relu(nn.functional.max_pool2d(self.c1(x), 2))
        x = nn.functional.max_pool2d(torch.relu(self.c2(x)), 2)
        x = torch.relu(self.fc1(torch.flatten(self.drop(x), 1)))
        return nn.functional.log_softmax(self.fc2(x), dim=1)


class Pow2(nn.Module):
    """conv-relu-avgpool, conv-relu-maxpool, fc: weights set to +-2^k or 0 after init."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 8, 3, padding=1)
        self.c2 = nn.Conv2d(8, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 7 * 7, CLASSES)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.relu(self.c1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.c2(x)), 2)
        return self.fc(torch.flatten(x, 1))


def make_pow2(model, rng):
    """Every weight 0 or +-2^k with k in [top - 14, top] (15 levels: 5-bit codes)."""
    with torch.no_grad():
        for layer in (model.c1, model.c2, model.fc):
            w = layer.weight.numpy()
            top = int(np.floor(np.log2(np.abs(w).max())))
            k = rng.integers(top - 14, top + 1, w.shape)
            sign = rng.choice([-1.0, 0.0, 1.0], w.shape, p=[0.45, 0.1, 0.45])
            k.flat[0], sign.flat[0] = top, 1.0  # the top level is used
            layer.weight.copy_(torch.from_numpy((sign * np.exp2(k)).astype(np.float32)))


class Branches(nn.Module):
    """GoogLeNet-like: an inception block of 3 branches (1x1; 1x1-3x3; 3x3 average pool of
    area 9 - 1x1) joined by Concat, max pools with ceil_mode, a 7x7 global average pool."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, ceil_mode=True))  # 28 -> 14
        self.b1 = nn.Sequential(nn.Conv2d(8, 4, 1), nn.ReLU())
        self.b2 = nn.Sequential(nn.Conv2d(8, 4, 1), nn.ReLU(), nn.Conv2d(4, 6, 3, padding=1),
                                nn.ReLU())
        self.b3 = nn.Sequential(nn.AvgPool2d(3, 1, padding=1), nn.Conv2d(8, 4, 1), nn.ReLU())
        self.pool = nn.MaxPool2d(2, 2)  # 14 -> 7
        self.fc = nn.Linear(14, CLASSES)

    def forward(self, x):
        x = self.stem(x)
        x = torch.cat([self.b1(x), self.b2(x), self.b3(x)], 1)
        x = nn.functional.adaptive_avg_pool2d(self.pool(x), 1)  # 7x7: area 49
        return self.fc(torch.flatten(x, 1))


class DenseLike(nn.Module):
    """DenseNet-like: pre-activation batch norm (norm -> relu -> conv) on concatenated
    features, a transition with a 2x2 average pool, norm5 -> relu -> 7x7 pool -> fc."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False),
                                  nn.MaxPool2d(2))  # 28 -> 14
        self.layers = nn.ModuleList()
        for i in range(2):
            c = 8 + 4 * i
            self.layers.append(nn.Sequential(
                nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, 8, 1, bias=False),
                nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 3, padding=1, bias=False)))
        self.transition = nn.Sequential(nn.BatchNorm2d(16), nn.ReLU(),
                                        nn.Conv2d(16, 12, 1, bias=False), nn.AvgPool2d(2))
        self.norm5 = nn.BatchNorm2d(12)
        self.fc = nn.Linear(12, CLASSES)

    def forward(self, x):
        x = self.stem(x)
        for layer in self.layers:
            x = torch.cat([x, layer(x)], 1)
        x = torch.relu(self.norm5(self.transition(x)))  # 7x7
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


class SqueezeLike(nn.Module):
    """SqueezeNet-like: a fire module (squeeze 1x1, expand 1x1 and 3x3, Concat), a ceil_mode
    max pool (no partial window at this size), and conv -> relu -> GAP -> flatten as output."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2), nn.ReLU(),
                                  nn.MaxPool2d(3, 2, ceil_mode=True))  # 28 -> 13 -> 6
        self.squeeze = nn.Sequential(nn.Conv2d(8, 4, 1), nn.ReLU())
        self.e1 = nn.Sequential(nn.Conv2d(4, 8, 1), nn.ReLU())
        self.e3 = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.ReLU())
        self.classifier = nn.Sequential(nn.Dropout(0.5), nn.Conv2d(16, CLASSES, 1), nn.ReLU(),
                                        nn.AdaptiveAvgPool2d(1))

    def forward(self, x):
        x = self.squeeze(self.stem(x))
        x = torch.cat([self.e1(x), self.e3(x)], 1)
        return torch.flatten(self.classifier(x), 1)


class ConcatHeight(nn.Module):
    """Concat along the height: refused (only channels)."""

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Conv2d(1, 4, 3), nn.Conv2d(1, 4, 3)
        self.fc = nn.Linear(4 * 52 * 26, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(torch.cat([self.a(x), self.b(x)], 2), 1))


class AvgPoolExcludePad(nn.Module):
    """A padded 3x3 average pool that leaves the padding out: refused."""

    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 28 * 28, CLASSES)

    def forward(self, x):
        x = nn.functional.avg_pool2d(self.c(x), 3, 1, 1, count_include_pad=False)
        return self.fc(torch.flatten(x, 1))


class SigmoidNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 28 * 28, CLASSES)

    def forward(self, x):
        return self.fc(torch.flatten(torch.sigmoid(self.c(x)), 1))


def oracle(out, name, model, c, size, rng, pats):
    x, _ = images(c, size, N_IMAGES, rng, pats)
    with torch.no_grad():
        logits = model(normalise(x)).numpy().astype("<f4")
    write_idx3(f"{out}/{name}-images.idx3", x)
    write_idx1(f"{out}/{name}-torch.idx1", logits.argmax(1))
    logits.tofile(f"{out}/{name}-logits.f32")
    export(model, c, size, f"{out}/{name}.onnx")


def main():
    out = sys.argv[1]
    torch.manual_seed(12)
    torch.set_num_threads(2)
    rng = np.random.default_rng(12)

    pats = patterns(1, 28, rng)
    cnn = SimpleCNN()
    train(cnn, 1, 28, rng, pats)
    oracle(out, "simple_cnn", cnn, 1, 28, rng, pats)

    pats32 = patterns(1, 32, rng)
    res = SmallResNet()
    train(res, 1, 32, rng, pats32)
    oracle(out, "resnet", res, 1, 32, rng, pats32)

    ex = TorchExample()
    train(ex, 1, 28, rng, pats, steps=30)
    oracle(out, "torch_example", ex, 1, 28, rng, pats)

    p2 = Pow2()
    train(p2, 1, 28, rng, pats, steps=20)
    make_pow2(p2, rng)
    oracle(out, "pow2", p2, 1, 28, rng, pats)
    with open(f"{out}/pow2-weights.txt", "w") as f:
        for li, layer in enumerate((p2.c1, p2.c2, p2.fc)):
            for i, v in enumerate(layer.weight.detach().numpy().ravel()):
                f.write(f"{li} {i} {float(v).hex()}\n")

    for name, cls in (("branches", Branches), ("dense_like", DenseLike),
                      ("squeeze_like", SqueezeLike)):
        model = cls()
        train(model, 1, 28, rng, pats, steps=40)
        oracle(out, name, model, 1, 28, rng, pats)

    for name, model, size in (("concat_height", ConcatHeight(), 28),
                              ("avgpool_exclude_pad", AvgPoolExcludePad(), 28),
                              ("sigmoid", SigmoidNet(), 28)):
        model.eval()
        export(model, 1, size, f"{out}/{name}.onnx")


if __name__ == "__main__":
    main()
