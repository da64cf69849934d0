#!/usr/bin/env bash
# replay_mbox.sh: an mbox file as the sample spool: every message found, the
# mboxrd ">From " quoting undone, envelopes derived from the headers.
. "$(dirname "$0")/../lib/farm.sh"
cat >"$T/in.mbox" <<'MBOX'
From alice@shop.example Thu Jan  1 00:00:00 2026
From: Alice <alice@shop.example>
To: bob@x.example, Carol <carol@y.example>
Subject: one
Date: Thu, 01 Jan 2026 00:00:00 +0000

>From the start of a line, quoted in the mbox
body one

From bob@x.example Thu Jan  1 00:01:00 2026
From: bob@x.example
Cc: dan@z.example
Subject: two
Date: Thu, 01 Jan 2026 00:01:00 +0000

body two

From carol@y.example Thu Jan  1 00:02:00 2026
From: carol@y.example
Subject: three, nobody to send to
Date: Thu, 01 Jan 2026 00:02:00 +0000

body three
MBOX
"$FARM_BIN/farm-replay" "$T/in.mbox" --out "$T/out" --json "$T/out.json" --workers 1 \
    >"$T/replay.log" 2>&1 || fail "farm-replay exited $?"
[ "$(wc -l <"$T/out.json")" -eq 3 ] || fail "$(wc -l <"$T/out.json") JSON lines, expected 3"
grep -q '"file":"mbox:1".*"account":"alice@shop.example","verdict":"deliver".*"received_at":1767225600' "$T/out.json" \
    || fail "message 1 wrong: $(head -1 "$T/out.json")"
grep -q '"file":"mbox:3".*"verdict":"reject".*"no-recipients"' "$T/out.json" || fail "message 3 not rejected"
f=$(grep -l '^source: mbox:1$' "$T/out/outgoing"/*)
grep -q '^rcpt-to: <carol@y.example>$' "$f" || fail "recipients not taken from To:"
grep -q '^From the start of a line, quoted in the mbox$' "$f" || fail "mboxrd quoting not undone"
cp "$T/out/log/"*.log "$T/" 2>/dev/null
no_sanitizer_reports
echo "ok: 3 messages from an mbox, quoting undone, envelopes derived"
