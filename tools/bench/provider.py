#!/usr/bin/env python3
"""provider.py: days of a provider's outbound mail from four kinds of account,
with legitimate hard cases and hijacks of every kind, for compromise detection.

  tools/bench/provider.py --out SPOOL [--days 5] [--scale 1] [--seed 1]
                          [--corpus DIR] [--train DIR]

The accounts (68 at --scale 1; --scale multiplies the count of each kind):
  person      30  a few messages a day in office hours to contacts met again
                  and again (Zipf), a new one now and then;
  business    20  tens of messages a day to hundreds of contacts at many domains;
  newsletter   8  one send a day to its list (500 to 1,500 addresses, 50 to a
                  message, over 20 minutes, at its own hour) and a few replies;
  shop        10  receipts day and night, 8 to 30 an hour, almost every
                  recipient new.
Legitimate hard cases (kind "legit", case named): a business mailing 60 to 120
people met at a conference within an hour; a person greeting every contact
within ten minutes; a newsletter whose list grows by half in a day; a shop's
sale day (three to five times its rate for six hours); a business's busy day
(five to eight times its pace for three hours, notes of its own to people it
knows); accounts that are new on the last day (one of each kind). Hijacks
(kind "hijack", on the last two days): people and businesses whose attacker
sprays strangers (fast, over an hour, or slowly), some with spam; lateral
ones, whose attacker reads the address book and sends one phishing note (a
greeting of its own, a link to a new host) to the account's contacts and
their colleagues, 100 to 300 an hour for 40 minutes; a newsletter whose
attacker mails strangers; a shop whose attacker sends spam to its usual kind
of recipients at its usual rate; a shop whose attacker sends receipts of its
own kind to a bought list, a third or more of it dead (only the delivery
feedback catches that one).

Bodies are written from templates of each kind (receipts, newsletters,
notes, phishing, spam); with --corpus, people's and businesses' notes are the
corpus's ham and the attackers' spam the corpus's spam. --train DIR writes
DIR/ham and DIR/spam, messages from the same templates with another seed, to
train a model when there is no corpus.

Writes SPOOL/NNNNNNN.eml with .env beside it, and SPOOL.truth.jsonl: one
line per message (file, account, kind, case, t), then one per account (type,
role, hijack style). tools/bench/scenario-score.py reads it and reports per
kind of account and per kind of hijack. SPOOL.dead lists the recipient
addresses that do not exist (honest accounts have a few, a hijacker's list a
third): farm-replay --dead-recipients SPOOL.dead answers those 550 5.1.1 and
every other 250, as the remote servers would, for the delivery feedback."""
import argparse
import email.utils
import json
import math
import os
import random

DAY = 86400
START = 1767225600  # 2026-01-01T00:00:00Z, a Thursday
FREEMAIL = ["gmail.example", "yahoo.example", "outlook.example", "mail.example", "web.example",
            "gmx.example", "proton.example"]

WORDS = ("the report the meeting our plan next week the budget your draft the figures the "
         "contract my notes the invoice the schedule the photos the trip a question the design "
         "the samples the order the delivery the team lunch the call the review the proposal").split(" the ")
PHRASES = ["Thanks for sending {w} over, I had a look at it this morning.",
           "Could we talk about {w} on Thursday afternoon?",
           "I attached {w}; let me know if anything is missing.",
           "Are you free to go through {w} before Friday?",
           "I reviewed {w} and it looks fine apart from one line.",
           "Here is {w} we discussed yesterday.",
           "We should update {w} before we send it to the group.",
           "Sorry for the delay with {w}, it was a busy week.",
           "Did you get a chance to read {w}?",
           "Let me know what you think of {w} when you have a moment."]
GREETINGS = ["Happy new year! Wishing you and your family all the best for 2026.",
             "We have moved! Our new address is below, do come and visit.",
             "Thank you all for a wonderful year, see you soon."]
CONF = ["It was great to meet you at the trade fair in Lyon this week.",
        "Thank you for stopping by our stand at the conference.",
        "As promised at the conference, here are the slides and my contact details."]
PRODUCTS = ["blue cotton t-shirt", "ceramic mug", "running shoes", "garden hose", "desk lamp",
            "phone case", "tea sampler", "wool scarf", "notebook set", "bicycle light"]
