#!/usr/bin/env python3
"""hijack-sample.py DIR: a small sample spool for the compromise test.

Three accounts with three days of ordinary history (two messages an hour in
working hours, to five contacts each), then on the fourth morning:
  quiet   sends 200 messages to 200 strangers in ten minutes (hijacked);
  busy    has a busy hour: 25 messages to its contacts (legitimate);
  victim  sends 60 messages to strangers in ten minutes (hijacked; dropped).
Names are NNNNN-ACCOUNT-KIND.eml, KIND legit or attack."""
import os
import sys

T0 = 1767225600
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
events = []
for acc in ("quiet", "busy", "victim"):
    contacts = ["friend%d@%s-contacts.example" % (i, acc) for i in range(5)]
    for day in range(3):
        for hour in range(9, 17):
            for k in range(2):
                t = T0 + day * 86400 + hour * 3600 + k * 1500 + 200 * ("quiet", "busy", "victim").index(acc)
                events.append((t, acc, "legit", [contacts[(hour + k) % 5]]))
burst = T0 + 3 * 86400 + 10 * 3600
for i in range(200):
    events.append((burst + i * 3, "quiet", "attack", ["stranger%d@far%d.example" % (i, i % 40)]))
for i in range(25):
    events.append((burst + i * 140, "busy", "legit", ["friend%d@busy-contacts.example" % (i % 5)]))
for i in range(60):
    events.append((burst + 60 + i * 10, "victim", "attack", ["target%d@elsewhere%d.example" % (i, i % 9)]))
events.sort()
for n, (t, acc, kind, rcpt) in enumerate(events):
    name = "%05d-%s-%s" % (n, acc, kind)
    with open(os.path.join(out, name + ".eml"), "w") as f:
        f.write("From: %s <%s@%s.example>\nTo: %s\nSubject: note %d\n"
                "Date: Thu, 01 Jan 2026 00:00:00 +0000\n\nHello, a note about our plans, number %d.\n"
                % (acc, acc, acc, rcpt[0], n, n))
    with open(os.path.join(out, name + ".env"), "w") as f:
        f.write("account: %s\nmail-from: <%s@%s.example>\nreceived-at: %d\n" % (acc, acc, acc, t))
        for r in rcpt:
            f.write("rcpt-to: <%s>\n" % r)
print(len(events))
