#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make check: test-scanner.sh's checks of scan-reports.sh on
# fixtures/reports.log, the kernel log of test-scanner.sh's debug guest as
# recorded (lockdep, KASAN, UBSAN, WARNING, kmemleak and BUG reports made by
# report-test/sa_report_test.ko), so the scanner is tested without a VM.
exec bash "$(dirname "$0")/test-scanner.sh" --log "$(cd "$(dirname "$0")" && pwd)/fixtures/reports.log"
