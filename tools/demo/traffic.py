#!/usr/bin/env python3
"""traffic.py SPOOL ACCOUNTS: two days of a small provider's outbound mail, for
tools/demo.sh. Deterministic (the same files every run).

Eleven accounts of different kinds:
  six people (alice, bob, carol, dan, erin, frank) writing to their contacts in
      office hours, a few messages a day each;
  two businesses (sales@shop.example, office@law.example) writing to dozens of
      clients through the day;
  grace@mail.example, an ordinary person on the first day, hijacked at 14:00 on
      the second: 120 phishing notes to strangers in twenty minutes;
  henry (who owns tools.example) sending as ceo@bank.example: a spoofed domain;
  ivan@promo.example sending blatant spam.
Writes SPOOL/NNNNN-ACCOUNT-KIND.eml with .env beside each (account, envelope
sender and recipients, received-at), and the accounts table to ACCOUNTS."""
import os
import random
import sys

T0 = 1767571200          # Mon 2026-01-05 00:00 UTC
rng = random.Random(2026)
out, accounts_file = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)

PEOPLE = [("alice", "shop.example", "Alice Martin"), ("bob", "mail.example", "Bob Chen"),
          ("carol", "studio.example", "Carol Diaz"), ("dan", "design.example", "Dan Okafor"),
          ("erin", "law.example", "Erin Novak"), ("frank", "clinic.example", "Frank Weber")]
SENTENCES = [
    "Thanks for sending the draft over, I had a look at it this morning.",
    "Could we move the meeting to Thursday afternoon? Monday does not work for me.",
    "I attached the invoice for last month; let me know if anything is missing.",
    "Are you coming to the team lunch on Friday? We booked a table for twelve.",
    "I reviewed the budget and the numbers look fine apart from the travel line.",
    "Here are my notes from the call with the customer yesterday.",
    "We should update the schedule before we send it to the rest of the group.",
    "The new samples arrived today, they look much better than the last batch.",
    "Please find the signed contract attached, one copy for your files.",
    "Let me know when you have a moment to go through the proposal together.",
]
SUBJECTS = ["Re: the plan", "Meeting notes", "Lunch on Friday?", "The contract", "Quick question",
            "Your appointment on {d}", "Proposal for {d}", "Invoice {n}", "Re: samples"]
PHISH = ("Your mailbox is almost full",
         "Dear user,\n\nYour mailbox has reached its quota and incoming mail will be returned.\n"
         "Verify your account within 24 hours to keep your messages:\n\n"
         "  http://mail-verify-account.example.ru/login?id={n}\n\nMail Administrator\n")
SPAM = [("FREE offer!!! Make $5000 a week from home",
         "Dear Friend,\n\nYou have been selected for our EXCLUSIVE offer. Make money fast from home!\n"
         "CLICK HERE NOW to claim your FREE bonus: http://cash-now.example.biz/claim\n"
         "No risk, 100% guaranteed. Act now, this offer expires TODAY!!!\n"),
        ("Lower your mortgage rate today - guaranteed approval",
         "Dear Homeowner,\n\nYou have been pre-approved for a LOW RATE mortgage refinance!\n"
         "Save thousands of dollars. No credit check, no obligation. Click here to apply NOW:\n"
         "http://refi-now.example.biz/apply\n\nTo be removed from our mailing list click here.\n"),
        ("URGENT: business proposal",
         "Dear Sir,\n\nI am the son of the late minister and I need your help to transfer\n"
         "US$25,000,000 out of the country. You will receive 30% for your assistance.\n"
         "Reply with your bank details urgently.\n")]

events = []


def note(n):
    return "Hello,\n\n%s %s\n\nBest regards\n" % (rng.choice(SENTENCES), rng.choice(SENTENCES))


def add(t, account, from_addr, display, rcpt, subject, body, kind):
    events.append((t, account, from_addr, display, rcpt, subject, body, kind))