TOPICS = ["local events", "new recipes", "the gardening season", "our members' stories",
          "this week in tech", "book reviews", "the club's calendar", "travel tips"]
PHISH = ["I have shared a document with you. View it here: http://{h}/doc/{n}",
         "Please review the attached invoice online: http://{h}/invoice/{n}",
         "Your mailbox is almost full. Confirm your mailbox within 24 hours: http://{h}/verify?id={n}",
         "Your account will be suspended. Verify your password now at http://{h}/login/{n}"]
SPAM = ["FREE offer!!! Make $5000 a week from home. CLICK HERE NOW to claim your FREE bonus: "
        "http://{h}/claim/{n} No risk, 100% guaranteed. Act now, this offer expires TODAY!!!",
        "Lower your mortgage rate today - guaranteed approval! No credit check. Click here: "
        "http://{h}/apply/{n} To be removed from our mailing list click here.",
        "Cheap meds online, no prescription needed! V1AGRA C1ALIS 80% off. Order now at "
        "http://{h}/pharmacy/{n} Discreet shipping worldwide.",
        "Dear Friend, I am the son of the late minister and I need your help to transfer "
        "US$25,000,000. You will receive 30% for your assistance. Reply with your bank details.",
        "You have WON the lottery!!! Claim your $1,000,000 prize now: http://{h}/winner/{n} "
        "Send your name, address and a processing fee today."]
BAD_HOSTS = ["secure-login.example.ru", "docs-share.example.top", "mail-verify.example.biz",
             "cash-now.example.biz", "pharma-deals.example.cn", "win-big.example.xyz"]


class Bodies:
    """Subjects and bodies of each kind, from templates or the corpus."""

    def __init__(self, rng, corpus=None):
        self.rng = rng
        self.ham, self.spam = [], []
        if corpus:
            for kind, into in (("easy-ham-1", self.ham), ("easy-ham-2", self.ham),
                               ("spam-1", self.spam), ("spam-2", self.spam)):
                d = os.path.join(corpus, kind)
                if os.path.isdir(d):
                    into.extend(os.path.join(d, f) for f in sorted(os.listdir(d))
                                if os.path.getsize(os.path.join(d, f)) < 200000)

    def _corpus(self, paths):
        with open(self.rng.choice(paths), "rb") as f:
            data = f.read()
        sep = data.find(b"\n\n")
        head, body = (data[:sep], data[sep + 2:]) if sep >= 0 else (b"", data)
        subj = b"(none)"
        for line in head.split(b"\n"):
            if line.lower().startswith(b"subject:"):
                subj = line[8:].strip()
        return subj.decode("latin-1"), body.decode("latin-1")

    def note(self, name, extra=None):
        if self.ham:
            return self._corpus(self.ham)
        r = self.rng
        lines = [r.choice(PHRASES).format(w=r.choice(WORDS)) for _ in range(r.randint(1, 4))]
        if extra:
            lines.insert(0, extra)
        return (r.choice(["Re: ", "", "Fwd: "]) + r.choice(WORDS).capitalize(),
                "Hello,\n\n" + "\n".join(lines) + "\n\nBest,\n%s\n" % name)

    def receipt(self, shop):
        r = self.rng
        n, items = r.randrange(10 ** 6), r.sample(PRODUCTS, r.randint(1, 3))
        total = sum(r.randint(5, 80) for _ in items) + r.randint(0, 99) / 100.0
        kind = r.choice(["Your order %d is confirmed" % n, "Your order %d has shipped" % n,
                         "Welcome to %s: confirm your e-mail" % shop, "Your receipt from %s" % shop])
        body = ("Thank you for shopping with %s.\n\nOrder: %d\n%s\nTotal: EUR %.2f\n\n"
                "Track your parcel: https://%s/track/%d\nQuestions? Reply to this e-mail.\n" %
                (shop, n, "\n".join("  1 x %s" % i for i in items), total, shop, n))
        return kind, body

    def newsletter(self, org, day):
        r = self.rng
        topic = r.choice(TOPICS)
        return ("%s: %s, issue %d" % (org, topic, day + 1),
                "This week at %s: %s.\n\n%s\n\nRead more: https://%s/news/%d\n\n"
                "You receive this because you subscribed at %s. Unsubscribe: https://%s/unsub\n" %
                (org, topic, " ".join(r.choice(PHRASES).format(w=r.choice(WORDS)) for _ in range(3)),
                 org, day, org, org))

    def bad(self, spam):
        r = self.rng
        h, n = r.choice(BAD_HOSTS), r.randrange(10 ** 6)
        if spam and self.spam:
            return self._corpus(self.spam)
        if spam:
            return (r.choice(["FREE money", "You have won", "Cheap meds", "Urgent proposal"]),
                    r.choice(SPAM).format(h=h, n=n) + "\n")
        return (r.choice(["Shared document", "Invoice", "Your mailbox", "Account notice"]),
                "Hi,\n\n" + r.choice(PHISH).format(h=h, n=n) + "\n\nThanks\n")


