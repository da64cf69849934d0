#!/usr/bin/env bash
# kill_broker.sh: the broker killed with SIGKILL at 20 random moments mid-run
# and restarted each time (every fifth time a worker is killed too and a new
# one started): after every kill each message is in exactly one place; at the
# end all are finished, none twice, every byte as submitted.
. "$(dirname "$0")/../lib/farm.sh"
N=10000
KILLS=${KILLS:-20}
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
start_worker --scan-delay-ms 5
start_worker --scan-delay-ms 5
for k in $(seq 1 $KILLS); do
    start_broker
    sleep "0.$((RANDOM % 35 + 10))"
    if [ $((k % 5)) -eq 0 ]; then
        kill -9 "${WORKERS[0]}"
        wait "${WORKERS[0]}" 2>/dev/null
        WORKERS=("${WORKERS[@]:1}")
        start_worker --scan-delay-ms 5
    fi
    kill -9 $BROKER
    wait $BROKER 2>/dev/null
    BROKER=0
    python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" --allow-pending >"$T/check.out" \
        || { cat "$T/check.out"; fail "invariant broken after kill $k"; }
done
[ "$(final_count)" -lt $N ] || fail "all finished before the last kill; nothing tested"
start_broker
wait_final $N 120
wait_empty "$T/spool/active" 10
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant at the end"
[ -z "$(ls "$T/spool/incoming")" ] || fail "messages left pending"
[ -z "$(ls "$T/spool/tmp")" ] || fail "temporary files left"
grep -q "recovery:" "$T/broker.log" || fail "no recovery happened: the kills hit nothing in flight"
stop_farm
no_sanitizer_reports
echo "ok: $KILLS kills, $(grep -c 'recovery:' "$T/broker.log") recoveries, $N finished exactly once"
