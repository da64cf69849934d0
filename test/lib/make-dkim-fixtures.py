#!/usr/bin/env python3
"""make-dkim-fixtures.py DIR: the DKIM and domain lockdown fixtures (test/dkim/):
DIR/spool/NAME.eml with NAME.env beside it (account alice), and DIR/accounts, the
accounts table. Deterministic."""
import os
import sys

H = ["To: Bob <bob@customer.example>", "Subject: fixture", "Date: Thu, 01 Jan 2026 00:00:00 +0000",
     "Message-ID: <fixture@shop.example>", "MIME-Version: 1.0",
     "Content-Type: text/plain; charset=utf-8"]


def msg(frm="From: Alice <alice@shop.example>", headers=None, body="Hello Bob,\nsee you soon.\n",
        eol="\n"):
    lines = ([frm] if frm else []) + (H if headers is None else headers)
    text = "\n".join(lines) + "\n\n" + body
    return text.replace("\n", eol).encode("utf-8")


CASES = {
    # signed, delivered
    "folded": msg(headers=["To: Bob <bob@customer.example>,\n\tCarol <carol@customer.example>",
                           "Subject: a subject that is folded\n  across two lines"] + H[2:]),
    "long-header": msg(headers=H + ["References: " + " ".join("<id%d@shop.example>" % i
                                                                for i in range(120))]),
    "trailing-ws": msg(headers=["To: bob@customer.example   ", "Subject: trailing \t "] + H[2:],
                       body="line with spaces   \nline with tab\t\n\n\n\n"),
    "empty-body": msg(body=""),
    "crlf": msg(eol="\r\n"),
    "eight-bit": msg(headers=H[:5] + ["Content-Type: text/plain; charset=utf-8",
                                      "Content-Transfer-Encoding: 8bit"],
                     body="Grüße aus Köln, ça va? 日本語のテキスト\n"),
    "long-lines": msg(body=("x" * 5000 + "\n") * 3),
    "presigned": msg(headers=["DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=elsewhere.example;\n"
                              "\ts=old; h=from:to; bh=AAAA; b=BBBB"] + H),
    "no-final-newline": msg(body="no newline at the end"),
    "subdomain": msg(frm="From: News <news@news.sub.example>"),
    # delivered unsigned
    "owned-no-key": msg(frm="From: alice@deep.sub.example"),
    "bad-key-mode": msg(frm="From: alice@perm.example"),
    # rejected
    "forged-domain": msg(frm="From: Alice <alice@bank.example>"),
    "no-from": msg(frm=None),
    "two-from": msg(headers=["From: alice@shop.example"] + H),
    "two-addresses": msg(frm="From: alice@shop.example, mallory@shop.example"),
    "no-domain": msg(frm="From: alice"),
    "wildcard-parent": msg(frm="From: alice@sub.example"),
}


def main():
    top = sys.argv[1]
    d = os.path.join(top, "spool")
    os.makedirs(d, exist_ok=True)
    for name, data in CASES.items():
        with open(os.path.join(d, name + ".eml"), "wb") as f:
            f.write(data)
        with open(os.path.join(d, name + ".env"), "w") as f:
            f.write("account: alice\nmail-from: <alice@shop.example>\nrcpt-to: <bob@customer.example>\n"
                    "received-at: 1767225600\n")
    with open(os.path.join(top, "accounts"), "w") as f:
        f.write("# account  domains it may send as\n"
                "alice shop.example *.sub.example perm.example\n"
                "bob   customer.example\n")


if __name__ == "__main__":
    main()
