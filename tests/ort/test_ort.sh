#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# ONNX Runtime as an independent oracle (make check-ort; docs/import.md).
# Installs ONNX Runtime (tests/ort/install-ort.sh, cached outside the clone),
# makes the +-2^k test models once per version of make_ort_models.py into
# $SA_BUILD/ort-fixtures, converts each with shiftaccel-convert, runs the same
# float32 inputs through ONNX Runtime on the original .onnx and through the
# library's float path and integer model (sa_run_raw), and compares
# (compare.py, bounds of docs/numerics.md section 13); then exports each
# .dsm with shiftaccel-export and runs that on ONNX Runtime against the
# integer model (compare_export.py).
# Ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${SA_BUILD:-build}
fx=$B/ort-fixtures
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
finish() {
	echo "$pass passed, $fail failed"
	[[ $fail -eq 0 ]]
}

if ort=$(tests/ort/install-ort.sh); then
	ok "onnxruntime-node installed: $ort"
else
	bad "onnxruntime-node installs (tests/ort/install-ort.sh)"
	finish
fi
export NODE_PATH=$ort/node_modules

stamp=$fx/.made-by-$(sha256sum <tests/ort/make_ort_models.py | cut -c1-16)
if [[ ! -e $stamp ]]; then
	rm -rf "$fx"
	mkdir -p "$fx"
	# Debian's interpreter: torch and onnx live in its dist-packages.
	if ! /usr/bin/python3 tests/ort/make_ort_models.py "$fx" 2>"$fx/make.log"; then
		cat "$fx/make.log"
		bad "the test models are made"
		finish
	fi
	touch "$stamp"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
while read -r m c h w; do
	if ! "$B/bin/shiftaccel-convert" "$fx/$m.onnx" -o "$fx/$m.dsm" --calib-images 128 \
		--calib "idx:$fx/$m-images.idx3,$fx/$m-labels.idx1" --mean 0.25 --std 0.5 -q >"$log" 2>&1; then
		bad "$m converts"
		sed 's/^/    /' "$log"
		continue
	fi
	ok "$m converts"
	if ! oexp=$("$B/tests/sa_run_raw" "$fx/$m.dsm" "$fx/$m-input.f32" "$fx/$m-float.f32" \
		"$fx/$m-int.f32" 2>"$log"); then
		bad "$m runs on the float path and the integer model"
		sed 's/^/    /' "$log"
		continue
	fi
	# ort: one thread, all graph optimisations (what a user gets by default),
	# batches of 32; ort-plain: two threads, no graph optimisation (other
	# kernels and summation orders), batches of 7 (a smaller last batch).
	for run in "ort 1 all 32" "ort-plain 2 disabled 7"; do
		read -r name threads opt batch <<<"$run"
		if ! node tests/ort/ort_run.js "$fx/$m.onnx" --shape "$c,$h,$w" --input "$fx/$m-input.f32" \
			--batch "$batch" --threads "$threads" --opt "$opt" --output "$fx/$m-$name.f32" >"$log" 2>&1; then
			bad "$m runs on ONNX Runtime ($name)"
			sed 's/^/    /' "$log"
			continue
		fi
		/usr/bin/python3 tests/ort/compare.py "$fx" "$m" "${oexp#output_exp }" "$name" >"$log" 2>&1 || true
		cat "$log"
		pass=$((pass + $(grep -c '^ok - ' "$log" || true)))
		fail=$((fail + $(grep -c '^not ok - ' "$log" || true)))
		grep -q '^ok - ' "$log" || bad "$m compared with $name (compare.py printed no result)"
	done
	# The export as a user would run it: shiftaccel-export's QDQ graph on
	# ONNX Runtime against the integer model it came from.
	if ! "$B/bin/shiftaccel-export" "$fx/$m.dsm" -o "$fx/$m-export.onnx" -q >"$log" 2>&1; then
		bad "$m exports"
		sed 's/^/    /' "$log"
		continue
	fi
	if ! node tests/ort/ort_run.js "$fx/$m-export.onnx" --shape "$c,$h,$w" \
		--input "$fx/$m-input.f32" --batch 32 --threads 1 --opt all \
		--output "$fx/$m-export-ort.f32" >"$log" 2>&1; then
		bad "$m's export runs on ONNX Runtime"
		sed 's/^/    /' "$log"
		continue
	fi
	/usr/bin/python3 tests/ort/compare_export.py "$fx" "$m" "${oexp#output_exp }" >"$log" 2>&1 || true
	cat "$log"
	pass=$((pass + $(grep -c '^ok - ' "$log" || true)))
	fail=$((fail + $(grep -c '^not ok - ' "$log" || true)))
	grep -q '^ok - ' "$log" || bad "$m's export compared (compare_export.py printed no result)"
done <"$fx/models.txt"

finish
