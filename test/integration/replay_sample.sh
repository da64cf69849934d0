#!/usr/bin/env bash
# replay_sample.sh: farm-replay of the bundled sample spool gives exactly one
# verdict and one JSON line per message, with the expected verdicts and reasons.
. "$(dirname "$0")/../lib/farm.sh"
n=$(ls "$TOP/test/sample" | grep -vc '\.env$')
mkdir -p "$T/tmp"
TMPDIR="$T/tmp" "$FARM_BIN/farm-replay" "$TOP/test/sample" --out "$T/out" --json "$T/out.json" --workers 2 \
    >"$T/replay.log" 2>&1 || fail "farm-replay exited $?"
# Nothing left of its private folder (before: one /tmp/farm-replay.* a run).
[ -z "$(ls -A "$T/tmp")" ] || fail "farm-replay left behind: $(ls -A "$T/tmp")"
[ "$(wc -l <"$T/out.json")" -eq "$n" ] || fail "$(wc -l <"$T/out.json") JSON lines for $n messages"
grep -q '"file":"msg-031-no-rcpt.eml".*"verdict":"reject","spam":null,"reasons":\["no-recipients"\]' "$T/out.json" \
    || fail "msg-031 (no recipients) not rejected with reason no-recipients"
grep -q '"file":"msg-033-no-headers.eml".*"verdict":"reject".*no-headers' "$T/out.json" \
    || fail "msg-033 (no headers) not rejected"
[ "$(grep -c '"verdict":"deliver"' "$T/out.json")" -eq $((n - 2)) ] || fail "expected $((n - 2)) delivered"
# Envelopes from .env files win over headers; headers fill the rest.
grep -q '"file":"msg-003.eml","qid":"[0-9a-f]*","account":"news"' "$T/out.json" \
    || fail "msg-003's .env account not used"
grep -q '"file":"msg-001.eml","qid":"[0-9a-f]*","account":"billing@invoices.example".*"received_at":1767225637' "$T/out.json" \
    || fail "msg-001's account and time not derived from its headers"
# Every message in exactly one output spool.
total=$(( $(ls "$T/out/outgoing" | wc -l) + $(ls "$T/out/reject" | wc -l) ))
[ "$total" -eq "$n" ] || fail "$total files in the output spools for $n messages"
[ -z "$(find "$T/out/active" "$T/out/incoming" "$T/out/hold" "$T/out/deferred" "$T/out/corrupt" -type f)" ] \
    || fail "messages left outside outgoing/ and reject/"
grep -q "deliver $((n - 2))   hold 0   reject 2" "$T/replay.log" || fail "summary wrong: $(cat "$T/replay.log")"
cp "$T/out/log/"*.log "$T/" 2>/dev/null
no_sanitizer_reports
echo "ok: $n messages, one verdict each"
