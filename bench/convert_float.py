#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The float side of bench/convert.sh: trains a network in float with PyTorch
(Debian's python3-torch) on MNIST or Fashion-MNIST (idx files in DATA_DIR),
prints the input normalisation (the training pixels' mean and standard
deviation, as shiftaccel-train computes them) and its test accuracy, and
exports it to ONNX (opset 13) for shiftaccel-convert and shiftaccel-train.
Adam, lr 1e-3 with a cosine decay to 0 over EPOCHS, batch 64, seed 1;
$BENCH_THREADS threads (default all cores).

Usage: convert_float.py DATA_DIR MODEL OUT.onnx [EPOCHS [IMAGES]]
(IMAGES: train on the first IMAGES shuffled images of each epoch only)
MODEL: simple-cnn (the paper's: conv 20 5x5, max pool, conv 50 5x5, max pool,
fc 500, fc 10) or resnet (conv-bn stem padded to 32x32, 3 basic blocks of
16/32/64 channels, global average pool, fc).
"""
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_peer import BasicBlock, read_idx  # noqa: E402


class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Sequential(nn.Linear(50 * 4 * 4, 500), nn.ReLU(), nn.Linear(500, 10))

    def forward(self, x):
        return self.fc(torch.flatten(self.f(x), 1))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        # 28x28 padded to 32x32: the global pool then covers a power-of-two area.
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=3, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU())
        self.blocks = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2),
                                    BasicBlock(32, 64, 2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.blocks(self.stem(x)), 1)
        return self.fc(torch.flatten(x, 1))


def load(data, split):
    x = read_idx(f"{data}/{split}-images-idx3-ubyte")
    y = read_idx(f"{data}/{split}-labels-idx1-ubyte")
    x = torch.from_numpy(np.asarray(x, dtype=np.float32)).reshape(-1, 1, 28, 28) / 255.0
    return x, torch.from_numpy(np.asarray(y, dtype=np.int64))


def main():
    data, name, out = sys.argv[1:4]
    epochs = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    limit = int(sys.argv[5]) if len(sys.argv) > 5 else None
    torch.manual_seed(1)
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS") or os.cpu_count() or 1))
    model = SimpleCNN() if name == "simple-cnn" else ResNet()
    xtr, ytr = load(data, "train")
    xte, yte = load(data, "t10k")
    mean, std = xtr.mean().item(), xtr.std().item()
    print(f"normalisation: mean {mean:.4f} std {std:.4f}")
    # the network sees the normalisation rounded as printed (and given to the tools)
    mean, std = round(mean, 4), round(std, 4)
    xtr, xte = (xtr - mean) / std, (xte - mean) / std
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr))[:limit]
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(xtr[idx]), ytr[idx]).backward()
            opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xte[i:i + 1000]).argmax(1) for i in range(0, len(xte), 1000)])
    print(f"float test accuracy: {100.0 * (pred == yte).float().mean().item():.2f}%")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), out, opset_version=13,
                      input_names=["image"], output_names=["logits"])


if __name__ == "__main__":
    main()