# Addresses that do not exist (SPOOL.dead: farm-replay --dead-recipients
# answers them 550 5.1.1): a share of every new address, drawn from a
# generator of its own so that the traffic is the same with or without them.
# Honest accounts mistype or outlive a few (a person's contacts 1%, a
# shop's customers at checkout 2%, a newsletter's list 2%); a hijacker's
# bought or guessed list is a third dead, and half of the colleagues a
# lateral hijacker guesses at do not exist.
DEAD, DEAD_RNG = set(), random.Random(0)
DEAD_SHARE = {"person": 0.01, "business": 0.01, "newsletter": 0.02, "shop": 0.02}
HIJACK_DEAD, GUESSED_DEAD = 0.33, 0.5


def mark_dead(addr, share):
    if DEAD_RNG.random() < share:
        DEAD.add(addr)


class Account:
    def __init__(self, rng, i, kind):
        self.kind, self.i = kind, i
        self.name = "%s%02d" % (kind, i)
        self.domain = "%s%02d.example" % (kind, i)
        self.addr = "%s@%s" % ({"person": "me", "business": "office", "newsletter": "news",
                                "shop": "orders"}[kind], self.domain)
        self.tz = rng.choice([6, 7, 8, 8, 9, 13, 14, 15, 22])
        self.span = rng.choice([8, 9, 10, 12])
        self.born = 0           # the day it starts sending
        self.role, self.hijack = "normal", None
        ncontacts = {"person": (20, 150), "business": (200, 600), "newsletter": (10, 40),
                     "shop": (20, 60)}[kind]
        self.contacts = [self.stranger(rng) for _ in range(rng.randint(*ncontacts))]
        self.mailed = {}        # the contacts it has written to, in order
        self.per_day = {"person": lambda: min(40, rng.lognormvariate(math.log(6), 0.7)),
                        "business": lambda: rng.uniform(30, 100),
                        "newsletter": lambda: rng.uniform(2, 6),
                        "shop": lambda: rng.uniform(8, 30) * 24}[kind]()
        if kind == "newsletter":
            self.list = [self.stranger(rng) for _ in range(rng.randint(500, 1500))]
            self.send_hour = rng.randrange(24)

    def stranger(self, rng, dead=None):
        dom = rng.choice(FREEMAIL) if rng.random() < 0.6 else "corp%03d.example" % rng.randrange(500)
        c = "c%07d@%s" % (rng.randrange(10 ** 7), dom)
        mark_dead(c, DEAD_SHARE[self.kind] if dead is None else dead)
        return c

    def contacts_for(self, rng, k, new_share):
        out = []
        for _ in range(k):
            if rng.random() < new_share:
                c = self.stranger(rng)
                self.contacts.append(c)
            else:
                c = self.contacts[min(len(self.contacts) - 1, int(rng.paretovariate(1.1)) - 1)]
            self.mailed[c] = True
            out.append(c)
        return out

    def hour_weight(self, h):
        x = (h - self.tz) % 24
        if self.kind == "shop":     # day and night, busier in the evening
            return 1.0 + 0.6 * math.sin(math.pi * ((h - 6) % 24) / 24.0)
        return 1.0 + math.sin(math.pi * x / self.span) if x < self.span else 0.04


def poisson(rng, lam):
    if lam > 30:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    L, p, k = math.exp(-lam), 1.0, 0
    while True:
        p *= rng.random()
        if p <= L:
            return k
        k += 1


