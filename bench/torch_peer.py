#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""PyTorch peer for `make bench`: trains the same float network as
shiftaccel-train (same layers, PyTorch's default initialisation, Adam,
batch size and thread count) on the same idx files and prints the time of
each training epoch as JSON.  `--images N` trains on the first N shuffled
images of each epoch (shiftaccel-train's --limit), for networks whose full
epoch is too slow for a benchmark; images per second compare either way.
Only the benchmark uses it; ShiftAccel itself never depends on PyTorch."""
import argparse
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    dims = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class SimpleFC(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 512), nn.Linear(512, 512), nn.Linear(512, classes)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = F.dropout(F.relu(self.fc1(x)), 0.2, self.training)
        x = F.dropout(F.relu(self.fc2(x)), 0.2, self.training)
        return self.fc3(x)


class SimpleCNN(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 20, 5), nn.Conv2d(20, 50, 5)
        self.fc1, self.fc2 = nn.Linear(800, 500), nn.Linear(500, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(torch.flatten(x, 1)))
        return self.fc2(x)


class BasicBlock(nn.Module):
    """shiftaccel's resnet20 block: conv-bn-relu, conv-bn, plus the input
    (or its 1x1 conv-bn projection when the shape changes), then relu.
    Convolutions followed by batch norm have no bias, as in arch.c."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (self.proj(x) if self.proj is not None else x))


class ResNet20(nn.Module):
    """The built-in resnet20 (libshiftaccel/src/train/arch.c): the stem's
    padding brings the input side up to the next power of two (28 -> 32),
    3 stages x 3 blocks of 16/32/64 channels, global average pool, fc."""

    def __init__(self, classes, side):
        super().__init__()
        size = 4
        while size < side:
            size *= 2
        self.stem = nn.Conv2d(1, 16, 3, 1, 1 + (size - side) // 2, bias=False)
        self.bn = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for stage in range(3):
            cout = 16 << stage
            for blk in range(3):
                blocks.append(BasicBlock(cin, cout, 2 if stage > 0 and blk == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn(self.stem(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def make_model(name, classes, side):
    if name == "resnet20":
        return ResNet20(classes, side)
    return (SimpleCNN if name == "simple-cnn" else SimpleFC)(classes)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="simple-cnn", choices=["simple-cnn", "simple-fc", "resnet20"])
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--images", type=int, default=0, help="images per epoch (default: all)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = read_idx(f"{a.data}/train-images-idx3-ubyte").astype(np.float32) / 255.0
    y = read_idx(f"{a.data}/train-labels-idx1-ubyte").astype(np.int64)
    mean, std = float(x.mean()), float(x.std())
    x = torch.from_numpy((x - mean) / std).unsqueeze(1).contiguous()
    y = torch.from_numpy(y)
    model = make_model(a.model, int(y.max()) + 1, x.shape[-1])
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    n = min(a.images, x.shape[0]) if a.images > 0 else x.shape[0]
    epochs = []
    for e in range(a.epochs):
        model.train()
        order = torch.randperm(x.shape[0])[:n]
        correct, total_loss = 0, 0.0
        start = time.perf_counter()
        for i in range(0, n, a.batch_size):
            idx = order[i:i + a.batch_size]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
        seconds = time.perf_counter() - start
        epochs.append({"epoch": e + 1, "seconds": seconds, "images_per_second": n / seconds,
                       "loss": total_loss / n, "train_accuracy": 100.0 * correct / n})
    print(json.dumps({"torch": torch.__version__, "model": a.model, "threads": a.threads,
                      "batch_size": a.batch_size, "epochs": epochs}))


if __name__ == "__main__":
    sys.exit(main())
