#!/usr/bin/env bash
# Runs each test program or script given, streams its output, and adds up
# the "N passed, N failed" line each one ends with.  A program that crashes,
# exits non-zero or prints no such line counts as a failure, so no test can
# vanish silently.  Ends with the tier's own "N passed, N failed" line.
set -u
total_pass=0
total_fail=0
broken=()
for t in "$@"; do
	echo "== $t"
	log=$(mktemp)
	if [[ "$t" == *.sh ]]; then
		bash "$t" 2>&1 | tee "$log"
	else
		"$t" 2>&1 | tee "$log"
	fi
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	rm -f "$log"
	if [[ -z "$line" ]]; then
		broken+=("$t (exit $rc, no result line)")
		total_fail=$((total_fail + 1))
		continue
	fi
	p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
	f=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/' <<<"$line")
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [[ $rc -ne 0 && $f -eq 0 ]]; then
		broken+=("$t (exit $rc)")
		total_fail=$((total_fail + 1))
	fi
done
for b in "${broken[@]+"${broken[@]}"}"; do
	echo "BROKEN: $b"
done
echo "$total_pass passed, $total_fail failed"
[[ $total_fail -eq 0 ]]
