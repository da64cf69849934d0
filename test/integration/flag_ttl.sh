#!/usr/bin/env bash
# flag_ttl.sh: a detector's flag lifts itself after compromise/flag-ttl, the
# mail it held is scanned again (not released unseen), and a burst that goes
# on is flagged again; the escalate-after'th flag in a day stays until an
# operator acts. Two hijacks replayed through a real farm by the stream's
# clock, with flag-ttl 900 s and escalate-after 3:
#  - a newsletter (strangers are its normal: its list is larger than its
#    memory of recipients) sends 40 messages to 50 strangers each in ten
#    minutes, half of them spam; its owner's next send comes after the
#    flag ran out, so the held half-spam burst is scanned again: it must
#    not get out;
#  - a person's account sprays strangers for two hours, half spam: flagged,
#    lifted, flagged again, until the third flag escalates and stays.
# At most 10 of each attacker's messages delivered in all.
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/tools/bench/provider.py" --out "$T/unused" --scale 0.01 --days 1 --train "$T/train" \
    >"$T/gen.log" 2>&1 || fail "provider.py: $(tail -2 "$T/gen.log")"
rm -rf "$T/unused"
mkdir -p "$T/models"
"$FARM_BIN/farm-train" --models "$T/models" --ham "$T/train/ham" --spam "$T/train/spam" >"$T/train.log" 2>&1 ||
    fail "farm-train: $(tail -2 "$T/train.log")"
cp "$TOP/models/compromise.cfg" "$T/models/compromise.cfg"
sed -i 's/^\( *flag-ttl *=\).*/\1 900/; s/^\( *escalate-after *=\).*/\1 3/' "$T/models/compromise.cfg"
grep -q "flag-ttl = 900" "$T/models/compromise.cfg" || fail "flag-ttl not set in the test's compromise.cfg"
python3 - "$T/train" "$T/mail" <<'PY' || fail "the traffic could not be written"
import os, random, sys
train, out = sys.argv[1], sys.argv[2]
rng = random.Random(5)
def bodies(sub):
    d = os.path.join(train, sub)
    return [open(os.path.join(d, f)).read().split("\n\n", 1)[1] for f in sorted(os.listdir(d))]
ham, spam = bodies("ham"), bodies("spam")
os.makedirs(out)
msgs = []
START, DAY = 1767225600, 86400      # 2026-01-01, a Thursday
def mail(t, account, addr, rcpts, body, who):
    msgs.append((t, account, addr, rcpts, body, who))
stranger = lambda: "x%08d@elsewhere%d.example" % (rng.randrange(10 ** 8), rng.randrange(50))
# The newsletter: its list of 600 mailed once a day at 07:00, 50 a message.
lst = ["reader%04d@list%d.example" % (i, i % 40) for i in range(600)]
for day in range(5):
    for k in range(0, len(lst), 50):
        mail(START + day * DAY + 7 * 3600 + k * 2, "news", "news@news.example", lst[k:k + 50],
             ham[rng.randrange(len(ham))], "legit")
hj = START + 4 * DAY + 14 * 3600
for i in range(40):
    mail(hj + i * 15, "news", "news@news.example", [stranger() for _ in range(50)],
         (spam if i % 2 else ham)[rng.randrange(len(spam))], "news-hijack")
for k in range(0, 100, 50):     # the owner's next send, after the flag ran out
    mail(hj + 3600 + k, "news", "news@news.example", lst[k:k + 50], ham[rng.randrange(len(ham))], "legit")
# The person: 8 notes a day to 12 contacts in office hours, four days.
contacts = ["friend%02d@people%d.example" % (i, i % 4) for i in range(12)]
for day in range(4):
    for _ in range(8):
        mail(START + day * DAY + 9 * 3600 + rng.randrange(8 * 3600), "pat", "pat@home.example",
             [rng.choice(contacts)], ham[rng.randrange(len(ham))], "legit")
ph = START + 4 * DAY + 10 * 3600
for i in range(240):            # two hours, one every 30 s, half spam
    mail(ph + i * 30, "pat", "pat@home.example", [stranger() for _ in range(rng.choice([1, 2, 3]))],
         (spam if rng.random() < 0.5 else ham)[rng.randrange(len(spam))], "pat-hijack")
msgs.sort(key=lambda m: m[0])
with open(out + ".truth", "w") as truth:
    for n, (t, account, addr, rcpts, body, who) in enumerate(msgs):
        name = "%06d.eml" % n
        with open(os.path.join(out, name), "w") as f:
            f.write("From: <%s>\nTo: %s\nSubject: note %d\nMessage-ID: <%d@x.example>\n\n%s"
                    % (addr, rcpts[0], n, n, body))
        with open(os.path.join(out, name[:-4] + ".env"), "w") as f:
            f.write("account: %s\nmail-from: <%s>\n%sreceived-at: %d\n"
                    % (account, addr, "".join("rcpt-to: <%s>\n" % r for r in rcpts), t))
        truth.write("%s %s\n" % (name, who))
PY
"$FARM_BIN/farm-replay" "$T/mail" --out "$T/out" --models "$T/models" --workers 2 --json "$T/out.json" \
    >"$T/replay.log" 2>&1 || fail "replay: $(tail -3 "$T/replay.log")"
python3 - "$T/mail.truth" "$T/out.json" >"$T/check.out" <<'PY' || fail "$(cat "$T/check.out")"
import json, sys
who = dict(l.split() for l in open(sys.argv[1]))
v = {j["file"]: j for l in open(sys.argv[2]) for j in [json.loads(l)]}
bad = []
for h in ("news-hijack", "pat-hijack"):
    out = sum(1 for f, w in who.items() if w == h and v[f]["verdict"] == "deliver")
    print("%s: %d delivered" % (h, out))
    if out > 10:
        bad.append("%s: %d of the attacker's messages delivered (at most 10)" % (h, out))
    rescanned = [f for f, w in who.items() if w == h and any(r.startswith("rescan") for r in v[f]["reasons"])]
legit_held = [f for f, w in who.items() if w == "legit" and v[f]["verdict"] != "deliver"
              and v[f]["received_at"] < 1767225600 + 4 * 86400]
if legit_held:
    bad.append("legitimate mail before the hijacks not delivered: %s" % legit_held[:5])
if bad:
    print("; ".join(bad))
    sys.exit(1)
PY
log="$T/out/log/broker.log"
grep -q "account news: the detector's flag of .* ran out" "$log" || fail "the newsletter's flag never ran out"
grep -q "account news flagged .*scanned again, is spam" "$log" ||
    fail "the newsletter's rescanned spam did not flag it again: $(grep 'account news' "$log" | tail -3)"
[ "$(grep -c "account pat flagged until" "$log")" -ge 2 ] ||
    fail "the person's account was not flagged, lifted and flagged again: $(grep 'account pat' "$log" | tail -3)"
grep -q "account pat flagged (escalated: flagged 3 times in 24 hours) until an operator acts" "$log" ||
    fail "the third flag did not escalate: $(grep 'account pat' "$log" | tail -3)"
# Escalated: nothing of pat's after it lifts by itself.
[ "$(grep -c "account pat: the detector's flag of" "$log")" -eq 2 ] ||
    fail "flags ran out $(grep -c "account pat: the detector's flag of" "$log") times, not 2 (the escalated one stays)"
no_sanitizer_reports
echo "ok: flags ran out after 900 s and the held mail was scanned again; the newsletter's spam flagged it again, the person's third flag escalated and stayed; $(tr '\n' ' ' <"$T/check.out")"
