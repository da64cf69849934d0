#!/usr/bin/env python3
"""summary.py VERDICTS.jsonl OUT KEYS: what the demo's farm did, in words an
operator reads at a glance: the hijack caught (when, after how many), the
spoofed domain refused, the spam stopped, ordinary mail delivered and signed
(each signature checked by dkimpy, an independent verifier), and what to do
next. Message names are NNNNN-ACCOUNT-KIND.eml (tools/demo/traffic.py)."""
import collections
import json
import os
import subprocess
import sys

verdicts, out, keys = sys.argv[1:4]
rows = [json.loads(line) for line in open(verdicts)]
kind = lambda r: r["file"].rsplit("-", 1)[1].split(".")[0]
by = collections.Counter((r["account"], kind(r), r["verdict"]) for r in rows)
accounts = sorted({r["account"] for r in rows})
legit = [r for r in rows if kind(r) == "legit"]
legit_stopped = [r for r in legit if r["verdict"] != "deliver"]
print()
print("What the farm did with two days of this provider's mail (%d messages, %d accounts):" % (len(rows), len(accounts)))
# The hijack.
attack = sorted((r for r in rows if kind(r) == "attack"), key=lambda r: r["received_at"])
if attack:
    acc = attack[0]["account"]
    leaked = sum(1 for r in attack if r["verdict"] == "deliver")
    held = sum(1 for r in attack if r["verdict"] == "hold")
    first = next((r for r in attack if any(x.startswith("compromise:") for x in r["reasons"])), None)
    why = next(x for x in first["reasons"] if x.startswith("compromise:")) if first else "?"
    print("  HIJACK CAUGHT: %s began mailing strangers (phishing) on the second afternoon;" % acc)
    print("    %d of its %d messages went out before the farm held the account, %d are in hold/." % (leaked, len(attack), held))
    print("    Why: %s" % why[:150])
# The spoof.
spoof = [r for r in rows if kind(r) == "spoof"]
if spoof:
    print("  SPOOFED DOMAIN REFUSED: %s; %d of %d rejected, none signed." % (
        spoof[0]["reasons"][-1], sum(r["verdict"] == "reject" for r in spoof), len(spoof)))
spam = [r for r in rows if kind(r) == "spam"]
if spam:
    stopped = sum(r["verdict"] != "deliver" for r in spam)
    print("  SPAM STOPPED: %d of %d messages from %s (content score %s)." % (
        stopped, len(spam), spam[0]["account"], ", ".join("%.4f" % r["spam"] for r in spam if r["spam"] is not None)))
# Ordinary mail.
signed = [r for r in legit if r["verdict"] == "deliver" and r["dkim"]]
print("  ORDINARY MAIL: %d of %d delivered (%d held or refused), %d DKIM-signed for the domain its"
      % (len(legit) - len(legit_stopped), len(legit), len(legit_stopped), len(signed)))
nokey = sorted({r["account"] for r in legit if r["verdict"] == "deliver" and not r["dkim"]
                and any(x.startswith("no-key") for x in r["reasons"])})
print("    account owns%s." % (" (no key for %s's domain: delivered unsigned, reason no-key)" % ", ".join(nokey)
                             if nokey else ""))
for r in legit_stopped:
    print("    not delivered: %s %s: %s" % (r["file"], r["verdict"], r["reasons"][-1][:100] if r["reasons"] else ""))
# Signatures, checked by an independent implementation.
files = [os.path.join(out, "outgoing", r["qid"]) for r in signed]
if files:
    check = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "..", "..", "test", "lib",
                            "dkim_check.py"), keys] + files, capture_output=True, text=True)
    ok = check.stdout.count("ok")
    print("  SIGNATURES VERIFIED by dkimpy: %d of %d%s" % (ok, len(files), "" if check.returncode == 0 else
                                                       " (see: python3 test/lib/dkim_check.py %s %s/outgoing/*)" % (keys, out)))
print()
print("Per account (delivered / held / rejected):")
for a in accounts:
    d = sum(v for (x, _, w), v in by.items() if x == a and w == "deliver")
    h = sum(v for (x, _, w), v in by.items() if x == a and w == "hold")
    j = sum(v for (x, _, w), v in by.items() if x == a and w == "reject")
    print("  %-8s %4d / %4d / %4d" % (a, d, h, j))
print()
print("Next steps, as an operator would take them (a broker on the demo's spool):")
print("  build/bin/farm-broker --spool %s --endpoint ipc://%s/broker.sock --control ipc://%s/control.sock &" % (out, out, out))
print("  build/bin/farm-ctl --control ipc://%s/control.sock list          # flagged accounts and why" % out)
print("  build/bin/farm-ctl --control ipc://%s/control.sock show grace    # its rates against its baseline" % out)
print("  build/bin/farm-ctl --control ipc://%s/control.sock drop grace    # the phishing to reject/, the burst forgotten" % out)
print("  (or 'release grace' if it was the customer after all; 'release QUEUE-ID' for one message)")
print("  open %s/report.html                                            # the pictures" % out)
