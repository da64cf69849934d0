#!/usr/bin/env bash
# deep_spool.sh: a spool far deeper than one scan keeps (scan-batch) drains
# without waiting for the periodic rescan, oldest first, memory bounded.
. "$(dirname "$0")/../lib/farm.sh"
N=2000
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
start_broker --scan-batch 64 --rescan-ms 600000
start_worker
start_worker
wait_final $N 60
wait_empty "$T/spool/active" 10
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant"
# Claimed oldest first: the verdict log's queue ids are nearly sorted (a batch
# of 64 can finish in any order, never more than that out of place).
python3 - "$T/verdicts.jsonl" <<'PY' || fail "messages not taken oldest first"
import json, sys
ids = [json.loads(l)["qid"] for l in open(sys.argv[1])]
rank = {q: i for i, q in enumerate(sorted(ids))}
worst = max(abs(rank[q] - i) for i, q in enumerate(ids))
sys.exit(0 if worst <= 64 else 1)
PY
stop_farm
no_sanitizer_reports
echo "ok: $N messages through scans of 64 with no rescan timer, oldest first"
