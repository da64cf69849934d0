#!/usr/bin/env bash
# learn.sh: day-one baselines from history. farm-ctl learn --maillog counts
# what a Postfix maillog shows each account sent (SASL login, else sender;
# time; recipients), as if the farm had seen it: afterwards the account has
# hours of baseline and knows its recipients. A hostile log (garbage, lines
# of another MTA, a line of 20 KB, bounces, lines out of order) is counted
# and skipped with a summary, never a crash. farm-replay --keep-state leaves
# the sender state a broker can start from. (The real Postfix's own maillog
# is learned in test postfix.)
. "$(dirname "$0")/../lib/farm.sh"
export WATCH=true
python3 - "$T/maillog" <<'PY'
import random, sys
r = random.Random(3)
out = open(sys.argv[1], "w")
lines = []
n = 0
for day in range(1, 8):
    for h in range(9, 18):
        for k in range(3):
            n += 1
            q = "%X" % (0xA0000 + n)
            ts = "Jan %2d %02d:%02d:%02d" % (day, h, k * 15, r.randrange(60))
            lines.append("%s mta postfix/submission/smtpd[12]: %s: client=c[10.0.0.1], sasl_method=PLAIN, sasl_username=carol" % (ts, q))
            lines.append("%s mta postfix/qmgr[13]: %s: from=<carol@corp.example>, size=900, nrcpt=1 (queue active)" % (ts, q))
            lines.append("%s mta postfix/smtp[14]: %s: to=<friend%d@elsewhere.example>, relay=mx[1.2.3.4]:25, delay=1, dsn=2.0.0, status=sent (250 ok)" % (ts, q, (h + k) % 7))
            lines.append("%s mta postfix/qmgr[13]: %s: removed" % (ts, q))
# Hostile lines: garbage, another MTA, a very long line, a bounce, a line
# before its time, a message handed to the farm's pipe.
lines.insert(5, "\x00\x01garbage that is no syslog line at all")
lines.insert(9, "Jan  3 10:00:00 mta exim[99]: 1abc-000 <= someone@x.example H=(x) [1.2.3.4] P=esmtp S=100")
lines.insert(13, "Jan  3 10:00:00 mta postfix/smtpd[12]: ZZZ: " + "x" * 20000)
lines += ["Jan  7 20:00:00 mta postfix/qmgr[13]: BBBB1: from=<>, size=3000, nrcpt=1 (queue active)",
          "Jan  7 20:00:00 mta postfix/smtp[14]: BBBB1: to=<carol@corp.example>, relay=mx, status=sent (250)",
          "Jan  7 20:00:00 mta postfix/qmgr[13]: BBBB1: removed",
          "Jan  1 05:00:00 mta postfix/qmgr[13]: EARLY1: from=<dave@corp.example>, size=1, nrcpt=1 (queue active)",
          "Jan  1 05:00:00 mta postfix/smtp[14]: EARLY1: to=<x@y.example>, relay=mx, status=sent (250)",
          "Jan  1 05:00:00 mta postfix/qmgr[13]: EARLY1: removed",
          "Jan  7 21:00:00 mta postfix/qmgr[13]: FARM1: from=<erin@corp.example>, size=1, nrcpt=1 (queue active)",
          "Jan  7 21:00:00 mta postfix/pipe[15]: FARM1: to=<x@y.example>, relay=farm, status=sent (delivered)",
          "Jan  7 21:00:00 mta postfix/qmgr[13]: FARM1: removed",
          "2026-01-07T22:00:00.123456+00:00 mta postfix/qmgr[13]: ISOO1: from=<frank@corp.example>, size=1, nrcpt=1 (queue active)",
          "2026-01-07T22:00:00.123456+00:00 mta postfix/smtp[14]: ISOO1: to=<y@z.example>, relay=mx, status=deferred (451)"]
out.write("\n".join(lines) + "\n")
PY
start_broker
wait_control
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 60000"
$CTL learn >/dev/null 2>&1; [ $? -eq 64 ] || fail "learn without --maillog is not a usage error"
$CTL learn --maillog "$T/nothing" >/dev/null 2>&1 && fail "learn of a missing file succeeded"
$CTL learn --maillog "$T/maillog" --year 2026 >"$T/learn.out" 2>&1 || fail "learn: $(cat "$T/learn.out")"
grep -q "191 message(s) found, 191 learned" "$T/learn.out" || fail "learned: $(cat "$T/learn.out")"
grep -q "1 not syslog, 1 of other programs, 1 too long, 1 bounces (null sender), 1 deliveries to the farm's own pipe" "$T/learn.out" ||
    fail "the summary: $(cat "$T/learn.out")"
grep -q "1 out of order" "$T/learn.out" || fail "out of order not counted: $(cat "$T/learn.out")"
$CTL show carol >"$T/carol" || fail "no state for carol after learning"
grep -q "189 message(s)" "$T/carol" || fail "carol's count: $(grep seen: "$T/carol")"
hours=$(sed -n 's/.*message(s), \([0-9]*\) hour(s) of baseline.*/\1/p' "$T/carol")
[ "${hours:-0}" -ge 150 ] || fail "carol has $hours hour(s) of baseline, not a week"
$CTL show frank@corp.example >/dev/null || fail "the ISO 8601 line not learned"
$CTL show erin@corp.example >/dev/null 2>&1 && fail "a delivery to the farm's pipe was learned"
# What the farm would make of carol's next ordinary note now: not a new account.
grep -q "recipients are usually new" "$T/carol" || fail "show: no usual share"
stop_farm
# farm-replay --keep-state: the state of a replay, for a broker to start from.
python3 "$TOP/test/lib/hijack-sample.py" "$T/sample" >/dev/null
"$FARM_BIN/farm-replay" "$T/sample" --out "$T/replayed" --workers 1 --keep-state "$T/kept.mdb" >"$T/replay.log" 2>&1 ||
    fail "replay: $(tail -3 "$T/replay.log")"
[ -s "$T/kept.mdb" ] || fail "no state kept"
rm -rf "$T/spool"
start_broker --state "$T/kept.mdb"
wait_control
$CTL show quiet | grep -q "flagged: *YES" || fail "the kept state lost the flag: $($CTL show quiet | head -3)"
$CTL show busy | grep -q "message(s)" || fail "the kept state lost busy"
stop_farm
no_sanitizer_reports
echo "ok: a week of a maillog learned (189 of carol's messages, a week of baseline), 6 kinds of hostile line counted and skipped; a replay's state kept and started from"
