#!/usr/bin/env python3
"""make-sample.py: write the bundled sample spool (test/sample/) or a synthetic
spool of N messages for the integration tests.

    make-sample.py DIR            the bundled sample: varied, hand-shaped messages
    make-sample.py DIR --count N  N synthetic messages (deterministic), for load tests

Deterministic: the same arguments give the same files, byte for byte."""
import os
import random
import sys

ACCOUNTS = [
    ("alice@shop.example", "Alice Martin", "shop.example"),
    ("billing@invoices.example", "Billing Dept", "invoices.example"),
    ("bob@mail.example", "Bob Chen", "mail.example"),
    ("news@letters.example", "Weekly Letters", "letters.example"),
    ("carol@studio.example", "Carol Diaz", "studio.example"),
]
RCPTS = ["dan@customer.example", "erin@partner.example", "frank@client.example",
         "grace@friends.example", "heidi@school.example", "ivan@bank.example"]
SUBJECTS = ["Your invoice {n}", "Meeting notes for week {n}", "Re: the plan",
            "Order {n} has shipped", "Lunch on Friday?", "Newsletter issue {n}"]
WORDS = ("the order invoice meeting plan lunch shipment account project team report "
         "schedule please thanks attached review update friday monday budget draft").split()
SENTENCES = [
    "Thanks for sending the draft over, I had a look at it this morning.",
    "Could we move the meeting to Thursday afternoon? Monday does not work for me.",
    "I attached the invoice for last month; let me know if anything is missing.",
    "The build on the test server failed again, I think it is the new config file.",
    "Are you coming to the team lunch on Friday? We booked a table for twelve.",
    "I reviewed the budget and the numbers look fine apart from the travel line.",
    "Here are my notes from the call with the customer yesterday.",
    "Your order has been packed and will ship with the carrier tomorrow.",
    "Can you check whether the patch applies cleanly to the release branch?",
    "We should update the schedule before we send it to the rest of the group.",
]
SPAM = [
    ("FREE offer!!! Make $5000 a week from home",
     "Dear Friend,\n\nYou have been selected for our EXCLUSIVE offer. Make money fast from home!\n"
     "Click here to claim your FREE gift: http://cash-now.example.biz/claim?id=2231\n"
     "Limited time offer, act now! 100% GUARANTEED. No credit check.\n\n"
     "To be removed from our mailing list reply with REMOVE in the subject.\n"),
    ("Lowest mortgage rates - refinance today",
     "<html><body><font color=red size=5><b>LOWEST RATES EVER!</b></font><br>"
     "Refinance your mortgage now and SAVE thousands. Approval in minutes, bad credit OK!<br>"
     "<a href=\"http://rates.example.info/apply\">CLICK HERE TO APPLY</a><br>"
     "<font size=1>You received this because you opted in. To unsubscribe click "
     "<a href=\"http://rates.example.info/remove\">here</a>.</font></body></html>\n"),
    ("Your account wins a prize",
     "CONGRATULATIONS! Your email address has won $1,000,000 in our international lottery.\n"
     "To claim your prize send your full name, bank account number and phone number to the\n"
     "claims agent today. This offer expires in 48 hours. Act now!!!\n"),
]