def make_accounts(rng, scale, days):
    counts = [("person", 30), ("business", 20), ("newsletter", 8), ("shop", 10)]
    accs = []
    for kind, n in counts:
        for i in range(max(1, int(n * scale))):
            accs.append(Account(rng, i, kind))
    by = {k: [a for a in accs if a.kind == k] for k, _ in counts}
    # Accounts new on the last day: the last of each kind.
    for k in by:
        by[k][-1].born = days - 1
        by[k][-1].role = "new"
    last = (days - 2) * DAY
    def pick(kind, n, role):
        free = [a for a in by[kind] if a.role == "normal"]
        for a in rng.sample(free, min(n, len(free))):
            a.role = role
            yield a
    for a in pick("person", max(1, int(4 * scale)), "hijacked"):
        a.hijack = dict(style=rng.choice(["fast", "hour", "slow"]), spam=rng.choice([0.0, 0.0, 0.5, 1.0]),
                        at=START + last + rng.randrange(DAY + DAY // 2))
    for a in pick("business", max(1, int(3 * scale)), "hijacked"):
        a.hijack = dict(style=rng.choice(["fast", "hour"]), spam=rng.choice([0.0, 0.5]),
                        at=START + last + rng.randrange(DAY + DAY // 2))
    # Lateral: the hijacker reads the address book and phishes the
    # account's own contacts (and their colleagues), one note to all.
    for a in pick("business", max(1, int(3 * scale)), "hijacked"):
        a.hijack = dict(style="lateral", spam=0.0, at=START + last + rng.randrange(DAY + DAY // 2))
    for a in pick("person", max(1, int(2 * scale)), "hijacked"):
        a.hijack = dict(style="lateral", spam=0.0, at=START + last + rng.randrange(DAY + DAY // 2))
    for a in pick("newsletter", 1, "hijacked"):
        a.hijack = dict(style="fast", spam=0.5, at=START + last + rng.randrange(DAY))
    for a in pick("shop", max(1, int(2 * scale)), "hijacked"):
        a.hijack = dict(style="usual-rate spam", spam=1.0, at=START + last + rng.randrange(DAY))
    for kind, case in (("business", "conference"), ("person", "greeting"), ("newsletter", "list-growth"),
                       ("shop", "sale-day"), ("business", "busy-day")):
        for a in pick(kind, max(1, int(2 * scale)), "hard"):
            a.case = case
            a.case_at = START + rng.randrange(2, days - 1) * DAY + rng.randrange(6, 16) * 3600
    # A shop's hijacker with a bought list: receipts that look like its own
    # (order confirmations, a lure), at its usual rate, to strangers as
    # always; a third or more of the list is dead. Only what comes back
    # gives him away. Drawn apart (DEAD_RNG), so that the other accounts are
    # what they were.
    free = [a for a in by["shop"] if a.role == "normal"]
    for a in DEAD_RNG.sample(free, min(len(free), max(1, int(scale)))):
        a.role = "hijacked"
        a.hijack = dict(style="bought list", spam=0.0, at=START + last + DEAD_RNG.randrange(DAY))
    return accs


def events_of(rng, a, days, bodies):
    ev = []     # (t, kind, case, rcpts, (subject, body))
    total_w = sum(a.hour_weight(h) for h in range(24))
    for day in range(a.born, days):
        if a.kind == "newsletter":
            # The list grows a little every day (a hard-case account by half, once).
            grow = int(len(a.list) * rng.uniform(0.0, 0.03))
            case = None
            if a.role == "hard" and START + day * DAY <= a.case_at < START + (day + 1) * DAY:
                grow, case = len(a.list) // 2, a.case
            a.list.extend(a.stranger(rng) for _ in range(grow))
            t0 = START + day * DAY + a.send_hour * 3600 + rng.randrange(600)
            subj = bodies.newsletter(a.domain, day)
            for k in range(0, len(a.list), 50):
                ev.append((t0 + rng.randrange(1200), "legit", case, a.list[k:k + 50], subj))
        for hour in range(24):
            t_h = START + day * DAY + hour * 3600
            lam = a.per_day * a.hour_weight(hour) / total_w
            if a.kind == "newsletter":
                lam = a.per_day / 24.0 * a.hour_weight(hour) / (total_w / 24.0)
            case = None
            if a.role == "hard" and a.case == "sale-day" and a.case_at <= t_h < a.case_at + 6 * 3600:
                lam *= rng.uniform(3, 5)
                case = a.case
            busy = a.role == "hard" and a.case == "busy-day" and a.case_at <= t_h < a.case_at + 3 * 3600
            if busy:
                # Notes of its own to the people it knows, five to eight times its pace.
                for _ in range(poisson(rng, max(lam, a.per_day / 10.0) * rng.uniform(5, 8))):
                    ev.append((t_h + rng.randrange(3600), "legit", a.case,
                               a.contacts_for(rng, rng.choice([1, 1, 2]), 0.02), bodies.note(a.name)))
            for _ in range(poisson(rng, lam)):
                t = t_h + rng.randrange(3600)
                if a.kind == "shop":
                    rc = a.contacts_for(rng, 1, 0.93)
                    ev.append((t, "legit", case, rc, bodies.receipt(a.domain)))
                else:
                    rc = a.contacts_for(rng, rng.choice([1, 1, 1, 2, 3]), 0.06 if a.kind == "person" else 0.1)
                    ev.append((t, "legit", case, rc, bodies.note(a.name)))
    if a.role == "hard" and a.case == "conference":
        for _ in range(rng.randint(60, 120)):
            ev.append((a.case_at + rng.randrange(3600), "legit", a.case, a.contacts_for(rng, 1, 1.0),
                       bodies.note(a.name, rng.choice(CONF))))
    if a.role == "hard" and a.case == "greeting":
        # Its address book: the people it has written to (by then), and a
        # few it has not.
        before = {}
        for t, kind, case, rc, _ in sorted(ev, key=lambda e: e[0]):
            if t < a.case_at:
                before.update((r, True) for r in rc)
        everyone = list(before) + [c for c in a.contacts if c not in before and rng.random() < 0.1]
        text = rng.choice(GREETINGS)
        if rng.random() < 0.5:
            for c in everyone:
                ev.append((a.case_at + rng.randrange(600), "legit", a.case, [c], bodies.note(a.name, text)))
        else:
            for k in range(0, len(everyone), 20):
                ev.append((a.case_at + rng.randrange(600), "legit", a.case, everyone[k:k + 20],
                           bodies.note(a.name, text)))
    if a.role == "hijacked":
        h = a.hijack
        if h["style"] == "lateral":
            # 100 to 300 an hour for 40 minutes: 70% people it has mailed,
            # 30% colleagues of theirs it has not; one note (a template or
            # two) with a greeting of its own and a link to a new host.
            known = list(a.mailed) or a.contacts
            host = "%s-%s.example.%s" % (rng.choice(["docs", "share", "invoice", "mailbox"]),
                                         "%06x" % rng.randrange(1 << 24), rng.choice(["top", "biz", "net"]))
            notes = rng.sample(PHISH, rng.choice([1, 1, 2]))
            for _ in range(int(rng.uniform(100, 300) * 40 / 60)):
                c = rng.choice(known)
                if rng.random() < 0.3:
                    c = "c%07d@%s" % (rng.randrange(10 ** 7), c.split("@")[1])
                    mark_dead(c, GUESSED_DEAD)
                first = c.split("@")[0]
                ev.append((h["at"] + rng.randrange(2400), "hijack", None, [c],
                           (rng.choice(["Shared document", "Invoice", "Your mailbox"]),
                            "Hi %s,\n\n%s\n\nThanks,\n%s\n" % (first, rng.choice(notes).format(
                                h=host, n=rng.randrange(10 ** 6)), a.name.title()))))
        elif h["style"] == "bought list":
            r = DEAD_RNG
            lures = Bodies(r)
            for hour in range(6):
                for _ in range(poisson(r, a.per_day / 24.0)):
                    c = "c%07d@%s" % (r.randrange(10 ** 7), r.choice(FREEMAIL))
                    mark_dead(c, r.uniform(0.3, 0.5))
                    ev.append((h["at"] + hour * 3600 + r.randrange(3600), "hijack", None, [c],
                               lures.receipt(a.domain)))
        elif a.kind == "shop":
            # At its usual rate, to the kind of recipients it always has.
            rate = a.per_day / 24.0
            for hour in range(6):
                for _ in range(poisson(rng, rate)):
                    ev.append((h["at"] + hour * 3600 + rng.randrange(3600), "hijack", None,
                               [a.stranger(rng, HIJACK_DEAD)], bodies.bad(True)))
        else:
            n, span = {"fast": (rng.randint(150, 400), 600), "hour": (rng.randint(150, 300), 3600),
                       "slow": (rng.randint(60, 120), 3 * 3600)}[h["style"]]
            per = 50 if a.kind == "newsletter" else None
            for _ in range(n // (10 if per else 1)):
                rc = [a.stranger(rng, HIJACK_DEAD) for _ in range(per or rng.choice([1, 1, 2, 3, 5]))]
                ev.append((h["at"] + rng.randrange(span), "hijack", None, rc,
                           bodies.bad(rng.random() < h["spam"])))
    return ev


def write_train(path, seed):
    rng = random.Random(seed)
    b = Bodies(rng)
    for sub in ("ham", "spam"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    for i in range(400):
        for sub, (s, body) in (("ham", [b.note("Sam"), b.receipt("store.example"),
                                        b.newsletter("club.example", i)][i % 3]),
                               ("spam", b.bad(True) if i % 2 else b.bad(False))):
            with open(os.path.join(path, sub, "%04d.eml" % i), "w") as f:
                f.write("From: x@example.org\nSubject: %s\n\n%s" % (s, body))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus")
    ap.add_argument("--train")
    a = ap.parse_args()
    if a.train:
        write_train(a.train, a.seed + 1000)
    rng = random.Random(a.seed)
    DEAD_RNG.seed(a.seed + 7)
    bodies = Bodies(rng, a.corpus)
    accs = make_accounts(rng, a.scale, a.days)
    events = []
    for acc in accs:
        events.extend((t, acc, kind, case, rc, sb) for t, kind, case, rc, sb in events_of(rng, acc, a.days, bodies))
    events.sort(key=lambda e: (e[0], e[1].name))
    os.makedirs(a.out, exist_ok=True)
    # A folder of an earlier run: its messages are not this run's.
    for name in os.listdir(a.out):
        if name.endswith((".eml", ".env")):
            os.unlink(os.path.join(a.out, name))
    with open(a.out.rstrip("/") + ".truth.jsonl", "w") as truth:
        for n, (t, acc, kind, case, rc, (subj, body)) in enumerate(events):
            name = "%07d" % n
            hdr = ("From: %s <%s>\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s.%d@%s>\n"
                   "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" %
                   (acc.name.title(), acc.addr, rc[0] if len(rc) == 1 else "undisclosed-recipients:;",
                    subj.replace("\n", " ")[:200], email.utils.formatdate(t, usegmt=True), name, t, acc.domain))
            with open(os.path.join(a.out, name + ".eml"), "w", encoding="utf-8", errors="replace") as f:
                f.write(hdr + body)
            with open(os.path.join(a.out, name + ".env"), "w") as f:
                f.write("account: %s\nmail-from: <%s>\n" % (acc.name, acc.addr))
                f.write("".join("rcpt-to: <%s>\n" % r for r in rc))
                f.write("received-at: %d\n" % t)
            rec = {"file": name + ".eml", "account": acc.name, "kind": kind, "t": t}
            if case:
                rec["case"] = case
            truth.write(json.dumps(rec) + "\n")
        for acc in accs:
            rec = {"account": acc.name, "type": acc.kind, "role": acc.role, "per_day": round(acc.per_day, 1)}
            if acc.role == "hijacked":
                rec.update(hijack_at=acc.hijack["at"], style=acc.hijack["style"], spam_share=acc.hijack["spam"])
            if acc.role == "hard":
                rec.update(case=acc.case, case_at=acc.case_at)
            if acc.born:
                rec.update(born=START + acc.born * DAY)
            truth.write(json.dumps(rec) + "\n")
    # The addresses that do not exist, for farm-replay --dead-recipients.
    with open(a.out.rstrip("/") + ".dead", "w") as f:
        f.write("".join(c + "\n" for c in sorted(DEAD)))
    legit = sum(1 for e in events if e[2] == "legit")
    print("provider: %d messages (%d legitimate, %d from attackers), %d accounts over %d days -> %s" %
          (len(events), legit, len(events) - legit, len(accs), a.days, a.out))


if __name__ == "__main__":
    main()
