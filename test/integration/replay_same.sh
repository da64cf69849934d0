#!/usr/bin/env bash
# replay_same.sh: a replay reproduces itself. The same sample, model and
# options give the same verdicts, byte for byte in the JSON (queue ids
# included): with one, two and three workers, and once beside two
# processes that keep both cores busy. The traffic is the provider
# generator's (accounts flagged, slowed, deferred and rescanned, which is
# where timing used to leak into the verdicts).
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/tools/bench/provider.py" --out "$T/mail" --scale 0.2 --seed 11 --train "$T/train" \
    >"$T/gen.log" 2>&1 || fail "provider.py: $(tail -2 "$T/gen.log")"
mkdir -p "$T/models"
"$FARM_BIN/farm-train" --models "$T/models" --ham "$T/train/ham" --spam "$T/train/spam" >"$T/train.log" 2>&1 ||
    fail "farm-train: $(tail -2 "$T/train.log")"
replay() {   # replay NAME WORKERS
    "$FARM_BIN/farm-replay" "$T/mail" --out "$T/$1" --models "$T/models" --workers "$2" --json "$T/$1.json" \
        >"$T/$1.log" 2>&1 || fail "replay $1: $(tail -3 "$T/$1.log")"
}
differ() {   # differ A B: how many messages' lines differ
    python3 - "$T/$1.json" "$T/$2.json" <<'PY'
import json, sys
a = [l for l in open(sys.argv[1])]
b = [l for l in open(sys.argv[2])]
print(sum(1 for x, y in zip(a, b) if x != y) + abs(len(a) - len(b)))
PY
}
replay one 1
replay two 2
replay three 3
hogs=()
for _ in 1 2; do
    ( while :; do :; done ) &
    hogs+=($!)
done
replay busy 2
kill "${hogs[@]}" 2>/dev/null
wait "${hogs[@]}" 2>/dev/null
n=$(grep -c . "$T/one.json")
[ "$n" -gt 1000 ] || fail "only $n verdicts"
grep -q '"deferred_by":"\(new-account\|slowed\)' "$T/one.json" || fail "nothing slowed: the traffic does not test the hard part"
grep -q 'compromise: score' "$T/one.json" || fail "nothing held for compromise: the traffic does not test the hard part"
for run in two three busy; do
    cmp -s "$T/one.json" "$T/$run.json" ||
        fail "replay '$run' differs from 'one' in $(differ one $run) of $n messages, e.g. $(diff "$T/one.json" "$T/$run.json" | head -c 600)"
done
no_sanitizer_reports
echo "ok: $n messages, the same JSON byte for byte with 1, 2 and 3 workers and beside two busy processes"
