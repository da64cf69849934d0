#!/usr/bin/env bash
# kill_worker.sh: a worker killed with SIGKILL mid-run has its jobs leased
# again and finished by the others; nothing is lost or written twice.
. "$(dirname "$0")/../lib/farm.sh"
N=600
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
start_broker --lease-ms 20000
start_worker --scan-delay-ms 10
start_worker --scan-delay-ms 10
start_worker --scan-delay-ms 10
sleep 1
[ "$(final_count)" -lt $N ] || fail "finished before the kill; nothing tested"
kill -9 "${WORKERS[0]}"
WORKERS[0]=0
wait_final $N 90
grep -q "leasing it again" "$T/broker.log" || fail "no job was leased again after the kill"
wait_empty "$T/spool/active" 10
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant"
stop_farm
no_sanitizer_reports
echo "ok: worker killed, $(grep -c 'leasing it again' "$T/broker.log") job(s) re-leased, all $N finished once"
