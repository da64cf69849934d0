#!/usr/bin/env bash
# replay_3000.sh: 3,000 messages through farm-replay with 2 workers: each in
# exactly one output spool, one JSON line each, none lost or doubled.
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/test/lib/make-sample.py" "$T/in" --count 3000
"$FARM_BIN/farm-replay" "$T/in" --out "$T/out" --json "$T/out.json" --workers 2 \
    >"$T/replay.log" 2>&1 || fail "farm-replay exited $?: $(tail -3 "$T/replay.log")"
[ "$(wc -l <"$T/out.json")" -eq 3000 ] || fail "$(wc -l <"$T/out.json") JSON lines"
[ "$(ls "$T/out/outgoing" | wc -l)" -eq 3000 ] || fail "$(ls "$T/out/outgoing" | wc -l) in outgoing/"
[ "$(cut -d'"' -f8 "$T/out.json" | sort -u | wc -l)" -eq 3000 ] || fail "queue ids not unique"
[ "$(cut -d'"' -f4 "$T/out.json" | sort -u | wc -l)" -eq 3000 ] || fail "a file appears twice"
cp "$T/out/log/"*.log "$T/" 2>/dev/null
no_sanitizer_reports
grep "messages/s" "$T/replay.log"
