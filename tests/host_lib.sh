# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# shellcheck disable=SC2034 # out, err and rc are read by the sourcing script
#
# What the host-side tool tests share, sourced after they set $T (a scratch
# directory): the tally that ends in "N passed, N failed" and a capture of
# one run of a tool.

pass=0
fail=0
ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
# not_ok NAME [DETAIL...]: a failure, with indented detail lines.
not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	shift
	for line in "$@"; do
		echo "  $line"
	done
}
# capture COMMAND...: stdout in $out, stderr in $err, exit code in $rc.
capture() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}
# Prints the tally; non-zero on any failure.
finish() {
	echo "$pass passed, $fail failed"
	[[ $fail -eq 0 ]]
}
