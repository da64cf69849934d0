#!/usr/bin/env python3
"""corpusgen.py CORPUS SPOOL N DOMAIN: N spool files in SPOOL/incoming/ made
from the corpus's ham (easy-ham-1, easy-ham-2; reused in turn when N is
larger), each From: user@DOMAIN (so that every one is signed), To: a
recipient of its own, from 2,000 accounts that each send a few messages an
hour (received-at two seconds apart), so that compromise detection, on,
holds none of them. For tools/bench/bench-farm.sh."""
import os
import sys

corpus, spool, n, domain = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
files = []
for d in ("easy-ham-1", "easy-ham-2"):
    p = os.path.join(corpus, d)
    if os.path.isdir(p):
        files += [os.path.join(p, f) for f in sorted(os.listdir(p))]
if not files and os.path.isdir(corpus):
    # A folder of messages (test/sample, for the smoke run).
    files = [os.path.join(corpus, f) for f in sorted(os.listdir(corpus)) if f.endswith(".eml")]
if not files:
    sys.exit("corpusgen.py: no ham under %s (run tools/corpus.sh %s)" % (corpus, corpus))
for d in ("tmp", "incoming"):
    os.makedirs(os.path.join(spool, d), exist_ok=True)
bodies = []
for f in files[:4000]:
    data = open(f, "rb").read()
    sep = data.find(b"\n\n")
    if sep < 0:
        continue
    # The fields we keep: not the addresses (ours replace them), not the
    # trace fields, not an mbox "From " line (not a field at all).
    head, last_kept = [], False
    for l in data[:sep].split(b"\n"):
        if l[:1] in (b" ", b"\t"):
            if last_kept:
                head.append(l)
            continue
        name = l.split(b":", 1)[0]
        is_field = b":" in l and name and all(33 <= c <= 126 for c in name)
        last_kept = is_field and not name.lower() in (b"from", b"to", b"cc", b"received", b"return-path")
        if last_kept:
            head.append(l)
    bodies.append((b"\n".join(head), data[sep + 2:]))
base = 1767225600
for i in range(n):
    head, body = bodies[i % len(bodies)]
    acct = i % 2000
    msg = (b"From: User %d <u%d@%s>\nTo: r%d@dest%d.example\n" % (acct, acct, domain.encode(), i, i % 50)
           + head + b"\n\n" + body)
    qid = "%014x%010x" % (0x6200000000000 + i, 0xbb00000000 + i)
    env = ("farm-spool: 1\nqueue-id: %s\naccount: acct%d\nmail-from: <u%d@%s>\nrcpt-to: <r%d@dest%d.example>\n"
           "received-at: %d\nsize: %d\n\n" % (qid, acct, acct, domain, i, i % 50, base + 2 * i, len(msg)))
    with open(os.path.join(spool, "tmp", qid), "wb") as f:
        f.write(env.encode() + msg)
    os.rename(os.path.join(spool, "tmp", qid), os.path.join(spool, "incoming", qid))
