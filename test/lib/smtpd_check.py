#!/usr/bin/env python3
"""smtpd_check.py: what farm-smtpd must do, tried as clients would, each
check against the spool's incoming/ (no broker reads it meanwhile).

  smtpd_check.py CHECK --port P --spool DIR [--tls-port P2] [--user U --password W]

CHECK is one of: basics, limits, hostile, idle, busy, per_client, trusted, untrusted,
auth.
Prints "ok: ..." lines; exits 1 with "FAIL: ..." at the first wrong answer."""
import argparse
import base64
import os
import re
import select
import socket
import smtplib
import ssl
import sys
import threading
import time

A = None


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def incoming():
    d = os.path.join(A.spool, "incoming")
    return sorted(os.listdir(d))


def read_spool(name):
    """(envelope dict of lists, body bytes) of incoming/NAME"""
    data = open(os.path.join(A.spool, "incoming", name), "rb").read()
    head, body = data.split(b"\n\n", 1)
    env = {}
    for line in head.decode().split("\n"):
        k, v = line.split(": ", 1)
        env.setdefault(k, []).append(v)
    if int(env["size"][0]) != len(body):
        fail("%s: size %s but %d bytes follow" % (name, env["size"][0], len(body)))
    return env, body


def new_files(before):
    return [n for n in incoming() if n not in before]


class Raw:
    """A client that writes bytes as it likes and reads replies."""

    def __init__(self, port, host="127.0.0.1"):
        self.s = socket.create_connection((host, port), timeout=30)
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def reply(self):
        """the whole reply: (code, [lines])"""
        lines = []
        while True:
            ln = self.line()
            lines.append(ln)
            if len(ln) < 4 or ln[3] != "-":
                return int(ln[:3]), lines

    def cmd(self, text):
        self.send(text.encode() + b"\r\n")
        return self.reply()

    def close(self):
        self.s.close()


def expect(what, got, code, text=None):
    c, lines = got
    if c != code or (text and not any(text in ln for ln in lines)):
        fail("%s: wanted %d%s, got %s" % (what, code, " '%s'" % text if text else "", lines))


def transaction(c, sender, rcpt, data):
    """MAIL, RCPT and DATA one by one, then data (its final dot included): the reply to it"""
    expect("MAIL", c.cmd("MAIL FROM:<%s>" % sender), 250)
    expect("RCPT", c.cmd("RCPT TO:<%s>" % rcpt), 250)
    expect("DATA", c.cmd("DATA"), 354)
    c.send(data)
    return c.reply()


