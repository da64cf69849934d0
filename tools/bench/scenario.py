#!/usr/bin/env python3
"""scenario.py: days of synthetic outbound traffic for compromise detection.

  tools/bench/scenario.py --corpus corpus --out SPOOL [--accounts 200] [--days 4]
                    [--hijacked 12] [--busy 12] [--seed 1]

Writes a sample spool (SPOOL/NNNNNN.eml with NNNNNN.env beside it) that
farm-replay reads, and SPOOL.truth.jsonl: one line per message (file,
account, kind "legit" or "hijack"), then one line per account (its role and,
when hijacked, the time the attacker started). tools/bench/scenario-score.py
compares farm-replay's --json output with it.

The accounts: each has a domain, a daily volume (log-normal, a few to a few
hundred messages a day), working hours in its own time zone with a peak, and
contacts it writes to again and again (Zipf), adding a new one now and then.
Message bodies are the corpus's ham, with From:, To:, Date: and Message-ID:
rewritten. Some accounts have a legitimate busy hour (several times their
peak rate, mostly to people they know). Some are hijacked on the last days:
the attacker sends a burst to strangers at many domains, fast or over an
hour, some of it spam and some ordinary-looking mail, while the owner goes
on sending as before."""
import argparse
import json
import math
import os
import random
import sys

DAY = 86400
START = 1767225600  # 2026-01-01T00:00:00Z, a Thursday

FREEMAIL = ["gmail.example", "yahoo.example", "outlook.example", "mail.example", "web.example"]


def read_corpus(root, kinds):
    out = []
    for kind in kinds:
        d = os.path.join(root, kind)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if os.path.isfile(p) and os.path.getsize(p) < 200000:
                out.append(p)
    return out


def body_of(path):
    """The message's header lines we keep (Subject, MIME) and its body."""
    with open(path, "rb") as f:
        data = f.read()
    sep = data.find(b"\n\n")
    if sep < 0:
        return b"Subject: (none)\n", data
    head, body = data[:sep + 1], data[sep + 2:]
    keep, cur = [], None
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and cur is not None:
            if cur:
                keep.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower()
        cur = name in (b"subject", b"mime-version", b"content-type", b"content-transfer-encoding")
        if cur:
            keep.append(line)
    return b"\n".join(keep) + b"\n", body


def rfc_date(t):
    import email.utils
    return email.utils.formatdate(t, usegmt=True)


