#!/usr/bin/env bash
# compromise.sh: a quiet account that suddenly writes to hundreds of
# strangers is held within a handful of messages and flagged; one with a
# busy hour of ordinary mail is not. farm-ctl lists and shows them; release
# delivers the held mail (and clears the flag), drop rejects it; the state
# survives a broker killed with SIGKILL; a rate limit defers and the
# deferred mail goes out when its time comes.
. "$(dirname "$0")/../lib/farm.sh"
n=$(python3 "$TOP/test/lib/hijack-sample.py" "$T/sample")
"$FARM_BIN/farm-replay" "$T/sample" --out "$T/spool" --json "$T/replay.json" --workers 2 \
    >"$T/replay.log" 2>&1 || fail "replay: $(tail -3 "$T/replay.log")"
count() { python3 - "$T/replay.json" "$@" <<'PY'
import json, sys
acc, kind, verdict = sys.argv[2:5]
print(sum(1 for l in open(sys.argv[1]) for v in [json.loads(l)]
          if v["account"] == acc and ("-%s." % kind) in v["file"] and v["verdict"] == verdict))
PY
}
leak=$(count quiet attack deliver)
held=$(count quiet attack hold)
[ "$leak" -le 10 ] || fail "quiet: $leak attacker messages delivered before the hold"
[ "$held" -ge 190 ] || fail "quiet: only $held attacker messages held"
grep -q '"account":"quiet".*compromise: score' "$T/replay.json" || fail "no compromise reason"
[ "$(count busy legit hold)" -eq 0 ] || fail "busy: legitimate mail held"
# Mail sent long before the flag keeps its own verdict, however late its scan
# ends (the replay scans the days before the attack beside the attack).
[ "$(count quiet legit hold)" -eq 0 ] || fail "quiet: mail from before the attack held"
[ "$(count busy legit deliver)" -eq 73 ] || fail "busy: not all 73 delivered"
vleak=$(count victim attack deliver)
[ "$vleak" -le 10 ] || fail "victim: $vleak delivered before the hold"

# The operator's view, on a broker over the replay's spool and state.
export WATCH=true
start_broker
start_worker
# A generous wait for answers: a release writes and syncs every held message,
# which on a busy machine's disk may take longer than farm-ctl's 10 s default
# (the cause of this test's failures under load).
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 120000"
i=0; until $CTL stats >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 50 ] && fail "no control socket"; sleep 0.1; done
$CTL list >"$T/list" || fail "farm-ctl list"
grep -q '^quiet' "$T/list" && grep -q '^victim' "$T/list" || fail "flagged list: $(cat "$T/list")"
grep -q '^busy' "$T/list" && fail "busy is flagged"
$CTL show quiet | grep -q 'flagged: *YES' || fail "show quiet: not flagged"
$CTL show @quiet.example | grep -q "message(s)" || fail "no domain view"
$CTL show nobody >/dev/null 2>&1 && fail "show of an unknown account succeeded"
$CTL bogus >/dev/null 2>&1; [ $? -eq 64 ] || fail "a bad command is not a usage error"
out0=$(ls "$T/spool/outgoing" | wc -l)
rej0=$(ls "$T/spool/reject" | wc -l)
in_hold=$(grep -l '^account: quiet$' "$T/spool/hold"/* | wc -l)
[ "$in_hold" -eq "$held" ] || fail "hold/ has $in_hold of quiet's messages, the replay said $held"
rel=$($CTL release quiet 2>&1) || fail "release quiet: $rel"
grep -q "$held held message(s) released" <<<"$rel" || fail "release quiet: $rel (expected $held)"
$CTL drop victim | grep -q "dropped to reject/" || fail "drop victim"
# Released mail goes out once; dropped mail sits in reject/.
i=0
while [ "$(ls "$T/spool/outgoing" | wc -l)" -lt $((out0 + held)) ]; do
    i=$((i+1)); [ $i -gt 100 ] && fail "released mail not delivered: $(ls "$T/spool/outgoing" | wc -l) of $((out0 + held))"
    sleep 0.1
done
ls "$T/spool/hold" | while read -r q; do grep -q '^account: \(quiet\|victim\)$' "$T/spool/hold/$q" && echo "$q"; done \
    | grep -q . && fail "held mail of quiet or victim left in hold/"
[ "$(ls "$T/spool/reject" | wc -l)" -gt "$rej0" ] || fail "nothing dropped to reject/"
f=$(grep -l '^released: ' "$T/spool/outgoing"/* | head -1)
[ -n "$f" ] || fail "no released message in outgoing/"
grep -q '^verdict: deliver$' "$f" || fail "released message not delivered"
$CTL list | grep -q '^quiet' && fail "quiet still flagged after release"
$CTL show quiet | grep -q 'last released: *20' || fail "release not recorded"
total=$($CTL show quiet | sed -n 's/.*seen:.*, \([0-9]*\) message(s).*/\1/p')
# The state survives a broker killed outright.
kill -9 "$BROKER"; wait "$BROKER" 2>/dev/null
start_broker
i=0; until $CTL stats >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 50 ] && fail "no control socket after restart"; sleep 0.1; done
after=$($CTL show quiet | sed -n 's/.*seen:.*, \([0-9]*\) message(s).*/\1/p')
[ "$after" = "$total" ] || fail "state lost in the restart: $total before, $after after"
$CTL show quiet | grep -q 'last released: *20' || fail "release lost in the restart"
# Rate limit: 2 a minute for busy; 5 messages in one minute.
$CTL limits busy messages-per-minute=2 >/dev/null || fail "limits"
rt=$((1767225600 + 3 * 86400 + 15 * 3600))
for k in 1 2 3 4 5; do
    printf 'From: busy@busy.example\nTo: a@b.example\nSubject: r%d\n\nx\n' $k |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -a busy -f busy@busy.example --received-at $rt friend1@busy-contacts.example >/dev/null ||
        fail "submit"
