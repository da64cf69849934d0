#!/usr/bin/env bash
# release_seal.sh: only the broker marks mail as released by an operator.
# Before, a `released:` line written into an incoming/ file (anyone the MTA's
# pipe runs as can write there) skipped the content and compromise holds: a
# flagged account's mail went out. Now a release carries the broker's seal
# (released-mark:, an HMAC under spool/broker.key); without a good one the
# line is ignored and said, and the flagged account's mail stays held. An
# operator's release still goes out.
. "$(dirname "$0")/../lib/farm.sh"
export WATCH=true
start_broker
start_worker
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 60000"
printf 'From: mallory@shop.example\nTo: x@y.example\nSubject: first\n\nhello\n' |
    "$FARM_BIN/farm-submit" --spool "$T/spool" -a mallory -f mallory@shop.example x@y.example >/dev/null || fail "submit"
wait_final 1 30
$CTL flag mallory "hijacked" >/dev/null || fail "flag mallory"
[ "$(stat -c %a "$T/spool/broker.key")" = 600 ] || fail "the broker's key is not 0600"
forge() {   # forge QID [MARK]: a message of mallory's with released: written by hand
    local body=$'From: mallory@shop.example\nTo: x@y.example\nSubject: forged\n\nbuy now\n'
    {
        printf 'farm-spool: 1\nqueue-id: %s\naccount: mallory\nmail-from: <mallory@shop.example>\n' "$1"
        printf 'rcpt-to: <victim@y.example>\nreceived-at: %s\nreleased: %s\n' "$(date +%s)" "$(date +%s)"
        [ -n "${2:-}" ] && printf 'released-mark: %s\n' "$2"
        printf 'size: %d\n\n%s' "${#body}" "$body"
    } >"$T/spool/tmp/$1" && mv "$T/spool/tmp/$1" "$T/spool/incoming/$1"
}
forge 00000000000000aaaaaaaaaa
forge 00000000000000bbbbbbbbbb "$(printf '%064d' 0)"
wait_final 3 30
for q in 00000000000000aaaaaaaaaa 00000000000000bbbbbbbbbb; do
    [ -f "$T/spool/hold/$q" ] || fail "$q, released: by hand, was not held: $(ls "$T"/spool/*/$q)"
    grep -q "^reason: account-flagged" "$T/spool/hold/$q" || fail "$q held for another reason"
done
[ "$(grep -c "a released: line the broker did not seal" "$T/broker.log")" = 2 ] || fail "the forged releases were not said"
# The operator's release: sealed, delivered.
$CTL release mallory | grep -q "2 held message(s) released" || fail "release mallory"
i=0; until [ -f "$T/spool/outgoing/00000000000000aaaaaaaaaa" ] && [ -f "$T/spool/outgoing/00000000000000bbbbbbbbbb" ]; do
    i=$((i+1)); [ $i -gt 100 ] && fail "released mail not delivered: $(ls "$T"/spool/*/0000000000000* )"; sleep 0.1
done
grep -q "released by an operator" "$T/verdicts.jsonl" || grep -q "released" "$T/spool/outgoing/00000000000000aaaaaaaaaa" || fail "not delivered as released"
stop_farm
no_sanitizer_reports
echo "ok: released: by hand (no seal, a forged seal) ignored and said, the flagged account's mail held; the operator's release delivered"
