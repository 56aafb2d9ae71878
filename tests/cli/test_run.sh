#!/usr/bin/env bash
# End-to-end tests of shiftaccel-run: results, --json, --topk, and the exit
# code and one-line message of every kind of bad input.  `make check` runs
# it on the ASan/UBSan build, so every run here is also a no-crash check.
#
# Uses $SA_BUILD/bin/shiftaccel-run and $SA_BUILD/tests/make_fixture (which
# writes the models and images; see tests/cli/make_fixture.c for why each
# image has the top-1 class it has).
set -u

: "${SA_BUILD:?set SA_BUILD to the build directory (e.g. build/san)}"
RUN="$SA_BUILD/bin/shiftaccel-run"
FIXTURE="$SA_BUILD/tests/make_fixture"
T=$(mktemp -d "${TMPDIR:-/tmp}/test_run.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/host_lib.sh
source "$(dirname "$0")/../host_lib.sh"

# run ARGS...: runs the tool, leaving stdout in $out, stderr in $err, exit code in $rc.
run() {
	capture "$RUN" "$@"
}

# expect_fail NAME CODE PATTERN ARGS...: the run must exit with CODE, print nothing on
# stdout, and print exactly one stderr line starting "shiftaccel-run: " matching PATTERN.
expect_fail() {
	local name=$1 code=$2 pattern=$3
	shift 3
	run "$@"
	local lines
	lines=$(wc -l <"$T/err")
	if [[ $rc -eq $code && -z "$out" && $lines -eq 1 && "$err" == "shiftaccel-run: "* ]] &&
		grep -qE -- "$pattern" <<<"$err"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc (want $code), $lines stderr line(s), want /$pattern/" \
			"stderr: $err" "stdout: $out"
	fi
}

# top1_is NAME LABEL ARGS...: a successful run whose first ranked class is LABEL.
top1_is() {
	local name=$1 label=$2
	shift 2
	run "$@"
	if [[ $rc -eq 0 ]] && grep -qE "^ 1\. $label +[0-9.]+%$" <<<"$out"; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, want top-1 '$label'" "stdout: $out" "stderr: $err"
	fi
}

for f in "$RUN" "$FIXTURE"; do
	if [[ ! -x "$f" ]]; then
		not_ok "binaries exist" "$f is missing (build with: make BUILD=$SA_BUILD check-build)"
		echo "$pass passed, $fail failed"
		exit 1
	fi
done
if ! "$FIXTURE" "$T"; then
	not_ok "make_fixture writes the fixtures"
	echo "$pass passed, $fail failed"
	exit 1
fi

# ---------------------------------------------------------------- results
top1_is "bright top is cat" cat "$T/gray.dsm" "$T/top.png" --device cpu
top1_is "bright bottom is dog" dog "$T/gray.dsm" "$T/bottom.png" --device cpu
top1_is "dark is bird" bird "$T/gray.dsm" "$T/dark.png" --device cpu
top1_is "larger image is resized" dog "$T/gray.dsm" "$T/bottom-large.png" --device cpu
top1_is "RGB model" cat "$T/rgb.dsm" "$T/top-rgb.png" --device cpu
top1_is "smaller RGB image is resized" dog "$T/rgb.dsm" "$T/bottom-rgb-small.png"
top1_is "--convert RGB image for gray model" cat "$T/gray.dsm" "$T/top-rgb.png" --convert
top1_is "--convert gray image for RGB model" dog "$T/rgb.dsm" "$T/bottom.png" --convert
top1_is "no labels: class index" 1 "$T/nolabels.dsm" "$T/bottom.png"
top1_is "float simulation" cat "$T/gray.dsm" "$T/top.png" --device cpu-float

run "$T/gray.dsm" "$T/top.png" --device cpu --repeat 3
if [[ $rc -eq 0 && -z "$err" ]] &&
	grep -qx 'model:   fixture-cnn (shapes)' <<<"$out" &&
	grep -qx 'device:  cpu' <<<"$out" &&
	[[ $(grep -cE '^ [1-3]\. ' <<<"$out") -eq 3 ]] &&
	grep -qE '^latency: [0-9.]+ ms median over 3 runs \(preprocess [0-9.]+ ms\)$' <<<"$out"; then
	ok "text output: model, device, 3 classes, latency; nothing on stderr"
else
	not_ok "text output" "exit $rc" "stdout: $out" "stderr: $err"
fi

# Probabilities are percentages that add up to 100 (all 3 classes shown).
total=$(sed -nE 's/^ [0-9]+\. +[a-z]+ +([0-9.]+)%$/\1/p' <<<"$out" | awk '{s += $1} END {print s}')
if awk -v s="$total" 'BEGIN {exit !(s > 99.9 && s < 100.1)}'; then
	ok "probabilities add up to 100%"
else
	not_ok "probabilities add up to 100%" "sum $total" "$out"
fi

run "$T/gray.dsm" "$T/top.png" --topk 2
if [[ $rc -eq 0 && $(grep -cE '^ [0-9]+\. ' <<<"$out") -eq 2 ]]; then
	ok "--topk 2 prints 2 classes"
else
	not_ok "--topk 2" "exit $rc" "$out"
fi
run "$T/gray.dsm" "$T/top.png" --topk 50
if [[ $rc -eq 0 && $(grep -cE '^ [0-9]+\. ' <<<"$out") -eq 3 ]]; then
	ok "--topk larger than the class count is capped"
else
	not_ok "--topk 50" "exit $rc" "$out"
fi

# --device auto without a card: runs on the CPU and says so in one stderr line.
if [[ ! -d /sys/class/accel ]] || [[ -z "$(ls -A /sys/class/accel 2>/dev/null)" ]]; then
	run "$T/gray.dsm" "$T/top.png" --device auto
	if [[ $rc -eq 0 && $(wc -l <"$T/err") -eq 1 && "$err" == "shiftaccel-run: "*"running on the CPU" ]] &&
		grep -qx 'device:  cpu' <<<"$out"; then
		ok "--device auto without a card falls back to the CPU with a notice"
	else
		not_ok "--device auto fallback" "exit $rc" "stdout: $out" "stderr: $err"
	fi
	expect_fail "--device accel without a card" 3 "card" "$T/gray.dsm" "$T/top.png" --device accel
	expect_fail "--device accel:5 without a card" 3 "^shiftaccel-run: accel:5: no card accel:5; no ShiftAccel card" \
		"$T/gray.dsm" "$T/top.png" --device accel:5
	expect_fail "--device accel:PCI without a card" 3 "accel:0000:00:05.0: no ShiftAccel card at PCI address 0000:00:05.0" \
		"$T/gray.dsm" "$T/top.png" --device accel:0000:00:05.0
	expect_fail "--device accel:/dev/accel/accel0 without a card" 3 "accel:/dev/accel/accel0: /dev/accel/accel0: No such file" \
		"$T/gray.dsm" "$T/top.png" --device accel:/dev/accel/accel0
	SHIFTACCEL_DEVICE=accel:1 expect_fail "SHIFTACCEL_DEVICE=accel:1 without a card" 3 \
		"SHIFTACCEL_DEVICE=accel:1: no card accel:1" "$T/gray.dsm" "$T/top.png"
else
	# A card is present (VM tier): the fallback paths cannot be exercised here.
	run "$T/gray.dsm" "$T/top.png" --device accel
	if [[ $rc -eq 0 ]] && grep -qx 'device:  accel' <<<"$out"; then
		ok "--device accel with a card"
	else
		not_ok "--device accel with a card" "exit $rc" "stdout: $out" "stderr: $err"
	fi
fi

# ---------------------------------------------------------------- JSON
run "$T/gray.dsm" "$T/bottom.png" --json --topk 2 --repeat 4 --device cpu
if [[ $rc -eq 0 ]] && python3 -m json.tool "$T/out" >/dev/null 2>&1; then
	ok "--json prints valid JSON"
else
	not_ok "--json prints valid JSON" "exit $rc" "stdout: $out" "stderr: $err"
fi
if python3 - "$T/out" <<'EOF'; then
import json, sys
d = json.load(open(sys.argv[1]))
assert d["model"] == "fixture-cnn", d
assert d["dataset"] == "shapes", d
assert d["device"] == "cpu", d
assert d["repeat"] == 4, d
top = d["topk"]
assert len(top) == 2, top
assert top[0]["index"] == 1 and top[0]["label"] == "dog", top
assert 0.5 < top[0]["probability"] <= 1, top
assert top[0]["probability"] >= top[1]["probability"] >= 0, top
lat = d["latency_ms"]
assert 0 <= lat["min"] <= lat["median"] <= lat["max"], lat
assert d["preprocess_ms"] >= 0, d
EOF
	ok "--json fields: model, dataset, device, repeat, topk, latency"
else
	not_ok "--json fields" "$out"
fi
if [[ $(wc -l <"$T/out") -eq 1 ]]; then
	ok "--json is one line"
else
	not_ok "--json is one line" "$out"
fi
run "$T/gray.dsm" "$T/bottom.png" --json --batch 3 --device cpu
if [[ $rc -eq 0 ]] && python3 - "$T/out" <<'EOF'; then
import json, sys
d = json.load(open(sys.argv[1]))
assert d["batch"]["size"] == 3 and d["batch"]["inferences_per_second"] > 0, d
assert "card_ms" not in d, d
EOF
	ok "--json --batch on the CPU: the batch figures, no card times"
else
	not_ok "--json --batch" "exit $rc" "stdout: $out" "stderr: $err"
fi
run "$T/nolabels.dsm" "$T/dark.png" --json --topk 1
if [[ $rc -eq 0 ]] && python3 - "$T/out" <<'EOF'; then
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["model"] == 'no "labels" \\ \t caf\u00e9', repr(d["model"])
assert d["dataset"] == "shapes", d
assert d["topk"] == [{"index": 2, "label": "2", "probability": d["topk"][0]["probability"]}], d
EOF
	ok "--json escapes the model name; class index as label without labels"
else
	not_ok "--json escaping" "exit $rc" "stdout: $out" "stderr: $err"
fi

# ---------------------------------------------------------------- usage
run --help
if [[ $rc -eq 0 ]] && grep -q -- "--topk" <<<"$out" && grep -q "Exit status" <<<"$out"; then
	ok "--help documents options and exit codes"
else
	not_ok "--help" "exit $rc" "$out"
fi
run --version
if [[ $rc -eq 0 ]] && grep -qE '^shiftaccel-run .*[0-9]+\.[0-9]+\.[0-9]+$' <<<"$out"; then
	ok "--version"
else
	not_ok "--version" "exit $rc" "$out"
fi
expect_fail "unknown option" 1 "unknown option '--frobnicate'" "$T/gray.dsm" "$T/top.png" --frobnicate
expect_fail "--topk 0" 1 "--topk: '0'" "$T/gray.dsm" "$T/top.png" --topk 0
expect_fail "--repeat abc" 1 "--repeat: 'abc'" "$T/gray.dsm" "$T/top.png" --repeat abc
expect_fail "--topk without a value" 1 "--topk needs an argument" "$T/gray.dsm" "$T/top.png" --topk
expect_fail "unknown device" 1 '--device: device "gpu": unknown device' "$T/gray.dsm" "$T/top.png" --device gpu
expect_fail "device names are case-sensitive" 1 'device "ACCEL": unknown device' \
	"$T/gray.dsm" "$T/top.png" --device ACCEL
expect_fail "accel: without a card" 1 'device "accel:": nothing after' "$T/gray.dsm" "$T/top.png" --device accel:
expect_fail "negative card index" 1 'device "accel:-1": a card index is decimal digits only' \
	"$T/gray.dsm" "$T/top.png" --device accel:-1
expect_fail "huge card index" 1 'device "accel:99999999999": card index out of range \(0 to 255\)' \
	"$T/gray.dsm" "$T/top.png" --device accel:99999999999
expect_fail "bad PCI address" 1 'device "accel:0000:zz:00.0": not a PCI address' \
	"$T/gray.dsm" "$T/top.png" --device accel:0000:zz:00.0
expect_fail "very long device string" 1 'is 300 bytes long; a device string has at most 63' \
	"$T/gray.dsm" "$T/top.png" --device "accel:$(printf 'x%.0s' $(seq 294))"
# A bad SHIFTACCEL_DEVICE is refused by name, as a usage error ...
SHIFTACCEL_DEVICE=gpu expect_fail "bad SHIFTACCEL_DEVICE" 1 \
	'environment variable SHIFTACCEL_DEVICE: device "gpu": unknown device' "$T/gray.dsm" "$T/top.png"
# ... and an explicit --device wins over it.
SHIFTACCEL_DEVICE=gpu top1_is "--device wins over SHIFTACCEL_DEVICE" cat "$T/gray.dsm" "$T/top.png" \
	--device cpu
SHIFTACCEL_DEVICE=cpu-float run "$T/gray.dsm" "$T/top.png"
if [[ $rc -eq 0 && -z "$err" ]] && grep -qx 'device:  cpu-float' <<<"$out"; then
	ok "SHIFTACCEL_DEVICE=cpu-float is honoured"
else
	not_ok "SHIFTACCEL_DEVICE=cpu-float" "exit $rc" "stdout: $out" "stderr: $err"
fi
SHIFTACCEL_DEVICE=cpu run "$T/gray.dsm" "$T/top.png" --device auto
if [[ $rc -eq 0 && -z "$err" ]] && grep -qx 'device:  cpu' <<<"$out"; then
	ok "SHIFTACCEL_DEVICE=cpu is honoured with --device auto, without a fallback notice"
else
	not_ok "SHIFTACCEL_DEVICE=cpu" "exit $rc" "stdout: $out" "stderr: $err"
fi
expect_fail "missing image argument" 1 "expected MODEL.dsm and IMAGE.png" "$T/gray.dsm"

# ---------------------------------------------------------------- bad files
expect_fail "missing model" 2 "$T/nope.dsm: .*No such file" "$T/nope.dsm" "$T/top.png"
expect_fail "missing image" 2 "$T/nope.png: .*No such file" "$T/gray.dsm" "$T/nope.png"
echo "this is not an image" >"$T/text.png"
expect_fail "text file named .png" 2 "$T/text.png: not a PNG" "$T/gray.dsm" "$T/text.png"
head -c 60 "$T/top.png" >"$T/truncated.png"
expect_fail "truncated PNG" 2 "$T/truncated.png: corrupt PNG" "$T/gray.dsm" "$T/truncated.png"
expect_fail "RGB image into gray model" 2 \
	"$T/top-rgb.png: image has 3 channels \(RGB\), model expects 1 \(grayscale\); use --convert" \
	"$T/gray.dsm" "$T/top-rgb.png"
expect_fail "gray image into RGB model" 2 "$T/top.png: image has 1 channel .*use --convert" \
	"$T/rgb.dsm" "$T/top.png"

# A flipped byte in the middle of the model: the checksum catches it.
size=$(stat -c %s "$T/gray.dsm")
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0x10
open(sys.argv[2], "wb").write(b)' "$T/gray.dsm" "$T/flipped.dsm"
expect_fail "model with a flipped byte" 2 "$T/flipped.dsm: .*checksum" "$T/flipped.dsm" "$T/top.png"
head -c $((size - 7)) "$T/gray.dsm" >"$T/short.dsm"
expect_fail "truncated model" 2 "$T/short.dsm: .*(truncated|size|short)" "$T/short.dsm" "$T/top.png"
expect_fail "PNG given as the model" 2 "$T/top.png: " "$T/top.png" "$T/top.png"

# ---------------------------------------------------------------- hostile text
# Labels and names from the model reach the terminal escaped: no ESC, CR or
# C1 control byte in the output, each shown as \xNN.
run "$T/hostile.dsm" "$T/top.png" --topk 3
if [[ $rc -eq 0 ]] && ! LC_ALL=C grep -q $'[\x1b\r\x07]' "$T/out" &&
	! LC_ALL=C grep -q $'\xc2\x9b' "$T/out" && grep -qF '\x1b[31mcat' "$T/out" &&
	grep -qF 'dog\x0dX' "$T/out" && grep -qF 'bird\xc2\x9b2J' "$T/out" &&
	grep -qF 'evil\x1b]0;owned\x07\x1b[2J' "$T/out"; then
	ok "labels and the model name are escaped in text output"
else
	not_ok "hostile labels" "exit $rc" "stdout: $(od -c "$T/out" | head -5)"
fi
printf 'x' >"$T/esc"$'\033'"[2J.png"
run "$T/gray.dsm" "$T/esc"$'\033'"[2J.png"
if [[ $rc -eq 2 ]] && ! LC_ALL=C grep -q $'\x1b' "$T/err" && grep -qF 'esc\x1b[2J.png' "$T/err"; then
	ok "a file name with an escape sequence is escaped in the error"
else
	not_ok "escaped file name" "exit $rc" "stderr: $(od -c "$T/err" | head -3)"
fi

# ---------------------------------------------------------------- exact option errors
expect_fail "--json=1: the option takes no value" 1 \
	"^shiftaccel-run: option '--json' takes no value \(see --help\)$" \
	"$T/gray.dsm" "$T/top.png" --json=1
if LC_ALL=C grep -q $'[^\t -~]' "$T/err"; then
	not_ok "--json=1 message is plain ASCII" "stderr: $(od -c "$T/err" | head -3)"
else
	ok "--json=1 message is plain ASCII"
fi
expect_fail "unknown short option" 1 "^shiftaccel-run: unknown option '-q' \(see --help\)$" \
	"$T/gray.dsm" "$T/top.png" -q
expect_fail "--invert maybe" 1 "--invert: 'maybe' is not auto, yes or no" \
	"$T/gray.dsm" "$T/top.png" --invert maybe
expect_fail "--fit crop" 1 "--fit: 'crop' is not auto, frame or none" \
	"$T/gray.dsm" "$T/top.png" --fit crop

# ---------------------------------------------------------------- other image formats
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01' >"$T/photo.png"
expect_fail "a JPEG named .png is named JPEG" 2 "$T/photo.png: a JPEG image, not a PNG" \
	"$T/gray.dsm" "$T/photo.png"
printf 'GIF89a\x01\x00\x01\x00\x00\x00\x00;' >"$T/anim.png"
expect_fail "a GIF is named GIF" 2 "$T/anim.png: a GIF image, not a PNG" "$T/gray.dsm" "$T/anim.png"
printf 'BM\x3a\x00\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00' >"$T/paint.png"
expect_fail "a BMP is named BMP" 2 "$T/paint.png: a BMP image, not a PNG" "$T/gray.dsm" "$T/paint.png"
printf 'RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00' >"$T/web.png"
expect_fail "a WebP is named WebP" 2 "$T/web.png: a WebP image, not a PNG" "$T/gray.dsm" "$T/web.png"

# ---------------------------------------------------------------- hostile files
# Not regular files: refused at once, never read (a FIFO without a writer blocks forever).
mkfifo "$T/fifo.png" "$T/fifo.dsm"
capture timeout 20 "$RUN" "$T/gray.dsm" "$T/fifo.png"
if [[ $rc -eq 2 && $err == *"fifo.png: a FIFO, not a regular file"* ]]; then
	ok "a FIFO as the image: exit 2 at once"
else
	not_ok "FIFO image" "exit $rc" "stderr: $err"
fi
capture timeout 20 "$RUN" "$T/fifo.dsm" "$T/top.png"
if [[ $rc -eq 2 && $err == *"fifo.dsm: a FIFO, not a regular file"* ]]; then
	ok "a FIFO as the model: exit 2 at once"
else
	not_ok "FIFO model" "exit $rc" "stderr: $err"
fi
expect_fail "a directory as the image" 2 "$T: a directory, not a regular file" "$T/gray.dsm" "$T"
expect_fail "a device as the model" 2 "/dev/zero: a character device, not a regular file" \
	/dev/zero "$T/top.png"

# Sizes a small file declares are checked before memory is allocated for them
# (peak RSS in kB from /usr/bin/time; the sanitizers' own overhead stays far below).
rss_fail() {
	local name=$1 pattern=$2
	shift 2
	capture /usr/bin/time -f '%M' -o "$T/rss" "$RUN" "$@"
	local rss
	rss=$(tail -1 "$T/rss")
	if [[ $rc -eq 2 && $err == *$pattern* && $rss -lt 300000 ]]; then
		ok "$name: exit 2, peak $((rss / 1024)) MB"
	else
		not_ok "$name" "exit $rc, peak ${rss} kB" "stderr: $err"
	fi
}
seeds=$(dirname "$0")/../fuzz
rss_fail "a 44-byte PNG whose chunk claims 2 GiB" "claims 2147483647 bytes" \
	"$T/gray.dsm" "$seeds/corpus-png/invalid-chunk-claims-2gib.png"
rss_fail "a PNG header larger than its file" "cannot hold a 16384x4096 image" \
	"$T/gray.dsm" "$seeds/corpus-png/invalid-header-larger-than-file.png"
rss_fail "a small .dsm declaring a huge input" "more than 16777216 elements" \
	"$seeds/corpus/invalid-huge-input.dsm" "$T/top.png"
# An RGB image at the size limit for a gray model: refused from its header, not decoded.
python3 - "$T/big-rgb.png" <<'PY'
import struct, sys, zlib
w, h = 16384, 4096
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
z = zlib.compressobj(9)
row = b"\0" + bytes(3 * w)
idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
PY
rss_fail "a 200 MB RGB image for a gray model, refused before decoding" "image has 3 channels" \
	"$T/gray.dsm" "$T/big-rgb.png"

finish
