#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bash -c snippets take their values as arguments, hence single quotes.
# shellcheck disable=SC2016
#
# shiftaccel-info on a machine without a ShiftAccel card (the build host):
# it must say there is no card on the PCI bus, exit 3, and give the same
# verdict as valid JSON with --json.  If the machine does have cards (counted
# here from sysfs directly), it must list exactly those instead.
# Uses $SA_BUILD/bin/shiftaccel-info; ends with "N passed, N failed".
set -u

: "${SA_BUILD:?set SA_BUILD to the build directory (e.g. build/san)}"
INFO="$SA_BUILD/bin/shiftaccel-info"
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/test_info.XXXXXX")
trap 'rm -rf "$T"' EXIT
# shellcheck source=tests/host_lib.sh
source tests/host_lib.sh
check() { # DESCRIPTION COMMAND...: passes when COMMAND succeeds
	local what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what" "stdout: $out" "stderr: $err"
	fi
}
run() { # ARGS...: stdout in $out, stderr in $err, exit code in $rc
	capture "$INFO" "$@"
}
json() { # PYTHON-EXPRESSION over j (the parsed $T/out)
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" "$T/out"
}

# The cards on this machine, read from sysfs without the tool.
cards=()
for d in /sys/bus/pci/devices/*; do
	[[ $(cat "$d/vendor" 2>/dev/null) == 0x1234 && $(cat "$d/device" 2>/dev/null) == 0x5a11 ]] &&
		cards+=("$(basename "$d")")
done
# Library version from the public header, not copied.
lib_version=$(for p in MAJOR MINOR PATCH; do
	sed -nE "s/^#define SA_LIB_VERSION_$p ([0-9]+).*/\1/p" libshiftaccel/include/shiftaccel.h
done | paste -sd.)

run
if ((${#cards[@]} == 0)); then
	check "no card: exit status 3 (no usable card)" test "$rc" -eq 3
	check "no card: says 'no ShiftAccel card on the PCI bus'" \
		grep -q '^no ShiftAccel card on the PCI bus (libpci lists no device 1234:5a11)$' "$T/out"
	check "no card: lists no card" bash -c "! grep -q '^ShiftAccel card ' '$T/out'"
	check "no card: nothing on stderr" test -z "$err"
else
	echo "# this machine has ${#cards[@]} card(s): ${cards[*]}"
	check "cards: every card from sysfs is listed" \
		bash -c 'for a in "${@:2}"; do grep -q "^ShiftAccel card $a: " "$1" || exit 1; done' \
		_ "$T/out" "${cards[@]}"
fi
rc_text=$rc
check "text: library version $lib_version" grep -q "^library: *libshiftaccel $lib_version\$" "$T/out"

run --json
rc_json=$rc
check "--json: same exit status as the text output ($rc_text)" test "$rc_json" -eq "$rc_text"
if python3 -m json.tool "$T/out" >/dev/null 2>"$T/jerr"; then
	ok "--json: output is valid JSON (python3 -m json.tool)"
else
	not_ok "--json: output is not valid JSON" "$(cat "$T/jerr")" "$out"
fi
check "--json: library_version $lib_version" test "$(json 'j["library_version"]')" = "$lib_version"
check "--json: lists ${#cards[@]} card(s)" test "$(json 'len(j["cards"])')" = "${#cards[@]}"
if ((${#cards[@]} == 0)); then
	check "--json: exit 3 with no card" test "$rc_json" -eq 3
	check "--json: usable_cards is 0" test "$(json 'j["usable_cards"]')" = 0
	check "--json: summary says no card on the PCI bus" \
		test "$(json 'j["summary"].startswith("no ShiftAccel card on the PCI bus")')" = True
	check "--json: the library's own probe agrees (found: false, with a message)" \
		test "$(json 'j["library_probe"]["found"] is False and len(j["library_probe"]["message"]) > 0')" = True
fi

run --help
check "--help: exit 0 and documents exit status 3" \
	bash -c '[[ $0 -eq 0 ]] && grep -q "^  3  no usable card" "$1"' "$rc" "$T/out"
run --version
check "--version: prints the library version" \
	bash -c '[[ $0 -eq 0 ]] && grep -q "$2" "$1"' "$rc" "$T/out" "$lib_version"
run --frobnicate
check "bad option: exit 1 naming the option" \
	bash -c '[[ $0 -eq 1 ]] && grep -q -- "--frobnicate" "$1"' "$rc" "$T/err"
run extra
check "stray argument: exit 1 naming it" \
	bash -c "[[ \$0 -eq 1 ]] && grep -q \"'extra'\" \"\$1\"" "$rc" "$T/err"

finish
