#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""PyTorch peer for bench/cpu_infer.sh: float inference of the same network
as shiftaccel's CPU backend runs (the classes of bench/torch_peer.py), one
image at a time (batch 1) on one thread, the way shiftaccel-run and
shiftaccel-eval call a session.  Prints the median latency over --repeat
runs of one MNIST test image, and the throughput over the first --images
test images, as JSON.  Weights are PyTorch's initialisation: float speed
does not depend on their values."""
import argparse
import json
import statistics
import sys
import time

import torch

from torch_peer import SimpleCNN, SimpleFC, read_idx


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="simple-cnn", choices=["simple-cnn", "simple-fc"])
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--repeat", type=int, default=2000)
    p.add_argument("--images", type=int, default=10000)
    a = p.parse_args()

    torch.set_num_threads(1)
    x = torch.from_numpy(read_idx(f"{a.data}/t10k-images-idx3-ubyte")[:a.images].copy())
    x = ((x.float() / 255.0 - 0.1307) / 0.3081).unsqueeze(1).contiguous()
    model = (SimpleCNN if a.model == "simple-cnn" else SimpleFC)(10).eval()
    with torch.inference_mode():
        one = x[:1]
        for _ in range(50):  # warm-up: first calls allocate and pick kernels
            model(one)
        latencies = []
        for _ in range(a.repeat):
            start = time.perf_counter()
            model(one)
            latencies.append(time.perf_counter() - start)
        start = time.perf_counter()
        for i in range(x.shape[0]):
            model(x[i:i + 1])
        seconds = time.perf_counter() - start
    print(json.dumps({"torch": torch.__version__, "model": a.model, "threads": 1, "batch_size": 1,
                      "median_ms": 1000 * statistics.median(latencies),
                      "images": x.shape[0], "seconds": seconds,
                      "images_per_second": x.shape[0] / seconds}))


if __name__ == "__main__":
    sys.exit(main())
