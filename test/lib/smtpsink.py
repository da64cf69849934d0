#!/usr/bin/env python3
"""smtpsink.py: a small SMTP server for tests, standing where the internet
(or the MTA's re-injection port) would be. Every message accepted is written
to DIR/NNNN.eml with DIR/NNNN.env beside it (mail-from: and rcpt-to: lines).

  smtpsink.py --port P --dir DIR [--refuse SUBSTR] [--later SUBSTR]
              [--later-data N] [--ready FILE] [--pipelining] [--stats FILE]

--refuse: RCPT TO containing SUBSTR gets 550 5.1.1; --later: 450 4.2.1;
--later-data N: the first N DATA commands end with 451 4.3.0; --ready: the
file is written once the port listens; --pipelining: PIPELINING and DSN
offered, the MAIL and RCPT lines kept whole in the .env (mail-line:,
rcpt-line:), and each MAIL whose RCPT came with it counted as pipelined;
--stats: "sessions N concurrent M pipelined P" rewritten as they change.
Runs until killed."""
import argparse
import os
import select
import socketserver
import threading

ARGS = None
LOCK = threading.Lock()
COUNT = [0, 0]      # messages stored, DATA commands seen
STATS = {"sessions": 0, "now": 0, "concurrent": 0, "pipelined": 0}


def stats(**change):
    with LOCK:
        for k, v in change.items():
            STATS[k] += v
        STATS["concurrent"] = max(STATS["concurrent"], STATS["now"])
        if ARGS.stats:
            with open(ARGS.stats + ".tmp", "w") as f:
                f.write("sessions %d concurrent %d pipelined %d\n" % (
                    STATS["sessions"], STATS["concurrent"], STATS["pipelined"]))
            os.rename(ARGS.stats + ".tmp", ARGS.stats)


def path_of(line):
    """"MAIL FROM:<a@b> SIZE=10" -> "<a@b>" (ESMTP parameters dropped)"""
    arg = line.split(":", 1)[1].strip() if ":" in line else ""
    if arg.startswith("<") and ">" in arg:
        return arg[:arg.index(">") + 1]
    return arg.split(" ")[0]


class Session(socketserver.StreamRequestHandler):
    def setup(self):
        # Unbuffered when pipelining is looked for: what the socket holds
        # after a MAIL line is what the client sent with it.
        if ARGS.pipelining:
            self.rbufsize = 0
        super().setup()
        stats(sessions=1, now=1)

    def finish(self):
        super().finish()
        stats(now=-1)

    def say(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.say("220 sink.test ESMTP test sink")
        mail_from, rcpts, lines_kept = None, [], []
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.say("250-sink.test\r\n250-8BITMIME\r\n%s250 SIZE 104857600" %
                         ("250-PIPELINING\r\n250-DSN\r\n" if ARGS.pipelining else ""))
            elif verb == "MAIL":
                mail_from, rcpts, lines_kept = path_of(line), [], [("mail-line", line)]
                if ARGS.pipelining and select.select([self.connection], [], [], 0)[0]:
                    stats(pipelined=1)
                self.say("250 2.1.0 Ok")
            elif verb == "RCPT":
                rcpt = path_of(line)
                if ARGS.refuse and ARGS.refuse in rcpt:
                    self.say("550 5.1.1 <%s>: Recipient address rejected: no such user" % rcpt.strip("<>"))
                elif ARGS.later and ARGS.later in rcpt:
                    self.say("450 4.2.1 <%s>: mailbox busy, try later" % rcpt.strip("<>"))
                else:
                    rcpts.append(rcpt)
                    lines_kept.append(("rcpt-line", line))
                    self.say("250 2.1.5 Ok")
            elif verb == "DATA" and not rcpts:
                self.say("554 5.5.1 Error: no valid recipients")
            elif verb == "DATA":
                self.say("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    raw = self.rfile.readline(1 << 20)
                    if not raw:
                        return
                    if raw in (b".\r\n", b".\n"):
                        break
                    if raw.startswith(b".."):
                        raw = raw[1:]
                    lines.append(raw)
                with LOCK:
                    COUNT[1] += 1
                    later = COUNT[1] <= ARGS.later_data
                    if not later:
                        COUNT[0] += 1
                        n = COUNT[0]
                if later:
                    self.say("451 4.3.0 Temporary failure, try again")
                    continue
                base = os.path.join(ARGS.dir, "%04d" % n)
                with open(base + ".tmp", "wb") as f:
                    f.write(b"".join(lines))
                with open(base + ".env", "w") as f:
                    f.write("mail-from: %s\n" % mail_from)
                    for r in rcpts:
                        f.write("rcpt-to: %s\n" % r)
                    if ARGS.pipelining:
                        for k, v in lines_kept:
                            f.write("%s: %s\n" % (k, v))
                os.rename(base + ".tmp", base + ".eml")
                self.say("250 2.0.0 Ok: queued as SINK%04d" % n)
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.say("250 2.0.0 Ok")
            elif verb == "NOOP":
                self.say("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.say("221 2.0.0 Bye")
                return
            else:
                self.say("502 5.5.2 Error: command not recognized")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--refuse")
    p.add_argument("--later")
    p.add_argument("--later-data", type=int, default=0)
    p.add_argument("--ready")
    p.add_argument("--pipelining", action="store_true")
    p.add_argument("--stats")
    ARGS = p.parse_args()
    os.makedirs(ARGS.dir, exist_ok=True)
    with Server(("127.0.0.1", ARGS.port), Session) as srv:
        if ARGS.ready:
            with open(ARGS.ready, "w") as f:
                f.write("ready\n")
        srv.serve_forever()


if __name__ == "__main__":
    main()