def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def check_basics():
    c = Raw(A.port)
    expect("greeting", (c.greeting[0], c.greeting[1]), 220)
    code, lines = c.cmd("EHLO client.test")
    text = " ".join(lines)
    for ext in ("PIPELINING", "SIZE", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "DSN"):
        if ext not in text:
            fail("EHLO does not offer %s: %s" % (ext, lines))
    print("ok: EHLO offers PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, DSN")
    before = incoming()
    # Pipelined: MAIL, three RCPT and DATA in one write (RFC 2920).
    c.send(b"MAIL FROM:<alice@shop.example> SIZE=300 BODY=8BITMIME RET=HDRS ENVID=QQ1+2B\r\n"
           b"RCPT TO:<bob@x.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@x.example\r\n"
           b"RCPT TO:<carol@y.example>\r\n"
           b"RCPT TO:<dave@z.example> NOTIFY=NEVER\r\n"
           b"DATA\r\n")
    for what, code in (("MAIL", 250), ("RCPT", 250), ("RCPT", 250), ("RCPT", 250), ("DATA", 354)):
        expect("pipelined " + what, c.reply(), code)
    body = (b"From: Alice <alice@shop.example>\r\nTo: bob@x.example\r\nSubject: caf\xc3\xa9\r\n\r\n"
            b"line one\r\n..a stuffed dot\r\n.\r\n")
    c.send(body)
    code, lines = c.reply()
    expect("end of data", (code, lines), 250, "queued as")
    qid = lines[0].split()[-1]
    files = new_files(before)
    if files != [qid]:
        fail("250 said queued as %s, incoming/ has %s new" % (qid, files))
    env, got = read_spool(qid)
    want = {"account": ["alice@shop.example"], "mail-from": ["<alice@shop.example>"],
            "rcpt-to": ["<bob@x.example>", "<carol@y.example>", "<dave@z.example>"],
            "client-ip": ["127.0.0.1"], "dsn-ret": ["HDRS"], "dsn-envid": ["QQ1+2B"],
            "rcpt-dsn": ["NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@x.example", "NOTIFY=NEVER"]}
    for k, v in want.items():
        if env.get(k) != v:
            fail("envelope %s: wanted %s, got %s" % (k, v, env.get(k)))
    # Our trace field on top (RFC 5321 4.4), then the message as sent.
    trace = re.match(rb"Received: from client\.test \(\[127\.0\.0\.1\]\)\n\tby farm\.test \(farm-smtpd\) "
                     rb"with ESMTP id ([0-9a-f]{24});\n\t[A-Z][a-z]{2}, [ 0-9]{2} [A-Z][a-z]{2} 20[0-9]{2} "
                     rb"[0-9:]{8} \+0000\n", got)
    if not trace or trace.group(1).decode() != qid:
        fail("no Received: field naming %s on top: %r" % (qid, got[:200]))
    got = got[trace.end():]
    if got != (b"From: Alice <alice@shop.example>\nTo: bob@x.example\nSubject: caf\xc3\xa9\n\n"
               b"line one\n.a stuffed dot\n"):
        fail("the message as stored: %r" % got)
    if abs(int(env["received-at"][0]) - time.time()) > 60:
        fail("received-at %s is not now" % env["received-at"])
    print("ok: a pipelined transaction is queued as the 250 says, envelope and DSN parameters kept, "
          "dots unstuffed, 8-bit kept, a Received: field with its queue id on top")
    # SMTPUTF8 (RFC 6531): addresses in UTF-8, kept as they are.
    before = incoming()
    c.send("MAIL FROM:<José@shop.example> SMTPUTF8\r\nRCPT TO:<用户@例子.广告>\r\nDATA\r\n".encode())
    for what, code in (("MAIL", 250), ("RCPT", 250), ("DATA", 354)):
        expect("SMTPUTF8 " + what, c.reply(), code)
    c.send("From: José <José@shop.example>\r\nSubject: ünïcödé\r\n\r\nhi\r\n.\r\n".encode())
    expect("SMTPUTF8 data", c.reply(), 250)
    env, _ = read_spool(new_files(before)[0])
    if env["mail-from"] != ["<José@shop.example>"] or env["rcpt-to"] != ["<用户@例子.广告>"]:
        fail("SMTPUTF8 addresses: %s %s" % (env["mail-from"], env["rcpt-to"]))
    print("ok: SMTPUTF8: UTF-8 addresses taken and kept as they are")
    # Another on the same session, then RSET, NOOP, VRFY, QUIT.
    expect("second MAIL", c.cmd("MAIL FROM:<>"), 250)
    expect("RCPT", c.cmd("RCPT TO:<postmaster>"), 250)
    expect("RSET", c.cmd("RSET"), 250)
    expect("RCPT after RSET", c.cmd("RCPT TO:<bob@x.example>"), 503)
    expect("DATA without MAIL", c.cmd("DATA"), 503)
    expect("NOOP", c.cmd("NOOP"), 250)
    expect("VRFY", c.cmd("VRFY bob"), 252)
    expect("bad path", c.cmd("MAIL FROM:<a b@x.example>"), 553)
    expect("unknown parameter", c.cmd("MAIL FROM:<a@x.example> FOO=1"), 555)
    expect("unknown command", c.cmd("EXPN staff"), 502)
    expect("QUIT", c.cmd("QUIT"), 221)
    c.close()
    # smtplib, as a stock client.
    s = smtplib.SMTP("127.0.0.1", A.port, timeout=30)
    before = incoming()
    s.sendmail("bob@x.example", ["a@y.example"], b"Subject: s\r\n\r\nhi\r\n")
    s.quit()
    if len(new_files(before)) != 1:
        fail("smtplib's message not queued")
    print("ok: RSET, NOOP, VRFY, QUIT, sequence errors and bad paths answered; smtplib sends")


