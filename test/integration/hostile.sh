#!/usr/bin/env bash
# hostile.sh: a corpus of malformed messages and envelopes (test/lib/hostile.py)
# between ordinary messages, through a real broker and two workers with a
# model: each hostile one gets exactly one outcome (a verdict with the
# expected reason, or corrupt/ with a log line), no process dies, and every
# ordinary message is delivered as usual.
. "$(dirname "$0")/../lib/farm.sh"
tiny_model
n=$(python3 "$TOP/test/lib/hostile.py" "$T/spool" "$T/manifest")
start_broker --max-size 1048576
start_worker --models "$T/models" --max-size 1048576
start_worker --models "$T/models" --max-size 1048576
wait_final "$n" 120
wait_empty "$T/spool/active" 20
sleep 0.3
for p in $BROKER "${WORKERS[@]}"; do kill -0 "$p" 2>/dev/null || fail "process $p died"; done
python3 - "$T/spool" "$T/manifest" "$T/verdicts.jsonl" <<'PY' || fail "hostile outcomes"
import json, os, re, sys
spool, manifest, vlog = sys.argv[1:4]
where = {}
for d in ("outgoing", "hold", "reject", "deferred", "corrupt"):
    for q in os.listdir(os.path.join(spool, d)):
        where.setdefault(q, []).append(d)
logged = {}
for line in open(vlog):
    v = json.loads(line)
    logged.setdefault(v["qid"], []).append(v)
bad = 0
for line in open(manifest):
    q, kind, expect = line.split(" ", 2)
    expect = expect.strip()
    places = where.get(q, [])
    reasons = [r for v in logged.get(q, []) for r in v["reasons"]]
    verdicts = [v["verdict"] for v in logged.get(q, [])]
    problem = None
    if len(places) != 1:
        problem = "in %s" % (places or "no final spool")
    elif len(verdicts) != 1:
        problem = "%d verdict log lines" % len(verdicts)
    elif expect == "ordinary":
        if places != ["outgoing"]:
            problem = "ordinary message in %s" % places
    elif expect == "corrupt":
        if places != ["corrupt"] or not reasons:
            problem = "expected corrupt/ with a reason, got %s %s" % (places, reasons)
    elif expect != "-" and not any(re.search(expect, r) for r in reasons):
        problem = "no reason matching /%s/ in %s" % (expect, reasons)
    if problem:
        bad += 1
        print("%s %s: %s" % (q, kind, problem))
    elif expect not in ("ordinary",):
        print("  %-24s %-9s %s" % (kind, places[0], (reasons or ["-"])[0][:70]))
sys.exit(1 if bad else 0)
PY
grep -q "moved to corrupt/" "$T/broker.log" || fail "no log line for corrupt files"
stop_farm
no_sanitizer_reports
echo "ok: $n files (hostile between ordinary): one outcome each with its reason, ordinary mail delivered, nothing died"
