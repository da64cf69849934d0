#!/usr/bin/env bash
# enospc.sh: the spool on a small tmpfs that fills up (ENOSPC): outputs cannot
# be written, messages wait in active/, nothing is lost or doubled; when
# space returns, flow resumes and every message finishes once. Needs root to
# mount the tmpfs; skipped, saying so, where it cannot.
. "$(dirname "$0")/../lib/farm.sh"
tmpfs_spool 8m
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 300 "$T/orig"
# Fill what is left but a little: the first outputs fit, then ENOSPC.
head -c $(( $(df -B1 --output=avail "$T/spool" | tail -1) - 4096 )) /dev/zero >"$T/spool/filler" 2>/dev/null
start_broker --flush-ms 0
start_worker
i=0
until grep -q "No space left on device" "$T/broker.log"; do
    i=$((i + 1)); [ $i -gt 200 ] && fail "no ENOSPC met"; sleep 0.1
done
sleep 1
kill -0 "$BROKER" || fail "the broker died on ENOSPC"
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" --allow-pending >"$T/check.out" \
    || { cat "$T/check.out"; fail "invariant broken while the disk was full"; }
done_full=$(final_count)
[ "$done_full" -lt 300 ] || fail "everything finished: the disk never filled"
rm -f "$T/spool/filler"
wait_final 300 60
wait_empty "$T/spool/active" 20
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant at the end"
stop_farm
no_sanitizer_reports
echo "ok: disk full after $done_full of 300: the rest waited; space back, all 300 finished once"