done
i=0
while [ "$(grep -c '"verdict":"deliver".*"account":"busy".*"received_at":'$rt "$T/verdicts.jsonl" 2>/dev/null)" -lt 5 ]; do
    i=$((i+1)); [ $i -gt 100 ] && fail "rate-limited mail not all delivered"; sleep 0.1
done
grep -q '"verdict":"defer".*rate-limit: 2 messages this minute, limit 2 a minute (its own)' "$T/verdicts.jsonl" || fail "no rate-limit deferral"
# What a flag does, per account: notify only (delivered), defer (deferred).
$CTL limits busy messages-per-minute=default >/dev/null || fail "limits default"
$CTL flag busy "testing the actions" >/dev/null || fail "flag busy"
one() {   # one TAG: a message of busy's; its first verdict line
    local q i=0
    q=$(printf 'From: busy@busy.example\nTo: a@b.example\nSubject: %s\n\nx\n' "$1" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -a busy -f busy@busy.example --received-at $((rt + 3600)) friend2@busy-contacts.example) ||
        fail "submit"
    until grep -q "\"qid\":\"$q\"" "$T/verdicts.jsonl"; do i=$((i+1)); [ $i -gt 100 ] && fail "no verdict for $1"; sleep 0.1; done
    grep "\"qid\":\"$q\"" "$T/verdicts.jsonl" | head -1
}
$CTL action busy notify >/dev/null || fail "action notify"
one n1 | grep -q '"verdict":"deliver"' || fail "action notify: a flagged account's mail not delivered"
$CTL action busy defer >/dev/null || fail "action defer"
one d1 | grep -q '"verdict":"defer".*account-flagged: busy flagged at .*its mail deferred' || fail "action defer: $(one d2)"
$CTL action busy default >/dev/null || fail "action default"
one h1 | grep -q '"verdict":"hold".*account-flagged: busy' || fail "action default: not held"
stop_farm
no_sanitizer_reports
echo "ok: hijack held after $leak and $vleak delivered; busy hour not held; release, drop, restart, rate limit; a flag's action notify, defer, hold"