def check_limits():
    """run with --max-size 20000 --max-rcpt 50 --max-headers 30 --max-line-length 1000"""
    c = Raw(A.port)
    c.cmd("EHLO client.test")
    before = incoming()
    expect("SIZE over the limit at MAIL", c.cmd("MAIL FROM:<a@x.example> SIZE=20001"), 552, "5.3.4")
    expect("MAIL", c.cmd("MAIL FROM:<a@x.example>"), 250)
    # 10,000 RCPT pipelined: 50 taken, the rest 452 4.5.3.
    c.send(b"".join(b"RCPT TO:<r%d@y.example>\r\n" % i for i in range(10000)))
    codes = [c.reply()[0] for _ in range(10000)]
    if codes[:50] != [250] * 50 or set(codes[50:]) != {452}:
        fail("10,000 RCPT: %d taken, others %s" % (codes.count(250), set(codes[50:])))
    expect("DATA", c.cmd("DATA"), 354)
    c.send(b"Subject: many\r\n\r\nx\r\n.\r\n")
    code, lines = c.reply()
    expect("data of 50 recipients", (code, lines), 250)
    env, _ = read_spool(lines[0].split()[-1])
    if len(env["rcpt-to"]) != 50:
        fail("queued with %d recipients" % len(env["rcpt-to"]))
    print("ok: SIZE over the limit refused at MAIL (552 5.3.4); 10,000 pipelined RCPT: 50 taken, "
          "the rest 452 4.5.3 (RFC 5321 4.5.3.1.10), the message queued for the 50")
    before = incoming()
    for what, data, status in (
            ("too large", b"Subject: big\r\n\r\n" + (b"y" * 900 + b"\r\n") * 30, "5.3.4"),
            ("too many headers", b"".join(b"X-H%d: v\r\n" % i for i in range(31)) + b"\r\nb\r\n", "5.6.0"),
            ("a long line", b"Subject: l\r\n\r\n" + b"z" * 1500 + b"\r\n", "5.6.0"),
            ("a very long line", b"Subject: l\r\n\r\n" + b"z" * 300000 + b"\r\n", "5.6.0")):
        expect("MAIL", c.cmd("MAIL FROM:<a@x.example>"), 250)
        expect("RCPT", c.cmd("RCPT TO:<b@y.example>"), 250)
        expect("DATA", c.cmd("DATA"), 354)
        c.send(data + b".\r\n")
        code, lines = c.reply()
        if code < 500 or status not in lines[0]:
            fail("%s: wanted 5xx %s after the data, got %s" % (what, status, lines))
    if new_files(before):
        fail("refused messages reached incoming/: %s" % new_files(before))
    expect("after the refusals", c.cmd("NOOP"), 250)
    c.close()
    print("ok: over the size, header count and line length: 552 5.3.4 / 554 5.6.0 after the "
          "data, nothing queued, the session goes on")


