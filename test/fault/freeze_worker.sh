#!/usr/bin/env bash
# freeze_worker.sh: a worker frozen with SIGSTOP loses its leases when its
# heartbeats stop; its jobs finish elsewhere; when it wakes, its late verdicts
# are ignored, and nothing is written twice.
. "$(dirname "$0")/../lib/farm.sh"
N=800
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
start_broker
start_worker --scan-delay-ms 5
start_worker --scan-delay-ms 5
sleep 0.8
kill -STOP "${WORKERS[0]}"
sleep 2
kill -CONT "${WORKERS[0]}"
wait_final $N 90
wait_empty "$T/spool/active" 10
grep -q "silent past its liveness" "$T/broker.log" || fail "the frozen worker was not taken for dead"
grep -q -E "late verdict from .* ignored|verdict from an unknown worker ignored" "$T/broker.log" \
    || fail "no late verdict was seen and ignored"
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant"
# The woken worker registers again and takes work.
sleep 1
[ "$(grep -c "connected to" "$T/worker-0.log")" -ge 2 ] || fail "the woken worker did not reconnect"
stop_farm
no_sanitizer_reports
echo "ok: frozen 2s, $(grep -c -E 'ignored' "$T/broker.log") late verdict(s) ignored, $N finished once"
