#!/usr/bin/env bash
# Replays every committed seed of the .dsm fuzzer (tests/fuzz/corpus/) through
# the libFuzzer binary, built with clang and ASan/UBSan.  A seed passes when
# the fuzz target runs it without a crash, a sanitizer report or a broken
# reader guarantee.  Ends with "N passed, N failed" like every check.
set -u
cd "$(dirname "$0")/../.."
build=${SA_BUILD:-build}
bin=$build/fuzz/fuzz_dsm

# A sub-make of its own: the parent's flags (SAN, -j) do not apply to the fuzzer.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory BUILD="$build" fuzz-build; then
	echo "replay: cannot build $bin (needs clang and libclang-rt-14-dev: make deps)"
	echo "0 passed, 1 failed"
	exit 1
fi

pass=0
fail=0
shopt -s nullglob
seeds=(tests/fuzz/corpus/*)
if [[ ${#seeds[@]} -eq 0 ]]; then
	echo "replay: no seeds in tests/fuzz/corpus (make fuzz-seeds)"
	fail=1
fi
log=$(mktemp)
for seed in "${seeds[@]}"; do
	if "$bin" "$seed" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok - $seed"
	else
		fail=$((fail + 1))
		echo "not ok - $seed"
		cat "$log"
	fi
done
rm -f "$log"
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
