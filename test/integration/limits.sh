#!/usr/bin/env bash
# limits.sh: each limit of the configuration (message size, recipients,
# header count, line length, header length, MIME depth and parts) tested at
# its value and just past it, through a real broker and worker: at the limit
# no reason names it, one byte, field, level or part past it the reason does.
. "$(dirname "$0")/../lib/farm.sh"
tiny_model
n=$(python3 "$TOP/test/lib/limits-sample.py" "$T/spool" "$T/manifest")
L="--max-size 4000"
start_broker $L
start_worker --models "$T/models" $L --max-rcpt 5 --max-headers 20 --max-line-length 200 \
    --max-header-length 400 --max-mime-depth 3 --max-mime-parts 10
wait_final "$n" 60
python3 - "$T/manifest" "$T/verdicts.jsonl" <<'PY' || fail "limits"
import json, sys
got = {}
for line in open(sys.argv[2]):
    v = json.loads(line)
    got[v["qid"]] = v
bad = 0
for line in open(sys.argv[1]):
    q, name, where, reason = line.split()
    v = got.get(q)
    named = v and any(r.startswith(reason + ":") or r == reason for r in v["reasons"])
    ok = v is not None and (named if where == "past" else not named)
    print("  %-14s %-4s %-8s %s" % (name, where, v["verdict"] if v else "-",
                                    ([r for r in v["reasons"] if r.startswith(reason)] or ["-"])[0][:60] if v else ""))
    if not ok:
        bad += 1
        print("FAIL: %s %s the limit: reasons %s" % (name, where, v["reasons"] if v else None))
sys.exit(1 if bad else 0)
PY
stop_farm
no_sanitizer_reports
echo "ok: 7 limits, each at its value (passes) and just past it (named in the reason)"
