#!/usr/bin/env bash
# The firmware image is reproducible and checkable: two fresh builds of the
# firmware from this tree, in two different directories, wrapped by
# mkfwimage, give the same bytes as each other and as $SA_BUILD's image;
# mkfwimage --info accepts the image and refuses damaged copies of it.
set -u
cd "$(dirname "$0")/../.."
B=${SA_BUILD:-build}
IMG=$B/firmware/shiftaccel-fw.bin
MK=$B/bin/mkfwimage
# shellcheck source=tests/host_lib.sh
. tests/host_lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

built=1
for i in 1 2; do
	if ! make --no-print-directory -s BUILD="$tmp/b$i" "$tmp/b$i/firmware/shiftaccel-fw.code" \
		>"$tmp/log$i" 2>&1 || ! "$MK" "$tmp/b$i/firmware/shiftaccel-fw.code" "$tmp/img$i.bin"; then
		cat "$tmp/log$i"
		built=0
	fi
done
if [[ $built -eq 1 ]]; then
	ok "the firmware builds twice from scratch"
else
	not_ok "the firmware builds twice from scratch"
fi
if cmp -s "$tmp/img1.bin" "$tmp/img2.bin"; then
	ok "two builds give the same bytes"
else
	not_ok "two builds give the same bytes"
fi
if cmp -s "$tmp/img1.bin" "$IMG"; then
	ok "they equal $IMG"
else
	not_ok "they equal $IMG"
fi
if "$MK" --info "$IMG" >"$tmp/info" 2>&1 && grep -q "ShiftAccel firmware" "$tmp/info"; then
	ok "mkfwimage --info accepts the image"
else
	not_ok "mkfwimage --info accepts the image"
fi

# Damaged copies: a flipped code byte, a truncated file, a patched version.
size=$(stat -c %s "$IMG")
cp "$IMG" "$tmp/flip.bin"
printf '\x55' | dd of="$tmp/flip.bin" bs=1 seek=$((size / 2)) conv=notrunc status=none
head -c $((size - 4)) "$IMG" >"$tmp/short.bin"
cp "$IMG" "$tmp/major.bin"
printf '\x63' | dd of="$tmp/major.bin" bs=1 seek=8 conv=notrunc status=none
for f in flip short major; do
	if "$MK" --info "$tmp/$f.bin" >"$tmp/out" 2>&1; then
		not_ok "a damaged image ($f) is refused"
	else
		ok "a damaged image ($f) is refused: $(sed 's/.*: //' "$tmp/out")"
	fi
done
finish
