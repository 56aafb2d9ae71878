#!/usr/bin/env bash
# Replays every committed seed of each fuzzer through its libFuzzer binary,
# built with clang and ASan/UBSan, under the same memory limit as `make fuzz`:
#   fuzz_dsm      tests/fuzz/corpus/          (.dsm reader)
#   fuzz_png      tests/fuzz/corpus-png/      (PNG reader)
#   fuzz_dataset  tests/fuzz/corpus-dataset/  (idx and PNG-folder readers)
# A seed passes when its target runs it without a crash, a sanitizer report,
# a broken reader guarantee or an allocation beyond the limit.  Ends with
# "N passed, N failed" like every check.
set -u
cd "$(dirname "$0")/../.."
build=${SA_BUILD:-build}
rss_mb=512

# A sub-make of its own: the parent's flags (SAN, -j) do not apply to the fuzzers.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$build" fuzz-build; then
	echo "replay: cannot build the fuzzers in $build/fuzz (needs clang and libclang-rt-14-dev: make deps)"
	echo "0 passed, 1 failed"
	exit 1
fi

pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
shopt -s nullglob
for pair in fuzz_dsm:corpus fuzz_png:corpus-png fuzz_dataset:corpus-dataset; do
	bin=$build/fuzz/${pair%%:*}
	seeds=(tests/fuzz/"${pair#*:}"/*)
	if [[ ${#seeds[@]} -eq 0 ]]; then
		echo "not ok - no seeds in tests/fuzz/${pair#*:} (make fuzz-seeds)"
		fail=$((fail + 1))
		continue
	fi
	for seed in "${seeds[@]}"; do
		if "$bin" -rss_limit_mb=$rss_mb -malloc_limit_mb=$rss_mb "$seed" >"$log" 2>&1; then
			pass=$((pass + 1))
			echo "ok - $seed"
		else
			fail=$((fail + 1))
			echo "not ok - $seed"
			cat "$log"
		fi
	done
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