def check_hostile():
    c = Raw(A.port)
    c.cmd("EHLO client.test")
    # A 1 MB command line: refused once, the session goes on.
    c.send(b"MAIL FROM:<" + b"a" * (1 << 20) + b"@x.example>\r\n")
    expect("1 MB command line", c.reply(), 500, "5.5.2")
    expect("after it", c.cmd("NOOP"), 250)
    print("ok: a 1 MB command line is refused (500 5.5.2) and the session goes on")
    # Bare LF ends a command; in the data only CRLF.CRLF ends it (smuggling).
    before = incoming()
    c.send(b"MAIL FROM:<a@x.example>\nRCPT TO:<b@y.example>\nDATA\n")
    for code in (250, 250, 354):
        expect("bare LF commands", c.reply(), code)
    c.send(b"Subject: smuggle\r\n\r\nhello\n.\nMAIL FROM:<evil@x.example>\nRCPT TO:<v@y.example>\n"
           b"DATA\n\nspam\n.\r\nmore\r\n.\nstill\r\n.\r\n")
    code, lines = c.reply()
    expect("end of the smuggling attempt", (code, lines), 250)
    c.send(b"NOOP\r\n")
    expect("no second transaction", c.reply(), 250, "2.0.0 Ok")
    files = new_files(before)
    if len(files) != 1:
        fail("smuggling: %d messages queued" % len(files))
    env, body = read_spool(files[0])
    if b"MAIL FROM:<evil@x.example>" not in body or env["rcpt-to"] != ["<b@y.example>"]:
        fail("smuggling: the hidden transaction is not content: %r" % body)
    print("ok: bare LF: commands taken; in the data '\\n.\\n' and '.\\n' are content, only CRLF.CRLF ends it")
    # Whole transactions sent blind, in one write, data and all (a client may
    # not wait for 354, a hostile one does not): each answered in turn.
    before = incoming()
    blind = b"".join(b"MAIL FROM:<a@x.example>\r\nRCPT TO:<b%d@y.example>\r\nDATA\r\n"
                     b"Subject: blind %d\r\n\r\nhi\r\n.\r\n" % (i, i) for i in range(5))
    c.send(blind + b"NOOP\r\n")
    codes = [c.reply()[0] for _ in range(5 * 4 + 1)]
    if codes != [250, 250, 354, 250] * 5 + [250]:
        fail("5 blind transactions: %s" % codes)
    if len(new_files(before)) != 5:
        fail("5 blind transactions: %d queued" % len(new_files(before)))
    print("ok: 5 whole transactions in one write: each answered in turn, 5 queued")
    # NUL in a command, garbage, then too many errors: 421.
    expect("NUL", c.cmd("NOOP\0x"), 500)
    n = 0
    try:
        while n < 200:
            code, _ = c.cmd("GARBAGE %d" % n)
            n += 1
            if code == 421:
                break
    except EOFError:
        pass
    if n >= 200:
        fail("200 bad commands and no 421")
    c.close()
    print("ok: NUL in a command refused; after %d bad commands the session is told 421" % n)
    # A client that pipelines without reading the replies: farm-smtpd stops
    # reading it once a megabyte of replies waits, so its memory stays put.
    if A.pid:
        c = Raw(A.port)
        c.cmd("EHLO client.test")
        rss0 = rss_kb(A.pid)
        flood = b"NOOP\r\n" * 50000
        sent = [0]

        def writer():
            try:
                for _ in range(100):
                    c.s.sendall(flood)
                    sent[0] += 1
            except OSError:
                pass
        t = threading.Thread(target=writer, daemon=True)
        t.start()
        time.sleep(3)
        grown = rss_kb(A.pid) - rss0
        if grown > 16 * 1024:
            fail("a client that does not read its replies grew farm-smtpd by %d KB" % grown)
        if sent[0] >= 100:
            fail("farm-smtpd read 5,000,000 NOOPs (30 MB) whose replies nobody read")
        got = 0
        c.s.settimeout(60)
        try:
            while got < 200:
                code, _ = c.reply()
                got += code == 250
        except (OSError, EOFError):
            pass
        c.close()
        print("ok: a client pipelining NOOPs without reading: farm-smtpd stopped reading it "
              "(%d of 100 floods of 300 KB taken by the sockets, grown %d KB), and answers once it reads"
              % (sent[0], grown))
    # STARTTLS injection: commands after STARTTLS in the same packet are dropped.
    if A.tls_port:
        c = Raw(A.tls_port)
        c.cmd("EHLO client.test")
        c.send(b"STARTTLS\r\nMAIL FROM:<injected@x.example>\r\n")
        expect("STARTTLS", c.reply(), 220)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        t = ctx.wrap_socket(c.s, server_hostname="farm.test")
        c.s, c.buf = t, b""
        expect("EHLO after TLS", c.cmd("EHLO client.test"), 250)
        expect("RCPT: the injected MAIL was dropped", c.cmd("RCPT TO:<b@y.example>"), 503)
        c.close()
        print("ok: commands sent in clear after STARTTLS are dropped (CVE-2011-0411)")


