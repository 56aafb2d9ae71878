#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Models for bench/ort_peer.sh: the Simple CNN and Simple FC of the PyTorch
peer (bench/torch_peer.py), random PyTorch initialisation (speed does not
depend on the weights), exported to ONNX at opset 13 with a free batch
dimension; and inputs: MNIST-shaped float32 images normalised with MNIST's
mean and std, as the converted model's users give them.

  ort_peer.py OUT N     writes OUT/simple-cnn.onnx, OUT/simple-fc.onnx, OUT/input.f32 (N images)
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_peer import SimpleCNN, SimpleFC  # noqa: E402


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(14)
    for name, cls in (("simple-cnn", SimpleCNN), ("simple-fc", SimpleFC)):
        model = cls(10).eval()
        torch.onnx.export(model, torch.zeros(1, 1, 28, 28), f"{out}/{name}.onnx", opset_version=13,
                          input_names=["image"], output_names=["logits"],
                          dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}})
    rng = np.random.default_rng(14)
    x = rng.integers(0, 256, (n, 1, 28, 28)).astype(np.float32) / np.float32(255)
    ((x - np.float32(0.1307)) / np.float32(0.3081)).astype("<f4").tofile(f"{out}/input.f32")


if __name__ == "__main__":
    main()
