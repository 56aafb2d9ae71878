#!/usr/bin/env bash
# What shiftaccel-train and shiftaccel-eval do with their outputs and with
# data that does not match the model, as a careless or unlucky user meets
# them: --epochs 0, outputs in a missing directory or naming a directory
# (refused before any training), a full filesystem (a small tmpfs: the old
# model stays, no torn or temporary file is left, the error says why), a
# writer killed mid-write (the old file intact), and evaluation/training on
# images larger, smaller and of other channels than the model's input.
# Ends with "N passed, N failed".  Mounts tmpfs: needs root.
set -u
: "${SA_BUILD:?set SA_BUILD to the build directory (e.g. build/san)}"
BIN=$SA_BUILD/bin
WRITER=$SA_BUILD/tests/output_writer
T=$(mktemp -d "${TMPDIR:-/tmp}/test_train_outputs.XXXXXX")
MNT=$T/small
cleanup() {
	mountpoint -q "$MNT" && umount "$MNT"
	rm -rf "$T"
}
trap cleanup EXIT
# shellcheck source=tests/host_lib.sh
source "$(dirname "$0")/../host_lib.sh"
check() { if eval "$2"; then ok "$1"; else not_ok "$1" "stdout: ${out:-}" "stderr: ${err:-}"; fi; }