# People: 2 to 6 a day each, in office hours, to their own contacts.
for acc, dom, name in PEOPLE:
    contacts = ["%s%d@%s" % (w, i, d) for i, (w, d) in enumerate(
        [("friend", "friends.example"), ("client", "client.example"), ("team", dom),
         ("partner", "partner.example"), ("family", "home.example"), ("vendor", "supply.example")])]
    for day in range(2):
        for k in range(rng.randint(2, 6)):
            t = T0 + day * 86400 + rng.randint(8 * 3600, 18 * 3600)
            add(t, acc, "%s@%s" % (acc, dom), name, [rng.choice(contacts)],
                rng.choice(SUBJECTS).format(d="Tuesday", n=rng.randint(100, 999)), note(k), "legit")
# Businesses: dozens of clients, 15 to 25 messages a day through the day.
for acc, dom, name in [("sales", "shop.example", "Shop Sales"), ("office", "law.example", "Law Office")]:
    clients = ["client%d@%s" % (i, rng.choice(["mail.example", "post.example", "web.example"]))
               for i in range(60)]
    for day in range(2):
        for k in range(rng.randint(15, 25)):
            t = T0 + day * 86400 + rng.randint(8 * 3600, 19 * 3600)
            add(t, acc, "%s@%s" % (acc, dom), name, [rng.choice(clients)],
                rng.choice(SUBJECTS).format(d="Wednesday", n=rng.randint(100, 999)), note(k), "legit")
# grace: ordinary on day 0 and the morning of day 1; hijacked at 14:00 on day 1.
contacts = ["friend%d@friends.example" % i for i in range(6)]
for day in range(2):
    for k in range(3):
        t = T0 + day * 86400 + 9 * 3600 + k * 5400
        add(t, "grace", "grace@mail.example", "Grace Lee", [rng.choice(contacts)], "Re: the plan",
            note(k), "legit")
attack = T0 + 86400 + 14 * 3600
for i in range(120):
    add(attack + i * 10, "grace", "grace@mail.example", "Grace Lee",
        ["user%d@%s" % (rng.randint(1, 99999), rng.choice(["far.example", "away.example", "remote.example"]))],
        PHISH[0], PHISH[1].format(n=i), "attack")
# henry sends as a domain he does not own.
for k in range(3):
    add(T0 + 86400 + 11 * 3600 + k * 600, "henry", "ceo@bank.example", "Bank CEO",
        ["client%d@client.example" % k], "Urgent wire transfer", note(k), "spoof")
# ivan: spam.
for k in range(5):
    subj, body = SPAM[k % 3]
    add(T0 + 10 * 3600 + k * 3000, "ivan", "ivan@promo.example", "Promo Team",
        ["lead%d@list.example" % k], subj, body, "spam")

events.sort()
for n, (t, account, from_addr, display, rcpt, subject, body, kind) in enumerate(events):
    name = "%05d-%s-%s" % (n, account, kind)
    date = __import__("email.utils").utils.formatdate(t, usegmt=True)
    with open(os.path.join(out, name + ".eml"), "w") as f:
        f.write("From: %s <%s>\nTo: %s\nSubject: %s\nDate: %s\nMessage-ID: <%s@%s>\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n%s"
                % (display, from_addr, ", ".join(rcpt), subject, date, name, from_addr.split("@")[1], body))
    with open(os.path.join(out, name + ".env"), "w") as f:
        f.write("account: %s\nmail-from: <%s>\nreceived-at: %d\n" % (account, from_addr, t))
        for r in rcpt:
            f.write("rcpt-to: <%s>\n" % r)
with open(accounts_file, "w") as f:
    f.write("# account: the domains it may send as\n")
    for acc, dom, _ in PEOPLE:
        f.write("%s %s\n" % (acc, dom))
    f.write("sales shop.example\noffice law.example\ngrace mail.example\nhenry tools.example\n"
            "ivan promo.example\n")
print(len(events))
