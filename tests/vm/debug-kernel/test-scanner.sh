#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The debug tier's check of its own checker, run on the HOST.  A scanner that
# missed real reports would make every clean result of the tier meaningless.
#
#   SA_BUILD=build/debug tests/vm/debug-kernel/test-scanner.sh   (make vmcheck-debug)
#     a debug guest loads report-test/sa_report_test.ko once per kind of bug
#     (lockdep AB-BA, KASAN use-after-free, UBSAN shift, WARN, kmemleak leak,
#     sleep in atomic context); tools/vmrun must fail the run and
#     scan-reports.sh must find each report in the guest's kernel log;
#   tests/vm/debug-kernel/test-scanner.sh --log LOG   (make check, LOG =
#     fixtures/reports.log, such a guest's log as recorded): the same checks
#     of scan-reports.sh on LOG, without a VM.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../../.." || exit 1
B=${SA_BUILD:-build}
KO=$B/debug-kernel/report-test/sa_report_test.ko

# shellcheck source=tests/vm/vm_lib.sh
source tests/vm/vm_lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ ${1:-} == --log ]]; then
	log=${2:?--log needs a file}
else
	log=$tmp/kernel.log
	[[ -f $KO ]] || { fail "no $KO (make report-test-module)"; finish; }
	# Each load reports its bug and fails with EAGAIN, so the next can follow.
	# lockdep goes first: it turns itself off after its first report, and
	# after a KASAN report (which taints the kernel for lock debugging).
	bugs="lockdep kasan ubsan warn leak sleep"
	rc=0
	tools/vmrun --kernel debug --kernel-log "$log" -- bash -c \
		"for b in $bugs; do insmod $KO bug=\$b 2>/dev/null; done; true" >"$tmp/out" 2>&1 ||
		rc=$?
	if ((rc == 1)); then
		pass "vmrun fails a clean command whose kernel log has reports"
	else
		fail "vmrun exited $rc for a guest with deliberate bugs (expected 1); its output:"
		cat "$tmp/out"
	fi
fi
bash tests/vm/debug-kernel/scan-reports.sh "$log" >"$tmp/scan"
summary=$(tail -n 1 "$tmp/scan")
# expect_report KIND HEADLINE-REGEX: a report of KIND whose text matches.
expect_report() {
	if awk -v kind="$1" -v re="$2" '
		/^---- guest kernel report [0-9]+: / { cur = $0; sub(/^---- guest kernel report [0-9]+: /, "", cur); sub(/ ----$/, "", cur); next }
		cur == kind && $0 ~ re { found = 1 }
		END { exit !found }' "$tmp/scan"; then
		pass "scanner finds the $1 report ($2)"
	else
		fail "scanner did not find a $1 report matching '$2'"
	fi
}
expect_report KASAN 'BUG: KASAN: slab-use-after-free in sa_report_test_init'
expect_report UBSAN 'UBSAN: shift-out-of-bounds in .*sa_report_test.c'
expect_report WARNING 'sa_report_test: deliberate warning'
# The leak's stack names no function: the module that made it is gone.
expect_report kmemleak 'unreferenced object 0x[0-9a-f]+ \(size 64\)'
expect_report BUG 'BUG: sleeping function called from invalid context'
expect_report lockdep 'WARNING: possible circular locking dependency detected'
if [[ $summary == "FAIL - guest kernel log: 6 reports"* ]]; then
	pass "scanner counts 6 reports, one per bug"
else
	fail "scanner summary: '$summary' (expected 6 reports); its output:"
	cat "$tmp/scan"
fi
# The same log cut before the first line of its first report is clean (the
# console's log ends its lines with CR LF; the scanner prints them without CR).
first=$(sed -n '2p' "$tmp/scan")
n=$(awk -v first="$first" '{ sub(/\r$/, "") } $0 == first { print NR; exit }' "$log")
if [[ -n $n ]] && head -n "$((n - 1))" "$log" >"$tmp/clean" &&
	bash tests/vm/debug-kernel/scan-reports.sh "$tmp/clean" >"$tmp/scan-clean"; then
	pass "scanner passes the log before the first report ($((n - 1)) lines)"
else
	fail "scanner fails the log before the first report:"
	cat "$tmp/scan-clean"
fi
if bash tests/vm/debug-kernel/scan-reports.sh "$tmp/missing.log" >/dev/null; then
	fail "scanner passes a missing log"
else
	pass "scanner fails a missing log"
fi
finish
