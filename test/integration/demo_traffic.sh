#!/usr/bin/env bash
# demo_traffic.sh: the demo's two days of mail do what the demo says, with
# the farm's own defaults: the hijacked account is held within ten of its
# attacker's messages, the spoofed domain refused, not one ordinary message
# of the people and businesses held or refused, signed mail verified by
# dkimpy, and the summary says so in words. (Without the Bayes model, which
# the demo trains from the corpus: the spam is not judged here.)
. "$(dirname "$0")/../lib/farm.sh"
need_dkimpy
python3 "$TOP/tools/demo/traffic.py" "$T/traffic" "$T/accounts" >/dev/null || fail "traffic"
for d in shop.example mail.example design.example law.example clinic.example tools.example promo.example; do
    "$FARM_BIN/farm-keygen" $d demo --keys "$T/keys" >/dev/null || fail "keygen $d"
done
"$FARM_BIN/farm-replay" "$T/traffic" --out "$T/out" --workers 2 --keys "$T/keys" --accounts "$T/accounts" \
    --json "$T/out.json" >"$T/replay.log" 2>&1 || fail "replay: $(tail -3 "$T/replay.log")"
python3 "$TOP/tools/demo/summary.py" "$T/out.json" "$T/out" "$T/keys" >"$T/summary" 2>&1 || fail "summary: $(tail -3 "$T/summary")"
leaked=$(sed -n 's/^    \([0-9]*\) of its 120 messages went out.*/\1/p' "$T/summary")
[ -n "$leaked" ] && [ "$leaked" -le 10 ] || fail "the hijack: $(grep -A1 HIJACK "$T/summary")"
grep -q "SPOOFED DOMAIN REFUSED: domain-lockdown: account henry may not send as bank.example; 3 of 3 rejected" "$T/summary" ||
    fail "the spoof: $(grep SPOOF "$T/summary")"
grep -q "(0 held or refused)" "$T/summary" || fail "ordinary mail stopped: $(grep -A3 ORDINARY "$T/summary")"
signed=$(sed -n 's/^  SIGNATURES VERIFIED by dkimpy: \([0-9]*\) of \([0-9]*\)$/\1 \2/p' "$T/summary")
set -- $signed
[ -n "${1:-}" ] && [ "$1" -eq "$2" ] && [ "$1" -gt 100 ] || fail "signatures: $(grep SIGNATURES "$T/summary")"
grep -q "farm-ctl --control ipc://$T/out/control.sock drop grace" "$T/summary" || fail "no next steps"
echo "ok: demo traffic: hijack held after $leaked, spoof refused, 0 ordinary held, $1 signatures verified"
