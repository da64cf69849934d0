#!/usr/bin/env bash
# provider.sh: five days of a provider's mail from four kinds of account
# (tools/bench/provider.py: people, businesses, newsletters, shops, with hard
# cases and hijacks of each kind), through the farm from the day it is
# switched on, with no history: at most 0.1% of each kind's legitimate mail
# held for compromise, no hard case held, every hijack's leak at most 20
# (median 10). The same traffic in observe mode holds nothing for
# compromise and records would-holds; with --observe-until, holds start only
# after the warm-up. farm-ctl mode, kind and action set an account's own.
# (Bodies from the generator's templates, and a model trained on other
# messages of the same templates: the corpus is not part of the test run.)
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/tools/bench/provider.py" --out "$T/mail" --scale 0.4 --seed "${SEED:-7}" --train "$T/train" \
    >"$T/gen.log" 2>&1 || fail "provider.py: $(tail -2 "$T/gen.log")"
mkdir -p "$T/models"
"$FARM_BIN/farm-train" --models "$T/models" --ham "$T/train/ham" --spam "$T/train/spam" >"$T/train.log" 2>&1 ||
    fail "farm-train: $(tail -2 "$T/train.log")"
replay() {   # replay NAME [OPTION...]
    local name=$1
    shift
    "$FARM_BIN/farm-replay" "$T/mail" --out "$T/$name" --models "$T/models" --workers 2 --json "$T/$name.json" \
        --dead-recipients "$T/mail.dead" \
        "$@" >"$T/$name.log" 2>&1 || fail "replay $name: $(tail -3 "$T/$name.log")"
}
replay enforce
python3 "$TOP/tools/bench/scenario-score.py" "$T/mail.truth.jsonl" "$T/enforce.json" >"$T/score.out" 2>&1 ||
    fail "targets not met: $(sed -n '/per kind/,$p' "$T/score.out")"
grep -q "targets .*: met" "$T/score.out" || fail "no verdict from the scorer: $(tail -3 "$T/score.out")"
held() {   # held FILE: messages held for compromise or a flag
    python3 - "$1" <<'PY'
import json, sys
print(sum(1 for l in open(sys.argv[1]) for v in [json.loads(l)] if v["verdict"] == "hold"
          and any(r.startswith(("compromise:", "account-flagged:")) for r in v["reasons"])))
PY
}
would() { grep -c '"would":"hold"' "$1"; }
[ "$(held "$T/enforce.json")" -gt 0 ] || fail "nothing held for compromise: the hijacks went unseen"
# Observe mode: everything judged, nothing held for it.
replay observe --compromise-mode observe
[ "$(held "$T/observe.json")" -eq 0 ] || fail "observe mode held $(held "$T/observe.json") for compromise"
[ "$(would "$T/observe.json")" -gt 0 ] || fail "observe mode recorded no would-hold"
grep -q '"would":"hold".*"reasons":\["would-hold: compromise: score' "$T/observe.json" ||
    grep -q 'would-hold: compromise: score' "$T/observe.json" || fail "no would-hold reason"
# A warm-up: observed before the fourth day, enforced after.
day4=$((1767225600 + 3 * 86400))
replay warmup --observe-until $day4
python3 - "$T/warmup.json" $day4 <<'PY' || fail "--observe-until: a compromise hold before the warm-up ended"
import json, sys
end = int(sys.argv[2])
early = [v for l in open(sys.argv[1]) for v in [json.loads(l)] if v["received_at"] < end and v["verdict"] == "hold"
         and any(r.startswith("compromise:") for r in v["reasons"])]
sys.exit(1 if early else 0)
PY
[ "$(held "$T/warmup.json")" -gt 0 ] || fail "--observe-until: nothing enforced after the warm-up"
# An account's own mode, kind and action, on a broker over the enforced run.
export WATCH=true
start_broker --spool "$T/enforce" --models "$T/models"
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 60000"
wait_control
$CTL mode shop00 observe >/dev/null || fail "farm-ctl mode"
$CTL kind shop00 transactional >/dev/null || fail "farm-ctl kind"
$CTL action shop00 defer >/dev/null || fail "farm-ctl action"
$CTL kind shop00 bogus >"$T/bad.out" 2>&1 && fail "a kind that is none accepted"
grep -q "person bulk transactional" "$T/bad.out" || fail "the refusal does not name the kinds: $(cat "$T/bad.out")"
$CTL show shop00 | grep -q "mode observe, kind transactional, action on a flag defer" ||
    fail "show: $($CTL show shop00 | grep detector:)"
stop_farm
no_sanitizer_reports
echo "ok: four kinds of account from day one: $(grep -c . "$T/enforce.json") messages, targets met; observe mode held none and recorded $(would "$T/observe.json") would-holds; warm-up enforced only after it; mode, kind, action set and shown"
