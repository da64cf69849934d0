#!/usr/bin/env bash
# deferred.sh: a deferred message waits in deferred/ with its retry time as
# mtime and is dispatched again when that time comes, then delivered.
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 50 "$T/orig"
start_broker
start_worker --defer-s 2
i=0
while [ "$(ls "$T/spool/deferred" 2>/dev/null | wc -l)" -lt 50 ]; do
    i=$((i + 1)); [ $i -gt 200 ] && fail "messages not deferred"; sleep 0.1
done
f=$(ls "$T/spool/deferred" | head -1)
grep -q '^verdict: defer$' "$T/spool/deferred/$f" || fail "no verdict line"
grep -q '^reason: test-defer: 2s$' "$T/spool/deferred/$f" || fail "no reason"
retry=$(sed -n 's/^retry-at: //p' "$T/spool/deferred/$f")
[ "$(stat -c %Y "$T/spool/deferred/$f")" -eq "$retry" ] || fail "mtime is not the retry time"
[ -z "$(ls "$T/spool/outgoing")" ] || fail "delivered before the retry time"
i=0
while [ "$(ls "$T/spool/outgoing" | wc -l)" -lt 50 ]; do
    i=$((i + 1)); [ $i -gt 150 ] && fail "deferred mail not retried: $(ls "$T/spool/outgoing" | wc -l) delivered"
    sleep 0.1
done
grep -q '^attempts: 2$' "$T/spool/outgoing/$f" || fail "attempts not counted"
grep -q '^retry-at' "$T/spool/outgoing/$f" && fail "stale retry-at on a delivered message"
wait_empty "$T/spool/active" 10
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant"
stop_farm
no_sanitizer_reports
echo "ok: 50 deferred, retried after 2s, delivered once"
