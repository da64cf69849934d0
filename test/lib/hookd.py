#!/usr/bin/env python3
"""hookd.py PORTFILE SECRETFILE OUT [--fail N] [--slow S]: a webhook receiver
for the tests. Listens on 127.0.0.1 (a free port, written to PORTFILE),
answers the first N requests 500 (then 200), each after S seconds, checks
X-Farm-Signature (HMAC-SHA256 of "TIMESTAMP.BODY" under the secret) and
appends one line a request to OUT: "ok EVENT BODY" or "bad-signature ..."."""
import hashlib
import hmac
import http.server
import sys
import time

port_file, secret_file, out = sys.argv[1:4]
fail = int(sys.argv[sys.argv.index("--fail") + 1]) if "--fail" in sys.argv else 0
slow = float(sys.argv[sys.argv.index("--slow") + 1]) if "--slow" in sys.argv else 0
secret = open(secret_file, "rb").read().rstrip(b"\r\n")
seen = [0]


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ts = self.headers.get("X-Farm-Timestamp", "")
        want = "sha256=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        good = hmac.compare_digest(want, self.headers.get("X-Farm-Signature", ""))
        seen[0] += 1
        time.sleep(slow)
        code = 500 if seen[0] <= fail else 200
        with open(out, "a") as f:
            f.write("%s %d %s %s\n" % ("ok" if good else "bad-signature", code,
                                      self.headers.get("X-Farm-Event", "-"), body.decode()))
        self.send_response(code)
        self.end_headers()

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Hook)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
