#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The ONNX reader (make check): makes the fixture models with the onnx
# Python package (Debian's python3-onnx, a test-time dependency), once per
# version of the maker, into $SA_BUILD/onnx-fixtures, and runs
# test_onnx_read on them.  Ends with its "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${SA_BUILD:-build}
out=$B/onnx-fixtures
stamp=$out/.made-by-$(sha256sum tests/onnx/make_models.py | cut -c1-16)
if [[ ! -e $stamp ]]; then
	rm -rf "$out"
	mkdir -p "$out"
	# Debian's interpreter: the package lives in its dist-packages.
	/usr/bin/python3 tests/onnx/make_models.py "$out"
	touch "$stamp"
fi
exec "$B/tests/test_onnx_read" "$out"