def check_idle():
    """run with --session-timeout-s 2 --max-sessions 1100"""
    c = Raw(A.port)
    t0 = time.time()
    try:
        code, lines = c.reply()
    except EOFError:
        fail("closed without a 421")
    if code != 421 or "4.4.2" not in lines[0]:
        fail("a silent client: %s" % lines)
    waited = time.time() - t0
    if waited < 1.5 or waited > 15:
        fail("a silent client was dropped after %.1f s, timeout 2 s" % waited)
    c.close()
    print("ok: a client that never sends is told 421 4.4.2 after %.1f s (timeout 2 s)" % waited)
    socks = []
    for i in range(1000):
        s = socket.create_connection(("127.0.0.1", A.port), timeout=30)
        socks.append(s)
    got = 0
    for s in socks:
        if s.recv(512).startswith(b"220"):
            got += 1
    if got != 1000:
        fail("1,000 idle sessions: %d greeted" % got)
    before = incoming()
    s = smtplib.SMTP("127.0.0.1", A.port, timeout=30)
    s.sendmail("bob@x.example", ["a@y.example"], b"Subject: among idlers\r\n\r\nhi\r\n")
    s.quit()
    if len(new_files(before)) != 1:
        fail("no message queued while 1,000 sessions idle")
    for s in socks:
        s.close()
    print("ok: 1,000 idle sessions greeted, and a message queued beside them")


def check_busy():
    """run with --max-sessions 20"""
    socks = [Raw(A.port) for _ in range(20)]
    extra = Raw(A.port)
    if extra.greeting[0] != 421 or "4.3.2" not in extra.greeting[1][0]:
        fail("session 21 of 20: %s" % extra.greeting[1])
    for s in socks:
        s.close()
    print("ok: past smtpd/max-sessions a client is told 421 4.3.2")


def check_per_client():
    """run with --trusted 192.0.2.0/24 --max-per-client 5 (localhost untrusted)"""
    socks = [Raw(A.port) for _ in range(5)]
    if any(s.greeting[0] != 220 for s in socks):
        fail("5 sessions of 5 allowed: %s" % [s.greeting for s in socks])
    extra = Raw(A.port)
    if extra.greeting[0] != 421 or "4.7.0" not in extra.greeting[1][0]:
        fail("session 6 of 5 from one address: %s" % extra.greeting[1])
    socks.pop().close()
    extra.close()
    # Its place is free once farm-smtpd has read the close: soon, but no
    # sooner than it gets to it.
    for _ in range(100):
        again = Raw(A.port)
        if again.greeting[0] == 220:
            break
        again.close()
        time.sleep(0.1)
    else:
        fail("no session after one closed: %s" % again.greeting[1])
    for s in socks + [again]:
        s.close()
    print("ok: past smtpd/max-per-client from one untrusted address a client is told 421 4.7.0; "
          "a closed session frees its place")


