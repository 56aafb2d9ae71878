#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compares ONNX Runtime's outputs with the library's float path and integer
model for one model of make_ort_models.py (tests/ort/test_ort.sh calls it).

  compare.py DIR NAME OUTPUT_EXP [RUN]

RUN (default "ort") names ONNX Runtime's output file, DIR/NAME-RUN.f32: the
test runs it in more than one configuration; the integer model is compared
with the default run only.

Reads DIR/NAME-{ort,float,int}.f32 (K x 10 float32), NAME-err.f64 and
NAME-gamma.txt; prints "ok - ..." / "not ok - ..." lines and the figures.
The bounds are docs/numerics.md section 13's:
  every element  |ort - float| <= E (1 + 2^-29) + u |float|   (E: NAME-err.f64)
  every image    max |ort - float| <= G * max |ort|
  top-1 equal wherever ONNX Runtime's top two differ by more than 2 * the bound.
The integer model: top-1 agreement >= 90% and max error <= 16% of the largest
|output|, reported in units of its output scale 2^OUTPUT_EXP.
"""
import sys

import numpy as np

U = 2.0 ** -24


def main():
    d, name, oexp = sys.argv[1], sys.argv[2], int(sys.argv[3])
    run = sys.argv[4] if len(sys.argv) > 4 else "ort"
    rd = lambda s, t="<f4": np.fromfile(f"{d}/{name}-{s}", t).astype(np.float64)  # noqa: E731
    ort = rd(f"{run}.f32")
    classes = 10
    ort, flt, itg = (x.reshape(-1, classes) for x in (ort, rd("float.f32"), rd("int.f32")))
    e = rd("err.f64", "<f8").reshape(-1, classes)
    g = float(open(f"{d}/{name}-gamma.txt").read())
    k = len(ort)
    results = []

    def check(cond, what):
        results.append(bool(cond))
        print(f"{'ok' if cond else 'not ok'} - {name} ({run}): {what}")

    ok_shape = flt.shape == ort.shape == itg.shape == e.shape
    check(ok_shape, f"{k} images from each side")
    if not ok_shape:
        return results
    diff = np.abs(ort - flt)
    big = np.abs(ort).max(1)
    # E bounds ONNX Runtime's float32 error; the float path's double error is
    # E * 2^-29 at most (u = 2^-53 there), plus its one rounding to float.
    tol = e * (1 + 2.0 ** -29) + U * np.abs(flt)
    check((diff <= tol).all(), f"every output within its rounding error bound E "
          f"(largest |ORT - float| / E {np.max(diff / tol):.2e}; E / max |ORT| up to "
          f"{(tol.max(1) / big).max():.2e})")
    rel = diff.max(1) / big
    check((rel <= g).all(), f"max |ORT - float| / max |ORT| = {rel.max():.2e} <= G = {g:.2e}")
    srt = np.sort(ort, 1)
    gap = srt[:, -1] - srt[:, -2]
    decided = gap > 2 * g * big
    same = ort.argmax(1) == flt.argmax(1)
    check(same[decided].all(), f"float path top-1 = ORT top-1 on all {decided.sum()} of {k} images "
          f"whose top-2 gap exceeds twice the bound ({same.sum()} of {k} in all)")
    if run != "ort":
        return results
    ierr = np.abs(ort - itg).max(1)
    top1 = (ort.argmax(1) == itg.argmax(1)).mean() * 100
    unit = 2.0 ** oexp
    irel = (ierr / big).max()
    print(f"# {name}: integer model vs ORT: top-1 agreement {top1:.1f}%, max error "
          f"{ierr.max() / unit:.0f} output units (2^{oexp}), {irel * 100:.1f}% of the largest |output|")
    check(top1 >= 90.0, f"integer model top-1 agreement with ORT {top1:.1f}% >= 90%")
    check(irel <= 0.16, f"integer model max error {irel * 100:.1f}% <= 16% of the largest |output|")
    return results


if __name__ == "__main__":
    r = main()
    sys.exit(0 if r and all(r) else 1)
