#!/usr/bin/env python3
"""spoolgen.py SPOOL N ORIGINALS [--no-rcpt-every K]: write N messages straight into
SPOOL/incoming/ in the farm-spool format (tmp/ then rename, as any third-party writer
may), and each message's bytes to ORIGINALS/<qid> so a test can compare what comes
out. Deterministic contents; queue ids are time + counter."""
import os
import sys
import time


def main():
    spool, n, orig = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    no_rcpt = int(sys.argv[sys.argv.index("--no-rcpt-every") + 1]) if "--no-rcpt-every" in sys.argv else 0
    for d in ("tmp", "incoming"):
        os.makedirs(os.path.join(spool, d), exist_ok=True)
    os.makedirs(orig, exist_ok=True)
    base = int(time.time() * 1e6)
    for i in range(n):
        qid = "%014x%010x" % (base + i, 0xabc0000000 + i)
        crlf = "\r\n" if i % 5 == 0 else "\n"
        body = crlf.join(["From: User %d <u%d@acct%d.example>" % (i, i, i % 7),
                          "To: r%d@dest.example" % i, "Subject: message %d" % i,
                          "Date: Thu, 01 Jan 2026 00:00:00 +0000", "", "line one of %d" % i,
                          "\xe9t\xe9 8-bit " * (i % 4), "From the start of a line", ""])
        msg = body.encode("utf-8")
        env = ["farm-spool: 1", "queue-id: " + qid, "account: acct%d" % (i % 7),
               "mail-from: <u%d@acct%d.example>" % (i, i % 7)]
        if not (no_rcpt and i % no_rcpt == 0):
            env.append("rcpt-to: <r%d@dest.example>" % i)
        env += ["received-at: %d" % (1767225600 + i), "size: %d" % len(msg), "", ""]
        data = "\n".join(env).encode() + msg
        tmp = os.path.join(spool, "tmp", qid)
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(spool, "incoming", qid))
        with open(os.path.join(orig, qid), "wb") as f:
            f.write(msg)


if __name__ == "__main__":
    main()
