#!/usr/bin/env bash
# deep_spool.sh: a spool far deeper than one scan keeps (scan-batch) drains
# without waiting for the periodic rescan, oldest first, memory bounded.
. "$(dirname "$0")/../lib/farm.sh"
N=2000
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
start_broker --scan-batch 64 --rescan-ms 600000 --log-level debug
start_worker
start_worker
wait_final $N 60
wait_empty "$T/spool/active" 10
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant"
# Claimed oldest first: the broker's claims, in the order it made them, are
# nearly sorted (a scan of 64 is taken whole, never more than that out of
# place). The claims, not the verdicts: a worker the machine's load holds
# back finishes its jobs late whatever the order they were taken in.
python3 - "$T/broker.log" <<'PY' || fail "messages not taken oldest first"
import re, sys
ids = re.findall(r": ([0-9a-f]{24}): claimed$", open(sys.argv[1]).read(), re.M)
if len(ids) != 2000:
    sys.exit("%d claims in the log" % len(ids))
rank = {q: i for i, q in enumerate(sorted(ids))}
worst = max(abs(rank[q] - i) for i, q in enumerate(ids))
sys.exit(0 if worst <= 64 else 1)
PY
stop_farm
no_sanitizer_reports
echo "ok: $N messages through scans of 64 with no rescan timer, oldest first"
