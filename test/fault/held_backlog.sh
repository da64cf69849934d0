#!/usr/bin/env bash
# held_backlog.sh: a backlog of mail the broker judges itself (a flagged
# account's, held without a worker) under a low open-files limit. Before,
# those verdicts were bounded by nothing (not lease/max-inflight, not credit)
# and each kept its output's descriptor until a commit: with 5,000 of them
# and 1,024 descriptors the broker flooded its log and aborted in libzmq, at
# every restart. Now they wait for the commits as jobs wait for workers, and
# the broker plans within RLIMIT_NOFILE: 3,000 held under a limit of 200.
. "$(dirname "$0")/../lib/farm.sh"
export WATCH=true
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 7 "$T/orig"
VG="prlimit --nofile=200:200 --" start_broker
start_worker
wait_final 7 30
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 60000"
for a in 0 1 2 3 4 5 6; do $CTL flag "acct$a" "testing a backlog" >/dev/null || fail "flag acct$a"; done
# The backlog waits for the broker's start, as after an outage.
stop_farm
N=3000
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
VG="prlimit --nofile=200:200 --" start_broker
start_worker
wait_final $((N + 7)) 120
kill -0 "$BROKER" 2>/dev/null || fail "the broker died: $(grep -m2 -e 'Too many' -e Assert "$T/broker.log")"
[ "$(ls "$T/spool/hold" | wc -l)" -ge $N ] || fail "only $(ls "$T/spool/hold" | wc -l) held"
grep -q "open files limit 200: at most 16 outputs wait for a commit" "$T/broker.log" || fail "the limit was not planned for"
grep -q "Too many open files" "$T/broker.log" && fail "descriptors ran out: $(grep -m1 'Too many' "$T/broker.log")"
wait_empty "$T/spool/active" 20
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "spool invariant"; }
stop_farm
no_sanitizer_reports
echo "ok: $N held by the broker itself under an open-files limit of 200: none lost, no descriptor ran out, the broker alive"
