#!/usr/bin/env python3
"""hostile.py SPOOL MANIFEST: write hostile messages and envelopes straight
into SPOOL/incoming/ (farm-spool files, as an MTA's writer would), each
between two ordinary messages, and MANIFEST: one line per file, "QID KIND
EXPECT", where EXPECT is a regular expression one of its reasons must match
("-" when any verdict will do, "ordinary" for the ordinary ones, which must be
delivered, "corrupt" for files that are not spool files at all).

The hostile cases: an empty message; no blank line before the body; NUL bytes;
bare CR and bare LF; a header line of a megabyte; twenty thousand header
fields; MIME nested two thousand deep; fifty thousand parts; broken base64
and quoted-printable; a missing and an unterminated boundary; a charset that
does not exist; a message far over the size limit (the test sets 1 MiB);
binary noise; envelopes with garbage, without recipients, with ten thousand
recipients, with absurd times."""
import os
import random
import sys

rng = random.Random(7)
spool, manifest = sys.argv[1], sys.argv[2]
for d in ("tmp", "incoming"):
    os.makedirs(os.path.join(spool, d), exist_ok=True)
n = [0]
lines = []


def qid():
    n[0] += 1
    return "%014x%010x" % (0x6000000000000 + n[0], 0xdd00000000 + n[0])


def put(raw, kind, expect):
    q = qid()
    with open(os.path.join(spool, "tmp", q), "wb") as f:
        f.write(raw)
    os.rename(os.path.join(spool, "tmp", q), os.path.join(spool, "incoming", q))
    lines.append("%s %s %s" % (q, kind, expect))


def spoolfile(msg, rcpt=("<r@dest.example>",), extra=b"", at=1767225600):
    env = b"farm-spool: 1\naccount: host\nmail-from: <h@host.example>\n"
    for r in rcpt:
        env += b"rcpt-to: " + r.encode() + b"\n"
    if at is not None:
        env += b"received-at: %d\n" % at
    return env + extra + b"size: %d\n\n" % len(msg) + msg


def ordinary():
    i = n[0]
    msg = ("From: Host <h@host.example>\nTo: r@dest.example\nSubject: ordinary %d\n"
           "Date: Thu, 01 Jan 2026 00:00:00 +0000\n\nAn ordinary note, number %d.\n" % (i, i)).encode()
    put(spoolfile(msg), "ordinary", "ordinary")


H = b"From: Host <h@host.example>\nTo: r@dest.example\nSubject: hostile\n"
cases = [
    ("empty", spoolfile(b""), "empty-message"),
    ("no-blank-line", spoolfile(H + b"this line has no colon and no blank line came before it\nmore\n"), "-"),
    ("nul-header", spoolfile(b"From: h@host.example\nSubject: a\x00b\n\nbody\n"), "header-nul"),
    ("from-behind-a-broken-line", spoolfile(b"From: h@host.example\nbroken header line\n"
                                            b"From: ceo@bank.example\n\nbody\n"), "header-syntax"),
    ("nul-body", spoolfile(H + b"\nbody \x00 with \x00\x00 NULs\n"), "-"),
    ("bare-cr", spoolfile(H.replace(b"\n", b"\r") + b"\rbody\rwith bare CR\r"), "-"),
    ("bare-lf-crlf-mix", spoolfile(b"From: h@host.example\r\nTo: r@dest.example\nSubject: x\r\n\nbody\r\n"), "-"),
    ("megabyte-header-line", spoolfile(b"From: h@host.example\nX-Long: " + b"a" * 1000000 + b"\n\nbody\n"),
     "line-length|header-length"),
    ("20000-headers", spoolfile(b"From: h@host.example\n" + b"X-H: v\n" * 20000 + b"\nbody\n"), "header-count"),
]
deep = H + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n"
for d in range(2000):
    deep += b"--b%d\nContent-Type: multipart/mixed; boundary=\"b%d\"\n\n" % (d, d + 1)
deep += b"--b2000\nContent-Type: text/plain\n\ninnermost\n"
cases.append(("mime-2000-deep", spoolfile(deep), "mime-depth"))
parts = H + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"p\"\n\n" + \
    b"--p\n\nx\n" * 50000 + b"--p--\n"
cases.append(("mime-50000-parts", spoolfile(parts), "mime-parts"))
cases += [
    ("broken-base64", spoolfile(H + b"MIME-Version: 1.0\nContent-Type: text/plain\n"
                                b"Content-Transfer-Encoding: base64\n\nSGVsbG8*&^%$#@!!!===notbase64\n"), "base64"),
    ("broken-qp", spoolfile(H + b"MIME-Version: 1.0\nContent-Type: text/plain\n"
                            b"Content-Transfer-Encoding: quoted-printable\n\nbad =ZZ escape =\n"), "quoted-printable"),
    ("missing-boundary", spoolfile(H + b"MIME-Version: 1.0\nContent-Type: multipart/mixed\n\nno boundary\n"),
     "without a boundary"),
    ("unterminated-boundary", spoolfile(H + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=zz\n\n"
                                        b"--zz\nContent-Type: text/plain\n\nnever closed\n"), "closing boundary"),
    ("boundary-never-appears", spoolfile(H + b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=q\n\n"
                                         b"text only\n"), "boundary never appears"),
    ("unknown-charset", spoolfile(H + b"MIME-Version: 1.0\nContent-Type: text/plain; charset=x-no-such-set\n\n"
                                  b"caf\xe9\n"), "unknown charset"),
    ("far-over-size", spoolfile(H + b"\n" + b"x" * (3 << 20)), "message-size"),
    ("binary-noise", spoolfile(bytes(rng.randrange(256) for _ in range(20000))), "-"),
    ("no-recipients", spoolfile(H + b"\nbody\n", rcpt=()), "no-recipients"),
    ("10000-recipients", spoolfile(H + b"\nbody\n", rcpt=["<r%d@x.example>" % i for i in range(10000)]),
     "too-many-recipients"),
    ("time-far-future", spoolfile(H + b"\nbody\n", at=10 ** 15), "received-at"),
    ("time-negative", spoolfile(H + b"\nbody\n", at=-10 ** 15), "received-at"),
    ("time-zero", spoolfile(H + b"\nbody\n", at=0), "received-at"),
    ("envelope-garbage", b"farm-spool: 1\n\x01\x02garbage: \xff\xfe\nsize: 3\n\nabc", "corrupt"),
    ("envelope-bad-size", b"farm-spool: 1\nrcpt-to: <a@b>\nsize: -5\n\nabc", "corrupt"),
    ("envelope-huge-size", b"farm-spool: 1\nrcpt-to: <a@b>\nsize: 99999999999999\n\nabc", "corrupt"),
    ("envelope-bad-time", b"farm-spool: 1\nrcpt-to: <a@b>\nreceived-at: soon\nsize: 3\n\nabc", "corrupt"),
    ("envelope-control-chars", b"farm-spool: 1\nrcpt-to: <a@b>\x07\x1b[31m\nsize: 3\n\nabc", "corrupt"),
    ("envelope-long-line", b"farm-spool: 1\nrcpt-to: <" + b"a" * 100000 + b"@b>\nsize: 3\n\nabc", "corrupt"),
    ("not-a-spool-file", b"\x00" * 1000, "corrupt"),
    ("empty-file", b"", "corrupt"),
]
for kind, raw, expect in cases:
    ordinary()
    put(raw, kind, expect)
ordinary()
with open(manifest, "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines))
