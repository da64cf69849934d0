#!/usr/bin/env python3
"""smtp_load.py: SMTP clients sending numbered messages, each able to prove
itself whole, for the fault tests of farm-smtpd.

  smtp_load.py send --port P --count N --sessions S --record FILE [--prefix X]
  smtp_load.py check --record FILE --spool DIR [--dirs outgoing,hold,...]

send: S sessions share N messages; each message's Subject is "load X-I" and
its body ends with "sha256: H" over the lines before it. FILE gets one line
"X-I CODE" for each message's last reply to its data (0 when the connection
broke first). Sessions reconnect after a broken connection until the port
stays closed for 3 s.
check: every message in the spool folders is whole (its sha256 holds) and
appears once; every message the record says got 250 is there. Prints the
counts; exits 1 on a broken rule."""
import argparse
import hashlib
import os
import random
import smtplib
import socket
import sys
import threading
import time

LOCK = threading.Lock()


def body_of(ident, rng):
    lines = ["From: load@shop.example", "To: r@y.example", "Subject: load %s" % ident, ""]
    for _ in range(rng.randint(5, 300)):
        lines.append("".join(rng.choice("abcdefghij klmnop") for _ in range(rng.randint(1, 76))))
    text = "\r\n".join(lines) + "\r\n"
    h = hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()
    return text + "sha256: %s\r\n" % h


def connect(port):
    """a session, or None when the port stays closed for 3 s"""
    deadline = time.time() + 3
    while time.time() < deadline:
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=30)
            s.ehlo("load.test")
            return s
        except (OSError, smtplib.SMTPException):
            time.sleep(0.05)
    return None


def sender(args, queue, record, seed):
    rng = random.Random(seed)
    s = connect(args.port)
    while s:
        with LOCK:
            if not queue:
                break
            i = queue.pop()
        ident = "%s-%d" % (args.prefix, i)
        try:
            s.sendmail("load@shop.example", ["r@y.example"], body_of(ident, rng).encode())
            code = 250
        except smtplib.SMTPResponseException as e:
            code = e.smtp_code
        except (OSError, smtplib.SMTPException):
            code = 0        # the connection broke: never retried, the test must see it
        with LOCK:
            record.write("%s %d\n" % (ident, code))
            record.flush()
        if code == 0:
            s = connect(args.port)
    if s:
        try:
            s.quit()
        except (OSError, smtplib.SMTPException):
            pass


def send(args):
    queue = list(range(args.count, 0, -1))
    with open(args.record, "w") as record:
        threads = [threading.Thread(target=sender, args=(args, queue, record, k))
                   for k in range(args.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def check(args):
    got = {}
    for line in open(args.record):
        ident, code = line.split()
        got[ident] = int(code)
    seen = {}
    for d in args.dirs.split(","):
        path = os.path.join(args.spool, d)
        if not os.path.isdir(path):
            continue
        for name in os.listdir(path):
            if name.startswith("."):
                continue
            data = open(os.path.join(path, name), "rb").read()
            if b"\n\n" not in data:
                print("FAIL: %s/%s is not a spool file" % (d, name))
                return 1
            msg = data.split(b"\n\n", 1)[1].decode("utf-8", "replace")
            subj = [ln for ln in msg.split("\n") if ln.startswith("Subject: load ")]
            if not subj:
                continue
            ident = subj[0][len("Subject: load "):].strip()
            # The lines the sha covers: from the first of ours, the worker's
            # header lines above them dropped.
            start = msg.index("From: load@shop.example")
            body = msg[start:]
            if "\nsha256: " not in body:
                print("FAIL: %s (%s/%s) is cut short: no sha256 line" % (ident, d, name))
                return 1
            text, h = body.rsplit("sha256: ", 1)
            if hashlib.sha256(text.encode()).hexdigest() != h.strip():
                print("FAIL: %s (%s/%s) is not whole" % (ident, d, name))
                return 1
            if ident in seen:
                print("FAIL: %s twice (%s and %s)" % (ident, seen[ident], name))
                return 1
            seen[ident] = name
    acked = [i for i, c in got.items() if c == 250]
    missing = [i for i in acked if i not in seen]
    if missing:
        print("FAIL: %d messages got 250 and are not in the spool: %s" % (len(missing), missing[:5]))
        return 1
    broken = [i for i, c in got.items() if c == 0]
    extra = [i for i in seen if got.get(i) != 250]
    print("%d sent, %d got 250 (all there, whole, once), %d broke mid-way (%d of them there anyway, "
          "whole), %d told 4xx/5xx" % (len(got), len(acked), len(broken), len(extra),
                                       len([c for c in got.values() if c not in (0, 250)])))
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("send", "check"))
    p.add_argument("--port", type=int)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--sessions", type=int, default=4)
    p.add_argument("--record", required=True)
    p.add_argument("--prefix", default="m")
    p.add_argument("--spool")
    p.add_argument("--dirs", default="incoming,active,outgoing,hold,reject,deferred")
    args = p.parse_args()
    if args.mode == "send":
        send(args)
        return 0
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
