#!/usr/bin/env python3
"""limits-sample.py SPOOL MANIFEST: messages at and just past each limit the
test gives the farm (limits.sh): "QID NAME at|past REASON" a line. At the
limit the message must not carry REASON; just past it, it must.
  message-size 4000, recipients 5, headers 20, line-length 200,
  header-length 400, mime-depth 3, mime-parts 10."""
import os
import sys

spool, manifest = sys.argv[1], sys.argv[2]
for d in ("tmp", "incoming"):
    os.makedirs(os.path.join(spool, d), exist_ok=True)
lines, n = [], [0]


def put(name, where, reason, msg, rcpt=1):
    n[0] += 1
    q = "%014x%010x" % (0x6100000000000 + n[0], 0xee00000000 + n[0])
    env = b"farm-spool: 1\naccount: lim\nmail-from: <l@lim.example>\n"
    env += b"".join(b"rcpt-to: <r%d@dest.example>\n" % i for i in range(rcpt))
    env += b"received-at: 1767225600\nsize: %d\n\n" % len(msg)
    with open(os.path.join(spool, "tmp", q), "wb") as f:
        f.write(env + msg)
    os.rename(os.path.join(spool, "tmp", q), os.path.join(spool, "incoming", q))
    lines.append("%s %s %s %s" % (q, name, where, reason))


H = b"From: L <l@lim.example>\nTo: r0@dest.example\nSubject: limits\n"
for where, extra in (("at", 0), ("past", 1)):
    # message-size: the bytes after the envelope
    body = H + b"\n"
    put("message-size", where, "message-size", body + b"x" * (4000 + extra - len(body)))
    put("recipients", where, "too-many-recipients", H + b"\nhi\n", rcpt=5 + extra)
    # headers: From, To, Subject + fillers up to 20 (+1)
    put("headers", where, "header-count", H + b"X-F: v\n" * (17 + extra) + b"\nbody\n")
    # line-length: a physical header line of 200 (+1) bytes without its LF
    line = b"X-Long: " + b"a" * (200 + extra - 8)
    put("line-length", where, "line-length", H + line + b"\n\nbody\n")
    # header-length: a folded field of 400 (+1) bytes in all, lines under 200
    first = b"X-Fold: " + b"b" * 142                # 150 bytes
    mid = b" " + b"c" * 149                        # 150
    last = b" " + b"d" * (400 + extra - 150 - 1 - 150 - 1 - 1)   # the LFs between count
    assert len(first) + 1 + len(mid) + 1 + len(last) == 400 + extra
    put("header-length", where, "header-length", H + first + b"\n" + mid + b"\n" + last + b"\n\nbody\n")
    # mime-depth: multiparts nested 3 (+1) deep around a text part
    depth = 3 + extra
    m = H + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"d0\"\n\n"
    for d in range(1, depth):
        m += b"--d%d\nContent-Type: multipart/mixed; boundary=\"d%d\"\n\n" % (d - 1, d)
    m += b"--d%d\nContent-Type: text/plain\n\ninner\n" % (depth - 1)
    for d in range(depth - 1, -1, -1):
        m += b"--d%d--\n" % d
    put("mime-depth", where, "mime-depth", m)
    # mime-parts: 10 (+1) entities in all: the multipart and 9 (+1) parts
    m = H + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"p\"\n\n"
    m += b"--p\nContent-Type: text/plain\n\npart\n" * (9 + extra) + b"--p--\n"
    put("mime-parts", where, "mime-parts", m)
with open(manifest, "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines))