def check_trusted():
    """run with the defaults (127.0.0.0/8 trusted)"""
    c = Raw(A.port)
    code, lines = c.cmd("EHLO mta.test")
    if not any("XFORWARD" in ln for ln in lines) or not any("XCLIENT" in ln for ln in lines):
        fail("a trusted client is not offered XFORWARD and XCLIENT: %s" % lines)
    before = incoming()
    expect("XFORWARD", c.cmd("XFORWARD NAME=client.example ADDR=192.0.2.9 PROTO=ESMTP HELO=pc"), 250)
    expect("XFORWARD IDENT", c.cmd("XFORWARD IDENT=4XyZ1 SOURCE=LOCAL"), 250)
    code, lines = transaction(c, "sales@shop.example", "b@y.example",
                              b"Received: from pc (pc [192.0.2.9])\r\n\tby mta.test;"
           b" Tue, 1 Dec 2026 10:00:00 +0000\r\nX-AuthUser: shop\r\nSubject: x\r\n\r\nhi\r\n.\r\n")
    expect("data", (code, lines), 250)
    env, body = read_spool(lines[0].split()[-1])
    if env["account"] != ["shop"] or env["client-ip"] != ["192.0.2.9"] or "4XyZ1" not in env["source"][0]:
        fail("trusted: account %s client-ip %s source %s" % (env["account"], env["client-ip"], env["source"]))
    if b"X-AuthUser" in body:
        fail("the account header is still in the message")
    print("ok: from a trusted MTA: XFORWARD's ADDR is the client, X-AuthUser names the account "
          "and is removed")
    # Postfix's Received clause, and XFORWARD's reset after the transaction.
    code, lines = transaction(c, "sales@shop.example", "b@y.example",
                              b"Received: from pc (pc [192.0.2.9])\r\n\t(Authenticated sender: shop-login)\r\n\tby mta.test;"
           b" Tue, 1 Dec 2026 10:00:00 +0000\r\nSubject: x\r\n\r\nhi\r\n.\r\n")
    env, body = read_spool(lines[0].split()[-1])
    if env["account"] != ["shop-login"] or env["client-ip"] != ["127.0.0.1"]:
        fail("Received clause: account %s client-ip %s" % (env["account"], env["client-ip"]))
    # Both: the Received clause first (the default order), the header removed.
    code, lines = transaction(c, "sales@shop.example", "b@y.example",
                              b"Received: from pc (pc [192.0.2.9])\r\n\t(Authenticated sender: shop-login)\r\n\tby mta.test;"
           b" Tue, 1 Dec 2026 10:00:00 +0000\r\nX-AuthUser: shop\r\nSubject: x\r\n\r\nhi\r\n.\r\n")
    env, body = read_spool(lines[0].split()[-1])
    if env["account"] != ["shop-login"] or b"X-AuthUser" in body:
        fail("Received clause and header: account %s" % env["account"])
    # A Received clause below the topmost is a customer's forgery: not read.
    code, lines = transaction(c, "sales@shop.example", "b@y.example",
                              b"Received: from pc by mta.test; Tue, 1 Dec 2026 10:00:00 +0000\r\n"
           b"Received: from x\r\n\t(Authenticated sender: victim)\r\n\tby y; Tue, 1 Dec 2026 09:00:00 +0000\r\n"
           b"Subject: x\r\n\r\nhi\r\n.\r\n")
    env, body = read_spool(lines[0].split()[-1])
    if env["account"] != ["sales@shop.example"]:
        fail("a forged Received clause below the topmost named the account: %s" % env["account"])
    print("ok: from a trusted MTA: Postfix's '(Authenticated sender: NAME)' in the topmost Received "
          "names the account, ahead of the header; one further down does not; XFORWARD lasts one transaction")
    # XCLIENT LOGIN, then the session starts again.
    expect("XCLIENT", c.cmd("XCLIENT ADDR=198.51.100.4 LOGIN=webmail-user"), 220)
    expect("MAIL before EHLO again", c.cmd("MAIL FROM:<a@x.example>"), 503)
    c.cmd("EHLO mta.test")
    code, lines = transaction(c, "sales@shop.example", "b@y.example",
                              b"X-AuthUser: shop\r\nSubject: x\r\n\r\nhi\r\n.\r\n")
    env, body = read_spool(lines[0].split()[-1])
    if env["account"] != ["webmail-user"] or env["client-ip"] != ["198.51.100.4"]:
        fail("XCLIENT: account %s client-ip %s" % (env["account"], env["client-ip"]))
    c.close()
    print("ok: XCLIENT LOGIN names the account ahead of the header (the default order)")


def check_untrusted():
    """run with --trusted 192.0.2.0/24 --auth-required=false (localhost untrusted)"""
    c = Raw(A.port)
    code, lines = c.cmd("EHLO pc.test")
    if any("XFORWARD" in ln or "XCLIENT" in ln for ln in lines):
        fail("an untrusted client is offered XFORWARD/XCLIENT: %s" % lines)
    expect("XFORWARD", c.cmd("XFORWARD ADDR=192.0.2.9"), 550, "5.7.0")
    expect("XCLIENT", c.cmd("XCLIENT LOGIN=boss"), 550, "5.7.0")
    code, lines = transaction(c, "mallory@evil.example", "b@y.example",
                              b"Received: from x\r\n\t(Authenticated sender: bigshop)\r\n\tby y; Tue, 1 Dec 2026 10:00:00 +0000\r\n"
           b"X-AuthUser: bigshop\r\nx-authuser: bigshop\r\nSubject: x\r\n\r\nhi\r\n.\r\n")
    expect("data", (code, lines), 250)
    env, body = read_spool(lines[0].split()[-1])
    if env["account"] != ["mallory@evil.example"] or env["client-ip"] != ["127.0.0.1"]:
        fail("untrusted: account %s client-ip %s" % (env["account"], env["client-ip"]))
    if b"authuser" in body.lower():
        fail("an untrusted client's account header is still in the message")
    c.close()
    print("ok: from an untrusted client: XFORWARD and XCLIENT refused (550 5.7.0), the account "
          "header and Received clause ignored and the header removed; the account is the sender")


def tls_client(port):
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s.ehlo("pc.test")
    return s, ctx


