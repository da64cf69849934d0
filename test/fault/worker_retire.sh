#!/usr/bin/env bash
# worker_retire.sh: workers that retire after --max-jobs (restarted by a
# supervisor loop, as systemd would) lose nothing: jobs they had queued are
# leased again when the broker sees their DISCONNECT.
. "$(dirname "$0")/../lib/farm.sh"
N=400
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
start_broker
start_worker --max-jobs 25 --credit 8 --scan-delay-ms 1
start_worker --max-jobs 25 --credit 8 --scan-delay-ms 1
i=0
while [ "$(final_count)" -lt $N ]; do
    for k in 0 1; do
        if ! kill -0 "${WORKERS[$k]}" 2>/dev/null; then
            wait "${WORKERS[$k]}" 2>/dev/null
            "$FARM_BIN/farm-worker" --endpoint "$EP" $HB --max-jobs 25 --credit 8 --scan-delay-ms 1 \
                >>"$T/worker-$k.log" 2>&1 &
            WORKERS[$k]=$!
        fi
    done
    i=$((i + 1)); [ $i -gt 1200 ] && fail "only $(final_count) of $N finished"
    sleep 0.05
done
wait_empty "$T/spool/active" 10
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant"
retired=$(cat "$T"/worker-*.log | grep -c "exiting for a fresh process")
[ "$retired" -ge 10 ] || fail "only $retired retirements"
stop_farm
no_sanitizer_reports
echo "ok: $retired worker retirements, $N finished exactly once"
