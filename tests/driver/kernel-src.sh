#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Unpacks the few files the driver's tests need from Debian's linux-source-6.12
# (the kselftest harness headers, checkpatch.pl and its data files, kernel-doc) into a
# cache directory outside the work tree, once, and prints that directory.
set -euo pipefail
CACHE=${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}
out=$CACHE/linux-source-6.12
files=(tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch scripts/kernel-doc)
missing=0
for f in "${files[@]}"; do
	[[ -e $out/$f ]] || missing=1
done
if ((missing)); then
	tarball=$(find /usr/src -maxdepth 1 -name 'linux-source-6.12.tar.*' | sort -V | tail -n 1)
	[[ -n $tarball ]] || { echo "kernel-src.sh: no /usr/src/linux-source-6.12.tar.* (make deps)" >&2; exit 1; }
	mkdir -p "$out"
	tar -xf "$tarball" -C "$out" --strip-components=1 "${files[@]/#/linux-source-6.12/}"
fi
echo "$out"
