#!/usr/bin/env bash
# worker_warnings.sh: a worker that cannot do its whole job says so at
# start, as loudly as NO ACCOUNTS TABLE, and its verdicts say why: no model
# (content unscored), an accounts table that cannot be read (every message
# refused, and the reason names the table, not the account). The metrics
# count a worker without a model as model="none". (Before: nothing said
# without a model; "account A may not send as D" with a missing table.)
. "$(dirname "$0")/../lib/farm.sh"
start_broker --metrics-file "$T/farm.prom" --metrics-interval-ms 100
start_worker
submit_note
wait_final 1 20
grep -q "NO MODEL (models/dir is empty): CONTENT IS NOT SCORED" "$T/worker-0.log" || fail "no word of the missing model"
i=0; until grep -q '^farm_workers{model="none"} 1$' "$T/farm.prom" 2>/dev/null; do
    i=$((i+1)); [ $i -gt 50 ] && fail "metrics do not show the worker without a model: $(grep farm_workers "$T/farm.prom")"; sleep 0.1
done
grep -q '^spam: ' "$T"/spool/outgoing/* && fail "scored without a model"
kill "${WORKERS[0]}"; wait "${WORKERS[0]}" 2>/dev/null
start_worker --accounts "$T/no-such-table" --models "$T/no-models"
submit_note
wait_final 2 20
grep -q "ACCOUNTS TABLE $T/no-such-table CANNOT BE READ" "$T/worker-1.log" || fail "no word of the missing table"
grep -q "NO USABLE MODEL IN $T/no-models" "$T/worker-1.log" || fail "no word of the missing model"
f=$(ls "$T/spool/reject")
[ -n "$f" ] || fail "the message was not refused"
grep -q "^reason: domain-lockdown: the accounts table $T/no-such-table cannot be read" "$T/spool/reject/$f" ||
    fail "the reason does not name the table: $(grep '^reason' "$T/spool/reject/$f")"
stop_farm
no_sanitizer_reports
echo "ok: no model and an unreadable accounts table said loudly at start; the reason names the table; metrics show model=none"
