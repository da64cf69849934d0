#!/usr/bin/env bash
# lateral.sh: the hijacker who writes to the account's own contacts.
# A business mails its 150 contacts for five days (notes of its own, links
# to its own sites). On day six it has a busy day: eight times its pace,
# different notes, its own links, to the same contacts: nothing held. Then
# its account is hijacked: one phishing note (a greeting of its own in
# each copy, a link to a host it never linked to) to its contacts and
# their colleagues, 150 an hour: held within 20 messages, the reason
# naming the lateral signals. A second account's hijacker adds a Reply-To
# of his own and no link: held too. Replayed by the stream's clock.
. "$(dirname "$0")/../lib/farm.sh"
python3 - "$T/mail" <<'PY' || fail "the traffic could not be written"
import os, random, sys
out = sys.argv[1]
rng = random.Random(18)
os.makedirs(out)
vocab = ["%s%s" % (a, b) for a in ("pla", "rem", "sto", "kin", "val", "mor", "den", "fas", "tor", "bri",
                                   "cal", "gun", "hel", "jas", "lum")
         for b in ("ter", "ning", "ment", "ous", "ble", "ward", "ance", "ship", "ly", "ful", "ist",
                   "ure", "ade", "ion", "ock", "ine", "age", "ery", "est", "ick")]
START, DAY = 1767225600, 86400
msgs = []
def note(sites):
    words = " ".join(rng.choice(vocab) for _ in range(rng.randint(25, 60)))
    link = "\nhttps://www.%s/%s\n" % (rng.choice(sites), rng.choice(vocab)) if rng.random() < 0.4 else "\n"
    return "Hello,\n\n%s%s\nBest regards\n" % (words, link)
for acc, ncontacts in (("biz", 150), ("shopkeeper", 120)):
    contacts = ["p%03d@firm%d.example" % (i, i % 12) for i in range(ncontacts)]
    sites = ["%s-site%d.example" % (acc, i) for i in range(4)]
    addr = "office@%s.example" % acc
    for day in range(5):
        for _ in range(rng.randint(25, 40)):
            t = START + day * DAY + 8 * 3600 + rng.randrange(9 * 3600)
            msgs.append((t, acc, addr, [rng.choice(contacts)], note(sites), "legit", ""))
    if acc == "biz":
        # Day six, 08:00 to 11:00: a busy day, eight times its pace.
        for _ in range(90):
            t = START + 5 * DAY + 8 * 3600 + rng.randrange(3 * 3600)
            msgs.append((t, acc, addr, [rng.choice(contacts)], note(sites), "busy", ""))
        host, reply = "docs-review-%06x.example.net" % rng.randrange(1 << 24), ""
    else:
        host, reply = None, "Reply-To: <accounts.%s@freemail.example>\n" % acc
    # Day six, 15:00: the hijacker's round, one every 24 s for 40 minutes.
    for i in range(100):
        c = rng.choice(contacts)
        if rng.random() < 0.3:
            c = "x%03d@%s" % (rng.randrange(1000), c.split("@")[1])
        body = ("Hi %s,\n\nI have shared a document with you, please review it before our meeting "
                "and let me know what you think of the figures in it.\n%s\nThanks and regards\n"
                % (c.split("@")[0], "View it here: http://%s/doc/%d\n" % (host, rng.randrange(10 ** 6))
                   if host else "Reply to this e-mail to receive the file."))
        msgs.append((START + 5 * DAY + 15 * 3600 + i * 24, acc, addr, [c], body, "hijack-" + acc, reply))
msgs.sort(key=lambda m: m[0])
with open(out + ".truth", "w") as truth:
    for n, (t, acc, addr, rc, body, who, extra) in enumerate(msgs):
        name = "%06d.eml" % n
        with open(os.path.join(out, name), "w") as f:
            f.write("From: %s <%s>\n%sTo: %s\nSubject: note %d\nMessage-ID: <%d@%s.example>\n"
                    "X-Mailer: OfficeMail 4.%d\n\n%s" % (acc.title(), addr, extra, rc[0], n, n, acc,
                                                     rng.randrange(9), body))
        with open(os.path.join(out, name[:-4] + ".env"), "w") as f:
            f.write("account: %s\nmail-from: <%s>\nrcpt-to: <%s>\nreceived-at: %d\n" % (acc, addr, rc[0], t))
        truth.write("%s %s\n" % (name, who))
PY
"$FARM_BIN/farm-replay" "$T/mail" --out "$T/out" --workers 2 --json "$T/out.json" \
    >"$T/replay.log" 2>&1 || fail "replay: $(tail -3 "$T/replay.log")"
python3 - "$T/mail.truth" "$T/out.json" >"$T/check.out" <<'PY' || fail "$(cat "$T/check.out")"
import json, sys
who = dict(l.split() for l in open(sys.argv[1]))
v = {j["file"]: j for l in open(sys.argv[2]) for j in [json.loads(l)]}
bad = []
held = lambda f: v[f]["verdict"] != "deliver"
legit = [f for f, w in who.items() if w in ("legit", "busy")]
if any(held(f) for f in legit):
    bad.append("legitimate mail held: %s" % [(f, v[f]["reasons"][:1]) for f in legit if held(f)][:3])
for h in ("hijack-biz", "hijack-shopkeeper"):
    fs = sorted(f for f, w in who.items() if w == h)
    first = next((i for i, f in enumerate(fs) if held(f)), None)
    out = sum(1 for f in fs if not held(f))
    print("%s: %d delivered, the first held its %s" % (h, out, first + 1 if first is not None else "none"))
    if first is None or first >= 20:
        bad.append("%s: not held within 20 (%s)" % (h, first))
    elif not any(r.startswith("compromise: lateral score") for f in fs for r in v[f]["reasons"]):
        bad.append("%s: held, but not for the lateral signals" % h)
if bad:
    print("; ".join(bad))
    sys.exit(1)
PY
grep -q 'compromise: lateral score .*new Reply-To' "$T/out.json" || fail "the Reply-To not named in a reason"
no_sanitizer_reports
echo "ok: a busy day to the contacts not held; the phishing rounds to them held: $(tr '\n' ' ' <"$T/check.out")"
