#!/usr/bin/env bash
# state_full.sh: the sender state's LMDB map fills up (1 MiB, a small cache,
# 1,500 accounts): the broker says so clearly, defers what it cannot count
# (reason state-full, naming state/map-mb), does not crash; restarted with a
# larger map it counts them and every message is delivered once.
. "$(dirname "$0")/../lib/farm.sh"
python3 - "$T/spool" <<'PY'
import os, sys
spool = sys.argv[1]
for d in ("tmp", "incoming"):
    os.makedirs(os.path.join(spool, d), exist_ok=True)
for i in range(1500):
    qid = "%014x%010x" % (0x6000000000000 + i, i)
    msg = ("From: a%d@d%d.example\nTo: r@x.example\nSubject: s\n\nbody %d\n" % (i, i, i)).encode()
    env = "farm-spool: 1\nqueue-id: %s\naccount: acct%d\nmail-from: <a%d@d%d.example>\n" \
          "rcpt-to: <r@x.example>\nreceived-at: %d\nsize: %d\n\n" % (qid, i, i, i, 1767225600 + i, len(msg))
    with open(os.path.join(spool, "tmp", qid), "wb") as f:
        f.write(env.encode() + msg)
    os.rename(os.path.join(spool, "tmp", qid), os.path.join(spool, "incoming", qid))
PY
export WATCH=true
start_broker --state-map-mb 1 --state-cache 64 --state-flush-ms 0 --retry-s 1
start_worker
i=0
while [ "$(ls "$T/spool/deferred" 2>/dev/null | wc -l)" -eq 0 ]; do
    i=$((i + 1)); [ $i -gt 300 ] && fail "nothing deferred with a full state map"; sleep 0.1
done
wait_empty "$T/spool/incoming" 30
kill -0 "$BROKER" || fail "the broker died"
grep -q "raise state/map-mb" "$T/broker.log" || fail "no clear error in the log"
# The verdict log follows the output once its commit is finished.
i=0
until grep -q '"verdict":"defer".*"state-full: the sender state file is full (state/map-mb 1)' "$T/verdicts.jsonl"; do
    i=$((i + 1)); [ $i -gt 50 ] && fail "deferred without the reason"; sleep 0.1
done
deferred=$(grep -c '"verdict":"defer"' "$T/verdicts.jsonl")
stop_farm
start_broker --state-map-mb 64 --retry-s 1
start_worker
wait_final 1500 60
i=0
while [ "$(ls "$T/spool/outgoing" | wc -l)" -lt 1500 ]; do
    i=$((i + 1)); [ $i -gt 300 ] && fail "only $(ls "$T/spool/outgoing" | wc -l) of 1500 delivered"; sleep 0.1
done
wait_empty "$T/spool/active" 10
stop_farm
no_sanitizer_reports
echo "ok: map full: $deferred deferred with reason state-full, no crash; all 1500 delivered after a larger map"
