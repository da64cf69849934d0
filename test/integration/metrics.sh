#!/usr/bin/env bash
# metrics.sh: the broker's Prometheus text file: counters by verdict and by
# reason, the latency histogram, queue depths, jobs in flight, workers by
# model, flagged accounts; every line well-formed; rewritten as things change.
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 100 "$T/orig" --no-rcpt-every 10
printf 'garbage without a header block' >"$T/spool/incoming/0660d811d095645671d9acb6"
export WATCH=true
start_broker --metrics-file "$T/farm.prom" --metrics-interval-ms 200 --state-flush-ms 0
start_worker
wait_final 101 30
"$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" flag acct3 "test" >/dev/null || fail "farm-ctl flag"
sleep 0.5
M="$T/farm.prom"
[ -f "$M" ] || fail "no metrics file"
python3 - "$M" <<'PY' || fail "metrics file malformed"
import re, sys
ok = re.compile(r'^[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [0-9.e+-]+$')
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        continue
    if not ok.match(line):
        sys.exit("bad line: %r" % line)
PY
get() { awk -v k="$1" '$1 == k {print $2}' "$M"; }
del=$(get 'farm_messages_total{verdict="deliver"}')
rej=$(get 'farm_messages_total{verdict="reject"}')
hold=$(get 'farm_messages_total{verdict="hold"}')
[ "$((del + rej + ${hold:-0}))" -eq 100 ] || fail "deliver $del + reject $rej + hold $hold, expected 100"
[ "$(get 'farm_messages_total{verdict="corrupt"}')" = 1 ] || fail "corrupt not counted"
# Seven senders sending 100 messages at once: some are held for compromise.
[ "${rej:-0}" -gt 0 ] && [ "$(get 'farm_reasons_total{reason="no-recipients"}')" = "$rej" ] ||
    fail "reasons: $(grep reasons "$M")"
[ "${hold:-0}" -eq 0 ] || [ -n "$(get 'farm_reasons_total{reason="compromise"}')" ] || fail "holds without their reason"

[ "$(get 'farm_latency_seconds_count')" = 100 ] || fail "histogram count"
[ "$(get 'farm_latency_seconds_bucket{le="+Inf"}')" = 100 ] || fail "histogram +Inf"
[ "$(get 'farm_queue_messages{spool="outgoing"}')" = "$del" ] || fail "outgoing depth"
[ "$(get 'farm_queue_messages{spool="active"}')" = 0 ] || fail "active depth"
[ "$(get 'farm_workers{model="none"}')" = 1 ] || fail "workers: $(grep workers "$M")"
[ "$(get 'farm_jobs_in_flight')" = 0 ] || fail "in flight"
grep -q '^farm_sender_records ' "$M" || fail "no sender state figures"
flagged=$("$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" list | wc -l)
[ "$(get farm_broker_up)" = 1 ] || fail "farm_broker_up is not 1 while it runs"
stop_farm
# The file a stopped broker leaves says so (before: its last values, workers
# and all, as if it ran on).
[ "$(get farm_broker_up)" = 0 ] || fail "farm_broker_up is not 0 after the stop"
[ "$(awk '$1 ~ /^farm_workers/ && $2 != 0' "$M")" = "" ] || fail "workers counted after the stop: $(grep farm_workers "$M")"
[ "$flagged" -ge 1 ] && [ "$(get 'farm_accounts_flagged')" = "$flagged" ] ||
    fail "flagged: $(get farm_accounts_flagged), farm-ctl lists $flagged"
no_sanitizer_reports
echo "ok: metrics: $del delivered, $rej rejected, ${hold:-0} held, 1 corrupt, reasons, histogram, queues, workers, flagged accounts"
