#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# scan-reports.sh: find the debug kernel's reports in a guest kernel log.
#
#   tests/vm/debug-kernel/scan-reports.sh LOG
#
# LOG is the guest kernel's whole log as its console wrote it (tools/vmrun
# --kernel-log; every run of the debug kernel).  Prints each report in full,
# then one line, "ok - ..." or "FAIL - ...", and exits 0 when there is none,
# 1 otherwise (also when LOG is missing or empty: no log proves nothing).
#
# A report is what the kernel prints when a checker or an assertion fires,
# recognised by its first line and kept until the line that ends that kind:
#   KASAN     "BUG: KASAN: <type> in <function>" .. the closing ===== banner
#   UBSAN     "UBSAN: <check> in <file:line>"    .. "---[ end trace ]---"
#   WARNING   "WARNING: CPU: n PID: n at ..." (WARN_ON, list and refcount
#             corruption, DEBUG_LOCKS_WARN_ON)    .. "---[ end trace ...]---"
#   Oops      "BUG: kernel NULL pointer ...", "BUG: unable to handle ...",
#             "kernel BUG at", "Oops:", "general protection fault"
#                                                 .. "---[ end trace ...]---"
#   lockdep   "WARNING: possible circular locking dependency detected" and
#             lockdep's other "WARNING: ..." headlines, "INFO: trying to
#             register non-static key"            .. the stack's "</TASK>"
#   BUG       any other "BUG: ..." (sleeping function called from invalid
#             context, scheduling while atomic, bad page state)
#                                                 .. the stack's "</TASK>"
#   kmemleak  "kmemleak: unreferenced object ..." (kmemleak.verbose=1) and its
#             indented lines; "kmemleak: Kernel memory leak detector disabled"
#   panic     "Kernel panic - not syncing: ..."
# A report's separator line just before its first line ("[ cut here ]", a
# ===== banner) is included.  Lines a report prints inside another report
# (a lockdep splat inside a WARNING) belong to the outer one.
# Fault injection's "FAULT_INJECTION: forcing a failure." is not a report:
# tests ask for it.
set -euo pipefail

log=${1:?usage: scan-reports.sh LOG}
if [[ ! -s $log ]]; then
	echo "FAIL - guest kernel log: '$log' is missing or empty"
	exit 1
fi

awk '
# The message without the console timestamp, "[   12.345678] ".
function text(l) {
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", l)
	return l
}
# kind and end ("banner", "trace", "stack", "indent", "line") of a first line.
function classify(m) {
	kind = ""
	if (m ~ /^BUG: KASAN: /) {
		kind = "KASAN"; end = "banner"
	} else if (m ~ /^UBSAN: /) {
		kind = "UBSAN"; end = "trace"
	} else if (m ~ /^WARNING: (CPU: [0-9]+ PID: [0-9]+ )?at /) {
		kind = "WARNING"; end = "trace"
	} else if (m ~ /^(BUG: kernel NULL pointer|BUG: unable to handle|kernel BUG at |Oops: |general protection fault)/) {
		kind = "Oops"; end = "trace"
	} else if (m ~ /^WARNING: / || m ~ /^INFO: trying to register non-static key/) {
		kind = "lockdep"; end = "stack"
	} else if (m ~ /^BUG: /) {
		kind = "BUG"; end = "stack"
	} else if (m ~ /^kmemleak: unreferenced object /) {
		kind = "kmemleak"; end = "indent"
	} else if (m ~ /^kmemleak: Kernel memory leak detector disabled/) {
		kind = "kmemleak disabled"; end = "line"
	} else if (m ~ /^Kernel panic - not syncing/) {
		kind = "panic"; end = "line"
	}
	return kind != ""
}
function finish_report() {
	printf "---- guest kernel report %d: %s ----\n%s", n, rkind, body
	if (lines >= MAXLINES)
		printf "---- (report cut at %d lines) ----\n", MAXLINES
	open = 0
}
BEGIN { MAXLINES = 2000; n = 0; open = 0; nprev = 0 }
{
	sub(/\r$/, "")
	m = text($0)
	if (open && end == "indent" && m !~ /^(kmemleak: )?  /)
		finish_report()
	if (open) {
		body = body $0 "\n"
		lines++
		if ((end == "banner" && m ~ /^=+$/) || (end == "trace" && m ~ /^---\[ end trace/) ||
		    (end == "stack" && m ~ /^ *<\/TASK>/) || lines >= MAXLINES)
			finish_report()
		next
	}
	if (classify(m)) {
		n++
		rkind = kind
		kinds[kind]++
		open = 1
		body = ""
		lines = 1
		# The separator printed just before the first line, if any.
		for (i = nprev; i >= 1 && i > nprev - 3; i--) {
			if (text(prev[i]) ~ /^(-+\[ cut here \]-+|=+)$/) {
				for (j = i; j <= nprev; j++)
					body = body prev[j] "\n"
				break
			}
		}
		body = body $0 "\n"
		nprev = 0
		if (end == "line")
			finish_report()
		next
	}
	# The last few lines, for the separator before a first line.
	if (nprev == 3) {
		prev[1] = prev[2]; prev[2] = prev[3]; nprev = 2
	}
	prev[++nprev] = $0
}
END {
	if (open)
		finish_report()
	if (n == 0) {
		print "ok - guest kernel log: no KASAN, UBSAN, lockdep, kmemleak, BUG or WARNING report"
		exit 0
	}
	summary = ""
	for (k in kinds)
		summary = summary (summary == "" ? "" : ", ") kinds[k] " " k
	printf "FAIL - guest kernel log: %d report%s (%s), printed above\n", n, n == 1 ? "" : "s", summary
	exit 1
}
' "$log"
