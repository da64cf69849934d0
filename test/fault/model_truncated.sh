#!/usr/bin/env bash
# model_truncated.sh: the Bayes model cut short in place under a running
# worker (truncate, as a full disk or a botched copy leaves it): the worker
# says so, keeps the model it read before and goes on scoring; a worker
# started on the cut file stays up, says so, and delivers unscored; nothing
# dies of a fault in the map. (Before: SIGBUS, no log line, at the next job
# and at every start.)
. "$(dirname "$0")/../lib/farm.sh"
tiny_model
start_broker
start_worker --models "$T/models" --model-check-ms 0
submit_note 1
wait_final 1 20
size=$(stat -c %s "$T/models/bayes.mdb")
truncate -s $((size / 2)) "$T/models/bayes.mdb"
for i in 2 3; do submit_note $i; done
wait_final 3 20
kill -0 "${WORKERS[0]}" 2>/dev/null || fail "the worker died when its model was cut short"
grep -q "cut short" "$T/worker-0.log" || fail "no word of the cut model"
grep -q "keeping the last good model" "$T/worker-0.log" || fail "the last good model was not kept"
n=$(grep -l '^spam: ' "$T"/spool/outgoing/* | wc -l)
[ "$n" -eq 3 ] || fail "$n of 3 scored with the model read before"
# A worker that starts on the cut file: up, unscored, said why.
kill "${WORKERS[0]}"; wait "${WORKERS[0]}" 2>/dev/null
start_worker --models "$T/models" --model-check-ms 0
submit_note 4
wait_final 4 20
kill -0 "${WORKERS[1]}" 2>/dev/null || fail "a worker started on the cut model died"
grep -q "cut short" "$T/worker-1.log" || fail "the new worker did not say why it does not score"
[ "$(ls "$T/spool/outgoing" | wc -l)" -eq 4 ] || fail "not all delivered"
# A file shorter than LMDB's two meta pages, and one of garbage.
head -c 100 /dev/urandom >"$T/models/bayes.mdb"
submit_note 5
wait_final 5 20
kill -0 "${WORKERS[1]}" 2>/dev/null || fail "the worker died on a garbage model"
stop_farm
no_sanitizer_reports
echo "ok: model cut short under a running worker and at start: said so, last good model kept, nothing died"
