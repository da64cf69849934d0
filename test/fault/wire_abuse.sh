#!/usr/bin/env bash
# wire_abuse.sh: peers on the worker socket that speak the protocol and do no
# work (test/lib/rogue.c). Before: a peer that said READY with credit 1 and
# then sent 5,000 verdicts for jobs it never had reached credit 4,801 and took
# 100 of 100 new jobs; 2,000 identities saying READY with credit 1,024 took
# 199 of 200. Now credit moves only with a valid lease and never past what
# READY said (itself capped by wire/max-credit); workers past wire/max-workers
# are refused; a worker whose leases keep running out is dropped. The real
# worker does the work, every message once.
. "$(dirname "$0")/../lib/farm.sh"
ROGUE="$FARM_BIN/../test/rogue"
[ -x "$ROGUE" ] || fail "no $ROGUE (scons builds it)"
mkdir -p "$T/spool"
start_broker --lease-ms 700 --max-workers 40 --max-credit 4
i=0; until [ -S "$T/broker.sock" ]; do i=$((i+1)); [ $i -gt 100 ] && fail "no broker socket"; sleep 0.1; done
# 1. Bogus verdicts: credit stays 1.
"$ROGUE" "$EP" bogus 5000 6 >"$T/rogue1.out" 2>&1 &
R1=$!
EXTRA+=($R1)
i=0; until grep -q "worker rogue:0 ready" "$T/broker.log"; do i=$((i+1)); [ $i -gt 100 ] && fail "the rogue did not connect"; sleep 0.1; done
sleep 1     # its 5,000 verdicts are in
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 100 "$T/orig"
sleep 0.5
start_worker
wait_final 100 60
wait "$R1"
got=$(cat "$T/rogue1.out")
[ "$got" -le 3 ] || fail "the rogue with credit 1 and 5,000 bogus verdicts was given $got jobs"
grep -q "verdict from rogue:0 for no lease of its own ignored" "$T/broker.log" || fail "bogus verdicts not said"
[ "$(grep -c "for no lease of its own" "$T/broker.log")" -lt 50 ] || fail "every bogus verdict logged"
# 2. A flood of READY: capped in number and credit; dropped as leases run out.
"$ROGUE" "$EP" flood 500 1024 8 >"$T/rogue2.out" 2>&1 &
R2=$!
EXTRA+=($R2)
i=0; until grep -q "refused: 40 workers connected" "$T/broker.log"; do i=$((i+1)); [ $i -gt 100 ] && fail "the flood was not capped"; sleep 0.1; done
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 200 "$T/orig"
wait_final 300 60
kill -0 "$BROKER" 2>/dev/null || fail "the broker died"
wait "$R2"
got2=$(cat "$T/rogue2.out")
# 39 rogue connections (the real worker has one place) with 4 credit each,
# each dropped once three leases ran out: at most 39 x (4 + 3) jobs.
[ "$got2" -le 273 ] || fail "the flood was given $got2 jobs"
grep -q "let its leases run out without a verdict" "$T/broker.log" || fail "no rogue was dropped"
wait_empty "$T/spool/active" 20
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "spool invariant"; }
stop_farm
no_sanitizer_reports
echo "ok: 5,000 bogus verdicts: the rogue given $got job(s); 500 READY floods: 40 let in, credit 4 each, $got2 jobs taken and dropped; 300 finished once"
