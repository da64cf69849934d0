#!/usr/bin/env bash
# ingest_fair.sh: two ingest spools, one flooded: the small one is served in
# turn (round-robin), not after the flood; both end up delivered.
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 1500 "$T/orig"
python3 "$TOP/test/lib/spoolgen.py" "$T/mx2" 40 "$T/orig2"
ls "$T/mx2/incoming" >"$T/small.ids"
start_broker --ingest "$T/mx2"
start_worker --scan-delay-ms 2 --credit 1
wait_final 1540 120
wait_empty "$T/spool/active" 10
# Position of the small spool's last message in the order of completion.
last=$(grep -n -F -f "$T/small.ids" "$T/verdicts.jsonl" | tail -n 1 | cut -d: -f1)
[ -n "$last" ] || fail "the small spool's messages never finished"
[ "$last" -le 120 ] || fail "the small spool's last message finished at position $last of 1540 (starved)"
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" --allow-pending >/dev/null || true
[ "$(grep -c -F -f "$T/small.ids" "$T/verdicts.jsonl")" -eq 40 ] || fail "not all of the small spool finished once"
[ -z "$(ls "$T/mx2/incoming")" ] || fail "messages left in the second ingest spool"
stop_farm
no_sanitizer_reports
echo "ok: the small ingest spool's 40 messages were done by position $last of 1540"
