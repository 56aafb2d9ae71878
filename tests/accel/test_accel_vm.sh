#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The accel backend end to end, run INSIDE a tools/vmrun guest (make vmcheck):
# loads $SA_BUILD/driver/shiftaccel.ko, then
#   1. for every test model (accel_models: sequential CNN, residual net,
#      depthwise/grouped convs with int16, an fc split over descriptors; plus
#      data/models/*.dsm when present) the card's bytes equal the CPU's, and
#      pipelined batches equal single runs, SA_DEVICE_AUTO picks the card
#      (accel_check compare);
#   2. shiftaccel-run --device accel prints the same classes and
#      probabilities as --device cpu plus the latency split, and --device
#      auto runs on the card;
#   3. a process killed with jobs in flight leaves no queue or buffer behind
#      and the next process computes correctly;
#   4. a card error (fault injection, needs --debug-card) is SA_ERR_DEVICE
#      with a message and a new session works (accel_check fault).
# Ends with "N passed, N failed".
#   tools/vmrun --debug-card -- bash tests/accel/test_accel_vm.sh
set -u
cd "${SA_PROJECT:-$(dirname "$0")/../..}" || exit 1
B=${SA_BUILD:-build}
T=$(mktemp -d /tmp/accel-vm.XXXXXX)

# shellcheck source-path=SCRIPTDIR/../..
source tests/vm/vm_lib.sh

# Adds a C checker's "N passed, N failed" to ours.
add_totals() {
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1)
	if [[ -z $line ]]; then
		fail "$2 printed no result line"
		return
	fi
	passed=$((passed + ${line%% passed*}))
	line=${line#*, }
	failed=$((failed + ${line%% failed}))
}

load_module "$B/driver/shiftaccel.ko"
for _ in $(seq 50); do
	compgen -G "/dev/accel/accel*" >/dev/null && break
	sleep 0.1
done

# 1. Byte-identical outputs, model by model.
if "$B/tests/accel_models" "$T"; then
	pass "accel_models wrote the test models"
else
	fail "accel_models"
	finish