class Account:
    def __init__(self, i, rng):
        self.name = "user%03d" % i
        self.domain = "acct%03d.example" % i
        self.addr = "%s@%s" % (self.name, self.domain)
        self.per_day = min(300.0, max(2.0, rng.lognormvariate(math.log(15), 0.9)))
        self.tz = rng.randrange(24)         # the hour (UTC) its working day starts
        self.span = rng.choice([8, 9, 10, 12, 14])
        ncontacts = rng.randint(5, 120)
        self.contacts = [self.new_contact(rng) for _ in range(ncontacts)]
        self.role = "normal"
        self.hijack_at = None

    def new_contact(self, rng):
        dom = rng.choice(FREEMAIL) if rng.random() < 0.5 else "corp%03d.example" % rng.randrange(400)
        return "c%06d@%s" % (rng.randrange(10 ** 6), dom)

    def pick_contacts(self, rng, k, new_share):
        out = []
        for _ in range(k):
            if rng.random() < new_share:
                c = self.new_contact(rng)
                self.contacts.append(c)
            else:
                # Zipf-like: the first contacts are written to most
                i = min(len(self.contacts) - 1, int(rng.paretovariate(1.2)) - 1)
                c = self.contacts[i]
            out.append(c)
        return out

    def hour_weight(self, hour_utc):
        h = (hour_utc - self.tz) % 24
        if h < self.span:
            return 1.0 + math.sin(math.pi * h / self.span)  # a peak mid-day
        return 0.05


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="corpus")
    ap.add_argument("--out", required=True)
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--days", type=int, default=4)
    ap.add_argument("--hijacked", type=int, default=12)
    ap.add_argument("--busy", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    ham = read_corpus(a.corpus, ["easy-ham-1", "easy-ham-2"])
    spam = read_corpus(a.corpus, ["spam-1", "spam-2"])
    if not ham or not spam:
        sys.exit("scenario.py: no ham or spam under %s (run tools/corpus.sh %s)" % (a.corpus, a.corpus))
    accounts = [Account(i, rng) for i in range(a.accounts)]
    roles = list(range(a.accounts))
    rng.shuffle(roles)
    for i in roles[:a.hijacked]:
        accounts[i].role = "hijacked"
        # after at least two days of history, at any hour
        accounts[i].hijack_at = START + rng.randrange(2 * DAY, a.days * DAY - 2 * 3600)
        accounts[i].hijack_style = rng.choice(["fast", "fast", "hour", "slow"])
        accounts[i].hijack_spam = rng.choice([0.0, 0.3, 0.7, 1.0])
    for i in roles[a.hijacked:a.hijacked + a.busy]:
        accounts[i].role = "busy"
        accounts[i].busy_at = START + rng.randrange(1 * DAY, a.days * DAY - 3600)

    events = []  # (time, account, kind, recipients, body source)
    for acc in accounts:
        # The owner's own mail: an inhomogeneous Poisson process by hour.
        for hour in range(a.days * 24):
            w = acc.hour_weight(hour % 24)
            total_w = sum(acc.hour_weight(h) for h in range(24))
            lam = acc.per_day * w / total_w
            n = 0
            # Poisson draw
            L, p, k = math.exp(-lam), 1.0, 0
            while True:
                p *= rng.random()
                if p <= L:
                    break
                k += 1
            n = k
            for _ in range(n):
                t = START + hour * 3600 + rng.randrange(3600)
                rc = acc.pick_contacts(rng, rng.choice([1, 1, 1, 2, 3]), 0.08)
                events.append((t, acc, "legit", rc, rng.choice(ham)))
        if acc.role == "busy":
            # A legitimate busy hour: five to eight times its peak hourly rate,
            # mostly to people it knows (invoices, a round of replies).
            peak = acc.per_day * 2.0 / sum(acc.hour_weight(h) for h in range(24))
            n = int(max(12, peak * rng.uniform(5, 8)))
            for _ in range(n):
                t = acc.busy_at + rng.randrange(3600)
                rc = acc.pick_contacts(rng, 1, 0.15)
                events.append((t, acc, "legit", rc, rng.choice(ham)))
        if acc.role == "hijacked":
            style = acc.hijack_style
            n, span = {"fast": (rng.randint(150, 400), 600), "hour": (rng.randint(150, 300), 3600),
                       "slow": (rng.randint(60, 120), 3 * 3600)}[style]
            for _ in range(n):
                t = acc.hijack_at + rng.randrange(span)
                rc = ["x%07d@%s" % (rng.randrange(10 ** 7), rng.choice(FREEMAIL) if rng.random() < 0.6
                                    else "biz%04d.example" % rng.randrange(5000))
                      for _ in range(rng.choice([1, 1, 2, 3, 5]))]
                src = rng.choice(spam) if rng.random() < acc.hijack_spam else rng.choice(ham)
                events.append((t, acc, "hijack", rc, src))
    events.sort(key=lambda e: (e[0], e[1].name))

    os.makedirs(a.out, exist_ok=True)
    truth = open(a.out.rstrip("/") + ".truth.jsonl", "w")
    for n, (t, acc, kind, rc, src) in enumerate(events):
        name = "%07d" % n
        head, body = body_of(src)
        hdr = ("From: %s <%s>\nTo: %s\nDate: %s\nMessage-ID: <%s.%d@%s>\n" %
               (acc.name.title(), acc.addr, ", ".join(rc), rfc_date(t), name, t, acc.domain)).encode()
        with open(os.path.join(a.out, name + ".eml"), "wb") as f:
            f.write(hdr + head + b"\n" + body)
        with open(os.path.join(a.out, name + ".env"), "w") as f:
            f.write("account: %s\nmail-from: <%s>\n" % (acc.name, acc.addr))
            for r in rc:
                f.write("rcpt-to: <%s>\n" % r)
            f.write("received-at: %d\n" % t)
        truth.write(json.dumps({"file": name + ".eml", "account": acc.name, "kind": kind, "t": t}) + "\n")
    for acc in accounts:
        rec = {"account": acc.name, "role": acc.role, "per_day": round(acc.per_day, 1)}
        if acc.role == "hijacked":
            rec.update(hijack_at=acc.hijack_at, style=acc.hijack_style, spam_share=acc.hijack_spam)
        if acc.role == "busy":
            rec.update(busy_at=acc.busy_at)
        truth.write(json.dumps(rec) + "\n")
    truth.close()
    legit = sum(1 for e in events if e[2] == "legit")
    print("scenario: %d messages (%d legitimate, %d from attackers), %d accounts over %d days: "
          "%d hijacked, %d with a busy hour -> %s" % (len(events), legit, len(events) - legit,
                                                      a.accounts, a.days, a.hijacked, a.busy, a.out))


if __name__ == "__main__":
    main()
