#!/usr/bin/python3
"""dkim_check.py KEYS FILE...: check farm-signed spool files with dkimpy, an
independent DKIM implementation (Debian's python3-dkim).
A FILE that is not a spool file is a message as an SMTP server received it
(Received: lines and all): each of its DKIM-Signatures counts as ours.

For each FILE (a spool file: header block, blank line, message): every
DKIM-Signature we added (the spool file's `dkim:` lines say how many) must
verify, with DNS answered from the public halves of the keys under KEYS; and
our bh= must equal the body hash dkimpy computes itself for the same message
and canonicalization. The message is checked as it travels over SMTP: with CRLF
line ends. Prints one line per file; exits 1 if any check fails."""
import base64
import re
import subprocess
import sys

import dkim


def public_records(keys):
    """selector._domainkey.domain. -> TXT record, from every KEYS/domain/selector.pem"""
    import glob
    import os
    records = {}
    for pem in glob.glob(os.path.join(keys, "*", "*.pem")):
        domain = os.path.basename(os.path.dirname(pem))
        selector = os.path.basename(pem)[:-4]
        der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                             capture_output=True, check=True).stdout
        text = subprocess.run(["openssl", "pkey", "-in", pem, "-noout", "-text"],
                              capture_output=True).stdout
        if b"ED25519" in text.upper():
            rec = b"v=DKIM1; k=ed25519; p=" + base64.b64encode(der[-32:])
        else:
            rec = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
        records[("%s._domainkey.%s." % (selector, domain)).encode()] = rec
    return records


def message_of(path):
    data = open(path, "rb").read()
    if not data.startswith(b"farm-spool:"):
        msg = re.sub(rb"(?<!\r)\n", b"\r\n", data)
        heads = msg.partition(b"\r\n\r\n")[0]
        return msg, ["received"] * len(re.findall(rb"(?im)^dkim-signature:", heads))
    head, _, msg = data.partition(b"\n\n")
    ours = [l[6:].decode() for l in head.split(b"\n") if l.startswith(b"dkim: ")]
    # As it travels: CRLF line ends.
    msg = re.sub(rb"(?<!\r)\n", b"\r\n", msg)
    return msg, ours


def dkimpy_bh(msg, canon):
    """The body hash dkimpy computes for msg, from a signature of its own."""
    import dkim as d
    from dkim.canonicalization import CanonicalizationPolicy
    policy = CanonicalizationPolicy.from_c_value(canon)
    headers, body = d.rfc822_parse(msg)
    import hashlib
    h = hashlib.sha256(policy.canonicalize_body(body)).digest()
    return base64.b64encode(h).decode()


def main():
    keys, files = sys.argv[1], sys.argv[2:]
    records = public_records(keys)

    def dns(name, timeout=5):
        return records.get(name if name.endswith(b".") else name + b".", b"")

    bad = 0
    for path in files:
        msg, ours = message_of(path)
        d = dkim.DKIM(msg)
        sigs = [v for (k, v) in d.headers if k.lower() == b"dkim-signature"]
        problems = []
        if len(sigs) < len(ours):
            problems.append("%d signatures for %d dkim: lines" % (len(sigs), len(ours)))
        # Ours are prepended: the first len(ours) signatures.
        for i in range(len(ours)):
            tags = dict(t.strip().split(b"=", 1) for t in re.sub(rb"\s+", b"", sigs[i]).split(b";") if b"=" in t)
            if not dkim.DKIM(msg).verify(idx=i, dnsfunc=dns):
                problems.append("signature %d (%s) does not verify" % (i, ours[i]))
            canon = tags.get(b"c", b"simple/simple")
            if tags.get(b"bh", b"").decode() != dkimpy_bh(msg, canon):
                problems.append("signature %d: bh= differs from dkimpy's" % i)
            if b"l" in tags:
                problems.append("signature %d has an l= tag" % i)
            if b"t" not in tags:
                problems.append("signature %d has no t= tag" % i)
            h = tags.get(b"h", b"").lower().split(b":")
            if h.count(b"from") < 2:
                problems.append("signature %d does not oversign From (h=%s)" % (i, b":".join(h).decode()))
        print("%s %s: %d signature(s) of ours%s" % ("FAIL" if problems else "ok", path, len(ours),
                                                 "".join("; " + p for p in problems)))
        bad += bool(problems)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
