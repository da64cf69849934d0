#!/usr/bin/env bash
# ctl_queues.sh: farm-ctl reports queue sizes and workers (with their model),
# requeues reject/ mail by queue id and by account (scanned again), purges by
# account (deleted, each logged); a requeue cut short by a crash (the queue id
# in reject/ and incoming/) is finished by recovery: scanned once more, the
# stale copy gone, one place only.
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 70 "$T/orig" --no-rcpt-every 5
start_broker
start_worker
wait_final 70 30
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock"
q=$($CTL queues) || fail "queues"
grep -q "^reject  *14$" <<<"$q" || fail "queues: $q"
grep -q "^outgoing  *56$" <<<"$q" || fail "queues: $q"
$CTL workers | grep -q "model none.*jobs 0" || fail "workers: $($CTL workers)"
one=$(ls "$T/spool/reject" | head -1)
$CTL requeue reject "$one" | grep -q "1 message(s) of reject/ requeued" || fail "requeue by id"
i=0
until grep -q '^attempts: 2$' "$T/spool/reject/$one" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "the requeued message was not scanned again"; sleep 0.1
done
acct=$(sed -n 's/^account: //p' "$T/spool/reject/$one")
n=$(grep -l "^account: $acct$" "$T"/spool/reject/* | wc -l)
$CTL purge reject "@$acct" | grep -q "$n message(s) of reject/ purged" || fail "purge by account"
[ "$(grep -c "purged from reject/ by an operator (account $acct)" "$T/broker.log")" -eq "$n" ] ||
    fail "purges not logged one by one"
[ "$(ls "$T/spool/reject" | wc -l)" -eq $((14 - n)) ] || fail "purge left $(ls "$T/spool/reject" | wc -l)"
$CTL requeue reject nonsense >/dev/null 2>&1 && fail "a bad selector accepted"
$CTL requeue outgoing all >/dev/null 2>&1 && fail "requeue of delivered mail accepted"
stop_farm
# A requeue cut short: the same queue id in reject/ and incoming/.
two=$(ls "$T/spool/reject" | head -1)
grep -v '^\(verdict\|reason\|attempts\): ' "$T/spool/reject/$two" >"$T/spool/tmp/x"
mv "$T/spool/tmp/x" "$T/spool/incoming/$two"
start_broker
start_worker
i=0
until [ ! -f "$T/spool/incoming/$two" ] && [ -f "$T/spool/reject/$two" ] && [ -z "$(ls "$T/spool/active")" ]; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "the cut-short requeue was not finished"; sleep 0.1
done
grep -q "$two: moved by an operator before the restart; the stale reject/ copy removed" "$T/broker.log" ||
    fail "recovery did not remove the stale copy"
stop_farm
no_sanitizer_reports
echo "ok: queues, workers, requeue by id (scanned again), purge of $n by account (logged), a cut-short requeue finished"
