#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compares ONNX Runtime running a model's export (shiftaccel-export) with the
integer model it was exported from (tests/ort/test_ort.sh calls it).

  compare_export.py DIR NAME OUTPUT_EXP

Reads DIR/NAME-export-ort.f32 (ONNX Runtime on NAME-export.onnx) and
DIR/NAME-int.f32 (the .dsm's integer model, sa_run_raw), K x 10 float32 each.

The export is the integer model written as a float graph: weights +-2^k,
QuantizeLinear/DequantizeLinear (scale 2^e) wherever the integer model rounds
to int8, and before each QuantizeLinear an addend that turns ONNX's rounding
(ties to even) into the integer model's (ties up).  A runtime that computes
the float ops exactly therefore gives the integer model's outputs bit for bit
(tests/export/check_export.py shows it in float64).  ONNX Runtime computes in
float32, which holds an accumulator exactly only up to 24 significant bits;
a wider one can land on the other side of a half step and move one int8
value by a step.  So:
  at least 95% of the images bit-identical to the integer model,
  the others within 5% of the largest |integer output| (a step or two in a
  hidden layer), and top-1 equal wherever the integer top-2 gap exceeds that.
"""
import sys

import numpy as np

CLASSES = 10
REL_BOUND = 0.05


def main():
    d, name, oexp = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rd = lambda s: np.fromfile(f"{d}/{name}-{s}.f32", "<f4").astype(np.float64)  # noqa: E731
    ort, itg = rd("export-ort").reshape(-1, CLASSES), rd("int").reshape(-1, CLASSES)
    results = []

    def check(cond, what):
        results.append(bool(cond))
        print(f"{'ok' if cond else 'not ok'} - {name} (export on ORT): {what}")

    check(ort.shape == itg.shape, f"{len(itg)} images from each side")
    if ort.shape != itg.shape:
        return results
    big = np.maximum(np.abs(itg).max(1), 2.0 ** oexp)
    rel = np.abs(ort - itg).max(1) / big
    exact = (ort == itg).all(1).sum()
    check(exact >= 0.95 * len(itg), f"{exact} of {len(itg)} images bit-identical to the "
          f"integer model (at least 95%)")
    check((rel <= REL_BOUND).all(), f"max |ORT - integer| / max |integer| = {rel.max():.2e} "
          f"<= {REL_BOUND}")
    srt = np.sort(itg, 1)
    decided = srt[:, -1] - srt[:, -2] > REL_BOUND * big
    same = ort.argmax(1) == itg.argmax(1)
    check(same[decided].all(), f"top-1 equal on all {decided.sum()} images whose integer top-2 "
          f"gap exceeds the bound ({same.sum()} of {len(itg)} in all)")
    return results


if __name__ == "__main__":
    r = main()
    sys.exit(0 if r and all(r) else 1)
