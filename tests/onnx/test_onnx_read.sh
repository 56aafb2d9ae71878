#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The ONNX reader (make check): makes the fixture models with the onnx
# Python package (Debian's python3-onnx, a test-time dependency), once per
# version of the maker, into $SA_BUILD/onnx-fixtures, runs test_onnx_read on
# them, and replays each through the libFuzzer target (clang, ASan/UBSan)
# with its own checks of the reader's guarantees.  Ends with one
# "N passed, N failed" line for both.
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
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$B/tests/test_onnx_read" "$out" | tee "$log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
pass=${line%% passed*}
fail=${line#*, }
fail=${fail%% failed}
[[ -n $line ]] || fail=1 pass=0

# A sub-make of its own: the parent's flags (SAN, -j) do not apply to the fuzzer.
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$B" \
	fuzz-onnx-build >"$log" 2>&1; then
	# The fixtures, exports of the valid .dsm seeds (the reader of exports is
	# fuzzed too), and inputs the fuzzer once found crashes with (tests/onnx/regressions).
	exports=$(mktemp -d)
	trap 'rm -f "$log"; rm -rf "$exports"' EXIT
	for d in tests/fuzz/corpus/valid-*.dsm; do
		"$B/bin/shiftaccel-export" "$d" -o "$exports/$(basename "$d" .dsm).onnx" -q ||
			{ echo "not ok - shiftaccel-export $d"; fail=$((fail + 1)); }
	done
	for f in "$out"/*.onnx "$exports"/*.onnx tests/onnx/regressions/*; do
		if "$B/fuzz/fuzz_onnx" "$f" >"$log" 2>&1; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "not ok - fuzz target on $f"
			tail -n 20 "$log"
		fi
	done
	echo "ok - every fixture, export and regression input replayed through the fuzz target"
else
	cat "$log"
	echo "not ok - cannot build the ONNX fuzz target (needs clang: make deps)"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