def message(rng, n, base_time, crlf=False, extra_headers=None, body=None, sender=None, to=None):
    acct, name, dom = sender or ACCOUNTS[n % len(ACCOUNTS)]
    rcpts = to if to is not None else rng.sample(RCPTS, 1 + n % 3)
    t = base_time + n * 37
    import email.utils
    date = email.utils.formatdate(t, localtime=False)
    subj = rng.choice(SUBJECTS).format(n=n)
    lines = [f"From: {name} <{acct}>"]
    if rcpts:
        lines.append("To: " + ", ".join(rcpts))
    lines += [f"Subject: {subj}", f"Date: {date}", f"Message-ID: <{n}.{t}@{dom}>",
              "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    lines += extra_headers or []
    if body is None:
        body = "\n".join(rng.sample(SENTENCES, 2 + n % 3)) + "\n\n" + name.split()[0] + "\n"
    text = "\n".join(lines) + "\n\n" + body + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8"), acct, rcpts, t


def write(d, name, data, env=None):
    with open(os.path.join(d, name + ".eml"), "wb") as f:
        f.write(data)
    if env is not None:
        with open(os.path.join(d, name + ".env"), "w") as f:
            f.write(env)


def bundled(d):
    rng = random.Random(2)
    base = 1767225600  # 2026-01-01
    for n in range(1, 25):
        data, acct, rcpts, t = message(rng, n, base, crlf=(n % 7 == 0))
        env = None
        if n % 3 == 0:  # an explicit envelope, as an MTA would give it
            env = f"account: {acct.split('@')[0]}\nmail-from: <{acct}>\n" + \
                  "".join(f"rcpt-to: <{r}>\n" for r in rcpts) + \
                  f"client-ip: 192.0.2.{n}\nreceived-at: {t + 2}\n"
        write(d, f"msg-{n:03d}", data, env)
    # Multipart with an 8-bit part and a folded header.
    data, *_ = message(rng, 30, base, extra_headers=[
        "X-Long: a header that is folded", "\tover two lines"], body="Grüße aus Köln — 8-bit body")
    write(d, "msg-030-8bit", data)
    # No recipients anywhere: rejected with reason no-recipients.
    data, *_ = message(rng, 31, base, to=[])
    write(d, "msg-031-no-rcpt", data, "account: alice\nmail-from: <alice@shop.example>\n")
    # A body that starts without an empty line, and a bare header.
    write(d, "msg-032-no-blank", b"From: bob@mail.example\nTo: dan@customer.example\n"
          b"this line is not a header so the body starts here\n")
    # Spam, as a hijacked account might send it: plain, HTML, base64-encoded.
    for k, (subj, body) in enumerate(SPAM):
        html = body.startswith("<html>")
        extra = ["Content-Type: text/html; charset=us-ascii"] if html else []
        data, *_ = message(rng, 40 + k, base, body=body, sender=ACCOUNTS[2],
                           to=["victim%d@target.example" % k])
        data = data.replace(b"Subject: ", b"Subject: " + subj.encode() + b" \x00", 1)
        data = data.replace(b" \x00" + data.split(b" \x00", 1)[1].split(b"\n", 1)[0], b"", 1)
        if html:
            data = data.replace(b"Content-Type: text/plain; charset=utf-8", extra[0].encode())
        if k == 2:
            import base64
            head, _, text = data.partition(b"\n\n")
            head = head.replace(b"Content-Type: text/plain; charset=utf-8",
                                b"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64")
            data = head + b"\n\n" + base64.encodebytes(text)
        write(d, "spam-%03d" % (k + 1), data)
    # Bob's account writing as the invoices domain it does not own: with an
    # accounts table, rejected (domain-lockdown).
    data, *_ = message(rng, 34, base, sender=("ceo@invoices.example", "The CEO", "invoices.example"),
                       to=["accounts@customer.example"])
    write(d, "msg-034-forged", data, "account: bob\nmail-from: <bob@mail.example>\n")
    # No headers at all.
    write(d, "msg-033-no-headers", b"\nonly a body\n",
          "account: bob\nmail-from: <bob@mail.example>\nrcpt-to: <dan@customer.example>\n")


def synthetic(d, count):
    rng = random.Random(count)
    base = 1767225600
    for n in range(count):
        data, acct, rcpts, t = message(rng, n, base, crlf=(n % 11 == 0))
        write(d, f"m{n:06d}", data)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    if "--count" in sys.argv:
        synthetic(d, int(sys.argv[sys.argv.index("--count") + 1]))
    else:
        bundled(d)


if __name__ == "__main__":
    main()
