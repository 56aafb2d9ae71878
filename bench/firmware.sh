#!/usr/bin/env bash
# Firmware figures (make bench; never pass/fail): the image size and the
# control-processor instructions the firmware spends per layer while a
# network runs on the card model (tests/firmware/fw_bench.c).
set -u
B=${SA_BUILD:-build}
IMG=$B/firmware/shiftaccel-fw.bin
echo "== firmware"
if [[ ! -f $IMG || ! -x $B/tests/fw_bench ]]; then
	echo "firmware: $IMG or $B/tests/fw_bench is not built (make firmware $B/tests/fw_bench)"
	exit 0
fi
echo "firmware image: $(stat -c %s "$IMG") bytes ($IMG)"
"$B/bin/mkfwimage" --info "$IMG"
SA_BUILD=$B "$B/tests/fw_bench" || echo "firmware: fw_bench did not finish (see above)"
exit 0
