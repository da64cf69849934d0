#!/usr/bin/env bash
# feedback_flood.sh: 100,000 files in SPOOL/feedback/ (and 2,000 in
# complaints/) for queue ids the farm never saw, garbage among them, while
# mail flows. The broker takes them in steps (feedback/max-files a tick,
# at most 20 ms of it): 300 messages submitted meanwhile all finish, the
# control socket answers while the flood lasts, the folders drain, every
# line is counted as what it is and none is charged to an account.
. "$(dirname "$0")/../lib/farm.sh"
WATCH=true start_broker --metrics-file "$T/farm.prom" --metrics-interval-ms 500
start_worker
wait_control
stop_farm
# Written while no broker runs, so that it meets them all at once.
python3 - "$T/spool" <<'PY' || fail "the flood could not be written"
import os, random, sys
root = sys.argv[1]
rng = random.Random(7)
fb, cp = os.path.join(root, "feedback"), os.path.join(root, "complaints")
junk = os.urandom(300 * 10000)
for i in range(100000):
    fd = os.open(os.path.join(fb, "f%06d" % i), os.O_WRONLY | os.O_CREAT, 0o600)
    if i % 10 == 0:
        os.write(fd, junk[i * 30:i * 30 + rng.randrange(1, 300)])
    else:
        os.write(fd, b"%024x\t<x%d@dest.example>\t550\t5.1.1\tno such user\n" % (rng.getrandbits(96), i))
    os.close(fd)
for i in range(2000):
    with open(os.path.join(cp, "c%04d" % i), "w") as f:
        f.write("Content-Type: multipart/report; report-type=feedback-report; boundary=b\n\n--b\n"
                "Content-Type: text/rfc822-headers\n\nMessage-ID: <%d@nowhere.example>\n\n--b--\n" % i)
PY
WATCH=true start_broker --metrics-file "$T/farm.prom" --metrics-interval-ms 500
start_worker
start=$(date +%s)
for i in $(seq 1 300); do
    a="acct$((i % 30))"
    printf 'From: %s@shop.example\nTo: p%s@y.example\nSubject: note %s\n\nthe meeting notes\n' "$a" "$i" "$i" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -f "$a@shop.example" -a "$a" "p$i@y.example" >/dev/null ||
        fail "submit $i"
done
wait_final 300 120
took=$(($(date +%s) - start))
"$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" --timeout-ms 5000 stats >/dev/null ||
    fail "the control socket did not answer during the flood"
i=0; until [ -z "$(ls "$T/spool/feedback" | head -1)" ] && [ -z "$(ls "$T/spool/complaints" | head -1)" ]; do
    i=$((i + 1)); [ $i -gt 1800 ] && fail "the folders did not drain in 180 s: $(ls "$T/spool/feedback" | wc -l) left"
    kill -0 "$BROKER" || fail "the broker died"
    sleep 0.1
done
sleep 1
python3 - "$T/farm.prom" <<'PY' || fail "$(grep -E 'feedback|complaints' "$T/farm.prom")"
import sys
m = {}
for l in open(sys.argv[1]):
    if not l.startswith("#") and " " in l:
        k, v = l.rsplit(" ", 1)
        m[k] = float(v)
r = lambda k: m.get('farm_feedback_lines_total{result="%s"}' % k, 0)
lines = sum(v for k, v in m.items() if k.startswith("farm_feedback_lines_total"))
if r("unknown-qid") != 90000 or r("charged") != 0:
    sys.exit("expected 90000 unknown queue ids and none charged: %s" % {k: v for k, v in m.items() if "feedback" in k})
if lines < 100000:
    sys.exit("only %d of the files' lines counted" % lines)
if m.get('farm_complaints_total{result="unmatched"}', 0) != 2000:
    sys.exit("complaints: %s" % {k: v for k, v in m.items() if "complaints" in k})
PY
grep -c 'not charged to any account' "$T/broker.log" | { read n; [ "$n" -le 20 ] || fail "$n log lines for the flood: not once a minute a kind"; }
no_sanitizer_reports
echo "ok: feedback flood: 100,000 outcome files and 2,000 reports for mail never seen, read in steps; 300 messages finished meanwhile in ${took}s; none charged; logged once a kind"