def check_auth():
    """run with --trusted 192.0.2.0/24, TLS and --auth-accounts (localhost untrusted, AUTH required)"""
    s, ctx = tls_client(A.port)
    if s.has_extn("auth"):
        fail("AUTH offered before TLS")
    code, _ = s.docmd("AUTH", "PLAIN " + base64.b64encode(b"\0%s\0%s" % (A.user.encode(), A.password.encode())).decode())
    if code != 538:
        fail("AUTH in clear: %d, wanted 538" % code)
    code, msg = s.docmd("MAIL", "FROM:<x@shop.example>")
    if code != 530:
        fail("MAIL without AUTH from an untrusted client: %d %s" % (code, msg))
    s.starttls(context=ctx)
    s.ehlo("pc.test")
    if "PLAIN" not in s.esmtp_features.get("auth", "") or "LOGIN" not in s.esmtp_features.get("auth", ""):
        fail("AUTH PLAIN LOGIN not offered over TLS: %s" % s.esmtp_features)
    try:
        s.login(A.user, A.password + "x")
        fail("a wrong password was taken")
    except smtplib.SMTPAuthenticationError as e:
        if e.smtp_code != 535:
            fail("wrong password: %d" % e.smtp_code)
    try:
        s.login("nobody", A.password)
        fail("an unknown user was taken")
    except smtplib.SMTPAuthenticationError:
        pass
    s.login(A.user, A.password)
    before = incoming()
    s.sendmail("sales@shop.example", ["b@y.example"], b"X-AuthUser: someone-else\r\nSubject: x\r\n\r\nhi\r\n")
    s.quit()
    files = new_files(before)
    env, body = read_spool(files[0])
    if env["account"] != [A.user] or b"someone-else" in body:
        fail("AUTH: account %s" % env["account"])
    print("ok: AUTH only over STARTTLS (538 before, 530 for MAIL without it); wrong password and "
          "unknown user 535; the authenticated user is the account, the header removed")
    # LOGIN, by hand.
    s, ctx = tls_client(A.port)
    s.starttls(context=ctx)
    s.ehlo("pc.test")
    code, _ = s.docmd("AUTH", "LOGIN")
    if code != 334:
        fail("AUTH LOGIN: %d" % code)
    code, _ = s.docmd(base64.b64encode(A.user.encode()).decode())
    if code != 334:
        fail("AUTH LOGIN user: %d" % code)
    code, _ = s.docmd(base64.b64encode(A.password.encode()).decode())
    if code != 235:
        fail("AUTH LOGIN password: %d" % code)
    s.quit()
    print("ok: AUTH LOGIN over TLS")


def check_auth_parallel():
    """as auth, with a yescrypt user: 20 logins at once do not stall another session"""
    sessions = []
    for _ in range(20):
        s, ctx = tls_client(A.port)
        s.starttls(context=ctx)
        s.ehlo("pc.test")
        sessions.append(s)
    other = smtplib.SMTP("127.0.0.1", A.port, timeout=30)
    other.ehlo("pc.test")
    wrong = base64.b64encode(b"\0%s\0%s" % (A.user.encode(), b"not-the-password")).decode()
    for s in sessions:
        s.send("AUTH PLAIN %s\r\n" % wrong)
    t0 = time.time()
    code, _ = other.docmd("NOOP")
    t_noop = time.time() - t0
    codes = [s.getreply()[0] for s in sessions]
    t_auth = time.time() - t0
    if code != 250 or set(codes) != {535}:
        fail("NOOP %d, logins %s" % (code, set(codes)))
    if t_noop >= t_auth:
        fail("the NOOP waited for the logins: %.3f s, the logins %.3f s" % (t_noop, t_auth))
    for s in sessions + [other]:
        s.close()
    print("ok: 20 yescrypt logins at once took %.2f s; another session's NOOP was answered in %.3f s, "
          "without waiting for them" % (t_auth, t_noop))


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("check")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--spool", required=True)
    p.add_argument("--tls-port", type=int, default=0)
    p.add_argument("--user", default="")
    p.add_argument("--password", default="")
    p.add_argument("--pid", type=int, default=0)
    A = p.parse_args()
    globals()["check_" + A.check]()


if __name__ == "__main__":
    main()