fi
models=("$T"/*.dsm)
for m in data/models/*.dsm; do
	[[ -f $m ]] && models+=("$m")
done
"$B/tests/accel_check" compare "${models[@]}" | tee "$T/compare.log"
add_totals "$T/compare.log" "accel_check compare"

# 2. The CLI: same results on the card and the CPU, auto picks the card.
"$B/tests/make_fixture" "$T" || fail "make_fixture"
cli_cases=("$T/gray.dsm $T/top.png" "$T/rgb.dsm $T/top-rgb.png" "$T/gray.dsm $T/dark.png")
for m in data/models/*.dsm; do
	png=${m%.dsm}.png
	[[ -f $m && -f $png ]] && cli_cases+=("$m $png --convert")
done
for c in "${cli_cases[@]}"; do
	# shellcheck disable=SC2086 # the case is words on purpose
	cpu=$(shiftaccel-run $c --device cpu --topk 3 2>&1 | grep -v -e '^device:' -e '^latency:' -e '^card:')
	# shellcheck disable=SC2086
	card=$(shiftaccel-run $c --device accel --topk 3 2>&1)
	# shellcheck disable=SC2086
	auto=$(shiftaccel-run $c --topk 3 2>&1)
	if grep -qx 'device:  accel' <<<"$card" &&
		[[ $(grep -v -e '^device:' -e '^latency:' -e '^card:' -e '^on card:' <<<"$card") == "$cpu" ]] &&
		[[ -n $cpu ]]; then
		pass "shiftaccel-run $c: --device accel prints what --device cpu prints"
	else
		fail "shiftaccel-run $c: card and CPU differ"
		printf '#   cpu:\n%s\n#   accel:\n%s\n' "$cpu" "$card"
	fi
	if grep -qE '^card:    host [0-9.]+ ms, device [0-9.]+ ms, of which waiting asleep [0-9.]+ ms' <<<"$card"; then
		pass "shiftaccel-run $c: prints the latency split on the card"
	else
		fail "shiftaccel-run $c: no latency split"
	fi
	if grep -qx 'device:  accel' <<<"$auto"; then
		pass "shiftaccel-run $c: --device auto runs on the card"
	else
		fail "shiftaccel-run $c: --device auto did not pick the card"
		printf '%s\n' "$auto"
	fi
done

batch=$(shiftaccel-run "$T/gray.dsm" "$T/top.png" --device accel --batch 16 2>&1)
if grep -qE '^batch:   16 pipelined, [0-9.]+ inferences/s, each equal to the single run' <<<"$batch"; then
	pass "shiftaccel-run --batch 16 on the card: every pipelined result equals the single run"
else
	fail "shiftaccel-run --batch 16 on the card"
	printf '%s\n' "$batch"
fi
json=$(shiftaccel-run "$T/gray.dsm" "$T/top.png" --device accel --batch 4 --json 2>&1)
if python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["device"] == "accel", d
assert d["batch"]["size"] == 4 and d["batch"]["inferences_per_second"] > 0, d
c = d["card_ms"]
assert c["host"] > 0 and 0 <= c["asleep"] <= c["device"], c
' "$json"; then
	pass "shiftaccel-run --json on the card: batch and card time figures"
else
	fail "shiftaccel-run --json on the card"
	printf '%s\n' "$json"
fi

# A user without CAP_IPC_LOCK whose buffers exceed its locked-memory limit is
# told which limit, and nothing is left pinned.
memlock=$(ulimit -l 16; setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock \
	shiftaccel-run "$T/gray.dsm" "$T/top.png" --device accel 2>&1)
rc=$?
if [[ $rc -eq 3 ]] && grep -q "locked-memory limit of 16 KiB (ulimit -l" <<<"$memlock"; then
	pass "shiftaccel-run --device accel over RLIMIT_MEMLOCK: exit 3 naming the limit"
else
	fail "shiftaccel-run --device accel over RLIMIT_MEMLOCK (exit $rc)"
	printf '%s\n' "$memlock"
fi

# 3. A process killed with jobs in flight leaves the card clean and usable.
sysdev=$(compgen -G "/sys/class/accel/accel*/device" | head -1)
queues0=$(cat "$sysdev/queue_count")
bos0=$(cat "$sysdev/bo_count")
"$B/tests/accel_check" loop "$T/residual.dsm" >"$T/loop.out" 2>&1 &
pid=$!
for _ in $(seq 300); do
	grep -q running "$T/loop.out" && break
	sleep 0.1
done
sleep 0.5
if kill -0 "$pid" 2>/dev/null && grep -q running "$T/loop.out"; then
	pass "a process keeps jobs in flight"
else
	fail "the busy process did not start: $(cat "$T/loop.out")"
fi
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
for _ in $(seq 50); do
	[[ $(cat "$sysdev/queue_count") == "$queues0" && $(cat "$sysdev/bo_count") == "$bos0" ]] && break
	sleep 0.1
done
if [[ $(cat "$sysdev/queue_count") == "$queues0" && $(cat "$sysdev/bo_count") == "$bos0" ]]; then
	pass "after kill -9 its queue and buffers are gone (queue_count $queues0, bo_count $bos0)"
else
	fail "after kill -9: queue_count $(cat "$sysdev/queue_count") (was $queues0), bo_count $(cat "$sysdev/bo_count") (was $bos0)"
fi
"$B/tests/accel_check" compare "$T/seq_cnn.dsm" >"$T/after-kill.log"
add_totals "$T/after-kill.log" "accel_check compare after the kill"

# 4. A card error surfaces cleanly and a new session works.
inject=$(compgen -G "/sys/kernel/debug/accel/*/fault_inject" | head -1)
if [[ -n $inject ]]; then
	"$B/tests/accel_check" fault "$T/residual.dsm" "$inject" | tee "$T/fault.log"
	add_totals "$T/fault.log" "accel_check fault"
else
	fail "no debugfs fault_inject file (run with --debug-card)"
fi
rm -rf "$T"
finish