# Data sets written here, independently of the library: 4 classes, class c
# is a bright quadrant c; the same images at 8x8, doubled to 16x16, halved
# to 4x4, and as RGB PNG folders.
python3 - "$T" <<'PY'
import os, random, struct, sys, zlib
out = sys.argv[1]
def images(n, seed):
    r = random.Random(seed); res = []
    for _ in range(n):
        c = r.randrange(4)
        img = [[min(255, r.randrange(150) + (105 if (y // 4) * 2 + x // 4 == c else 0))
                for x in range(8)] for y in range(8)]
        res.append((c, img))
    return res
def scale(img, f):
    if f >= 1:
        return [[img[y // f][x // f] for x in range(8 * f)] for y in range(8 * f)]
    return [[sum(img[2 * y + dy][2 * x + dx] for dy in (0, 1) for dx in (0, 1)) // 4
             for x in range(4)] for y in range(4)]
def idx(name, data, f):
    side = len(scale(data[0][1], f))
    with open(f"{out}/{name}-images", "wb") as fi:
        fi.write(struct.pack(">IIII", 0x803, len(data), side, side))
        for _, img in data:
            fi.write(bytes(v for row in scale(img, f) for v in row))
    with open(f"{out}/{name}-labels", "wb") as fl:
        fl.write(struct.pack(">II", 0x801, len(data)) + bytes(c for c, _ in data))
def png_rgb(path, img):
    raw = b"".join(b"\0" + bytes(v for v in row for _ in range(3)) for row in img)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", len(img[0]), len(img), 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
train, test = images(400, 1), images(120, 2)
idx("train", train, 1); idx("test", test, 1); idx("test16", test, 2); idx("test4", test, 0.5)
for i, (c, img) in enumerate(test):
    os.makedirs(f"{out}/rgb/{c}", exist_ok=True)
    png_rgb(f"{out}/rgb/{c}/{i:03}.png", img)
PY
TRAIN="idx:$T/train-images,$T/train-labels"
TEST="idx:$T/test-images,$T/test-labels"
TEST16="idx:$T/test16-images,$T/test16-labels"
TEST4="idx:$T/test4-images,$T/test4-labels"
printf 'conv 6 3 pad=1 relu\nmaxpool 2\nfc 16 relu\nfc classes\n' >"$T/tiny.arch"
TRAIN_ARGS=(--model "$T/tiny.arch" --data "$TRAIN" --test-data "$TEST" --batch-size 16 --seed 5
	--threads 2 --lr 0.03)

# ------------------------------------------------------------ usage, paths
capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --epochs 0 -o "$T/m.dsm"
check "--epochs 0 is a usage error (exit 1)" '[[ $rc -eq 1 && $err == *"--epochs: '"'"'0'"'"'"* && -z $out ]]'
for opt in -o --save-checkpoint --log --plot; do
	capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --epochs 1 "$opt" "$T/no/such/dir/x"
	check "$opt in a missing directory: exit 1 before training" \
		'[[ $rc -eq 1 && $err == *"$T/no/such/dir does not exist"* && $out != *epoch* ]]'
done
mkdir "$T/adir"
capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --epochs 1 -o "$T/adir"
check "-o naming a directory: exit 1 before training" '[[ $rc -eq 1 && $err == *"is a directory"* && $out != *epoch* ]]'

mkfifo "$T/fifo.arch"
capture timeout 20 "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --model "$T/fifo.arch" --epochs 1
check "a FIFO as the architecture file: exit 2 at once" '[[ $rc -eq 2 && $err == *"fifo.arch: cannot read the architecture file: not a regular file"* ]]'

capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --epochs 3 -o "$T/model.dsm" --log "$T/log.csv"
check "a tiny model trains" '[[ $rc -eq 0 && -s $T/model.dsm ]]'
acc8=$(sed -n 's/^integer model: test accuracy \([0-9]*\).*/\1/p' <<<"$out")
check "the CSV log is whole: a header and 3 epochs" '[[ $(wc -l <"$T/log.csv") -eq 4 ]]'
check "no temporary file is left" '[[ -z $(find "$T" -maxdepth 1 -name ".*.tmp-*") ]]'
# The data's look is stored in the model (light blocks on a darker field, not framed).
check "the model stores input.polarity and input.framing" \
	'grep -aq "input.polarity" "$T/model.dsm" && grep -aq "light-on-dark" "$T/model.dsm" && grep -aq "input.framing" "$T/model.dsm"'

# ------------------------------------------------------------ full filesystem
mkdir "$MNT"
if mount -t tmpfs -o size=256k tmpfs "$MNT" 2>"$T/mount.err"; then
	cp "$T/model.dsm" "$MNT/old.dsm"
	# Fill the rest: nothing the size of a model fits any more.
	dd if=/dev/zero of="$MNT/filler" bs=4k >/dev/null 2>&1
	capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --epochs 1 -o "$MNT/old.dsm"
	check "full disk: exit 2 saying why" '[[ $rc -eq 2 && $err == *"No space left on device"* ]]'
	check "full disk: the old model is intact" 'cmp -s "$T/model.dsm" "$MNT/old.dsm"'
	check "full disk: no temporary file is left" '[[ -z $(find "$MNT" -name ".*.tmp-*") ]]'
	capture "$WRITER" "$MNT/new.bin" 1000000 10 0
	check "full disk, a file that was not there: still not there" '[[ $rc -eq 2 && ! -e $MNT/new.bin && -z $(find "$MNT" -name ".*.tmp-*") ]]'
	capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --epochs 1 --log "$MNT/log.csv"
	check "full disk, CSV log: exit 2, no log, no temporary file" '[[ $rc -eq 2 && $err == *"No space left"* && ! -e $MNT/log.csv && -z $(find "$MNT" -name ".*.tmp-*") ]]'
	rm -f "$MNT/filler"
	capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --epochs 1 -o "$MNT/old.dsm"
	check "with room again the model is replaced" '[[ $rc -eq 0 ]] && ! cmp -s "$T/model.dsm" "$MNT/old.dsm"'
	umount "$MNT"
else
	not_ok "mount a small tmpfs (needs root)" "$(cat "$T/mount.err")"
fi

# ------------------------------------------------------------ killed writer
printf 'OLD CONTENT\n' >"$T/victim.bin"
"$WRITER" "$T/victim.bin" 4000000 400 2000 &
pid=$!
sleep 0.3
kill -KILL "$pid"
wait "$pid" 2>/dev/null
partial=$(find "$T" -maxdepth 1 -name ".victim.bin.tmp-*" -size +0)
check "the writer was killed mid-write (a partial temporary file)" '[[ -n $partial ]]'
check "killed mid-write: the old file is intact" '[[ $(cat "$T/victim.bin") == "OLD CONTENT" ]]'
rm -f "$T"/.victim.bin.tmp-*
capture "$WRITER" "$T/victim.bin" 4000000 4 0
check "a completed write replaces it whole" '[[ $rc -eq 0 && $(stat -c %s "$T/victim.bin") -eq 4000000 ]]'
# Killed during training: the CSV log is rewritten whole after each epoch, never torn.
torn=0
for delay in 0.2 0.5 0.9 1.4; do
	"$BIN/shiftaccel-train" "${TRAIN_ARGS[@]}" --epochs 100000 --quiet --log "$T/k.csv" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	if [[ -e $T/k.csv ]] && { [[ $(tail -c 1 "$T/k.csv" | od -An -c | tr -d ' ') != '\n' ]] ||
		awk -F, 'NR > 1 && NF != 8 { bad = 1 } END { exit !bad }' "$T/k.csv"; }; then
		torn=$((torn + 1))
	fi
done
check "killed during training, 4 times: the CSV log is never torn" '[[ $torn -eq 0 ]]'

# ------------------------------------------------------------ data vs model input
capture "$BIN/shiftaccel-eval" "$T/model.dsm" --data "$TEST16"
acc16=$(sed -n 's/^accuracy: \([0-9]*\).*/\1/p' <<<"$out")
check "eval, images larger than the model's input: resized, accurate" '[[ $rc -eq 0 && -n $acc16 && $acc16 -ge $((acc8 - 15)) ]]'
capture "$BIN/shiftaccel-eval" "$T/model.dsm" --data "$TEST4"
acc4=$(sed -n 's/^accuracy: \([0-9]*\).*/\1/p' <<<"$out")
check "eval, images smaller than the model's input: resized" '[[ $rc -eq 0 && -n $acc4 && $acc4 -ge 40 ]]'
capture "$BIN/shiftaccel-eval" "$T/model.dsm" --data "pngdir:$T/rgb"
check "eval, RGB images for a gray model: exit 2 naming both" '[[ $rc -eq 2 && $err == *"3-channel images but the model expects 1" ]]'
# The model is 16x16 (trained on the doubled set), the data 8x8: the case that overflowed.
capture "$BIN/shiftaccel-train" --model "$T/tiny.arch" --data "$TEST16" --epochs 2 --seed 5 \
	--batch-size 16 --threads 2 --lr 0.03 --quiet -o "$T/model16.dsm"
capture "$BIN/shiftaccel-eval" "$T/model16.dsm" --data "$TEST"
check "eval, model input larger than the images: resized, no overflow" '[[ $rc -eq 0 && $out == *accuracy:* ]]'
capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]/$TEST/$TEST16}" --epochs 1
check "training, a larger test set: resized to the model's input" '[[ $rc -eq 0 && $out == *"resized to the training images"* ]]'
capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]/$TEST/$TEST4}" --epochs 1
check "training, a smaller test set: resized to the model's input" '[[ $rc -eq 0 && $out == *"resized to the training images"* ]]'
capture "$BIN/shiftaccel-train" "${TRAIN_ARGS[@]/$TEST/pngdir:$T/rgb}" --epochs 1
check "training, an RGB test set for gray training: exit 2 before training" '[[ $rc -eq 2 && $err == *"3-channel"* && $out != *epoch* ]]'
finish
