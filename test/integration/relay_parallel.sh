#!/usr/bin/env bash
# relay_parallel.sh: farm-relay over several connections, pipelined. 400
# messages in outgoing/ (1 to 3 recipients, one in 7 of them refused by the
# sink, some with DSN parameters) go out in one pass over 4 connections to a
# sink that offers PIPELINING and DSN: every message with a live recipient
# arrives once, the refused get one bounce each, the sink saw the
# connections at once and every transaction pipelined (MAIL, RCPTs and
# DATA in one write), RET, ENVID, NOTIFY and ORCPT passed on, and each
# recipient's reply is in feedback/; a refused recipient that asked NOTIFY=NEVER
# gets no bounce (RFC 3461).
. "$(dirname "$0")/../lib/farm.sh"
start_broker
kill "$BROKER"; wait "$BROKER" 2>/dev/null; BROKER=0
$PY - "$T/spool/outgoing" >"$T/expect" <<'PYEOF'
import os, random, sys
rng = random.Random(7)
live = dead = dsn = 0
never = 0
for i in range(400):
    qid = "%024x" % (0x6600000000000000000000 + i)
    rcpts = ["<%s%d-%d@y.example>" % ("dead" if rng.random() < 1 / 7 else "r", i, k)
             for k in range(rng.randint(1, 3))]
    live += any("dead" not in r for r in rcpts)
    # In one message in 7, the dead ask for no failure report (NOTIFY=NEVER).
    quiet = i % 7 == 3
    dead += any("dead" in r for r in rcpts) and not quiet
    never += any("dead" in r for r in rcpts) and quiet
    body = ("From: office@shop.example\nTo: %s\nSubject: parallel %d\n\nbody %d\n" % (rcpts[0], i, i)).encode()
    head = ["farm-spool: 1", "queue-id: " + qid, "account: shop", "mail-from: <office@shop.example>"]
    for k, r in enumerate(rcpts):
        head.append("rcpt-to: " + r)
        if quiet and "dead" in r:
            head.append("rcpt-dsn: NOTIFY=NEVER")
        elif i % 5 == 0 and k == 0:
            head.append("rcpt-dsn: NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;%s" % r.strip("<>"))
            dsn += 1
    if i % 5 == 0:
        head += ["dsn-ret: HDRS", "dsn-envid: ENV%d" % i]
    head += ["received-at: 1796000000", "verdict: deliver", "size: %d" % len(body)]
    data = ("\n".join(head) + "\n\n").encode() + body
    path = os.path.join(sys.argv[1], qid)
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.rename(path + ".tmp", path)
print(live, dead, dsn, never)
PYEOF
read -r LIVE DEAD DSN NEVER <"$T/expect"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY "$TOP/test/lib/smtpsink.py" --port "$PORT" --dir "$T/sink" --refuse dead --pipelining \
    --stats "$T/sink.stats" --ready "$T/sink.ready" >"$T/sink.log" 2>&1 &
EXTRA+=($!)
i=0; while [ ! -f "$T/sink.ready" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "sink did not start"; sleep 0.1; done
"$FARM_BIN/farm-relay" --spool "$T/spool" --smarthost "127.0.0.1:$PORT" --helo relay.test --once \
    --connections 4 >>"$T/relay.log" 2>&1 || fail "relay: $(tail -3 "$T/relay.log")"
got=$(ls "$T/sink" | grep -c '\.eml$')
[ "$got" -eq "$LIVE" ] || fail "$got messages at the sink, wanted $LIVE"
dups=$(cat "$T"/sink/*.eml | grep '^Subject: parallel ' | sort | uniq -d | wc -l)
[ "$dups" -eq 0 ] || fail "$dups messages arrived twice"
left=$(ls "$T/spool/outgoing" | wc -l)
[ "$left" -eq "$DEAD" ] || fail "$left files left in outgoing/, wanted the $DEAD bounces"
grep -l "^Content-Type: multipart/report" "$T"/spool/outgoing/* | wc -l | grep -qx "$DEAD" ||
    fail "outgoing/ does not hold $DEAD bounces"
read -r _ sessions _ concurrent _ pipelined <"$T/sink.stats"
[ "$concurrent" -ge 2 ] || fail "the sink saw at most $concurrent connection at once"
[ "$sessions" -le 4 ] || fail "$sessions connections for one pass of 4"
[ "$pipelined" -eq 400 ] || fail "$pipelined of the 400 transactions pipelined"
n=$(grep -h '^rcpt-line: .* NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;' "$T"/sink/*.env | wc -l)
m=$(grep -h '^mail-line: .* RET=HDRS ENVID=ENV' "$T"/sink/*.env | wc -l)
[ "$n" -gt 0 ] && [ "$m" -gt 0 ] || fail "DSN parameters not passed on ($n RCPT, $m MAIL)"
grep -h 'NOTIFY' "$T"/sink/*.env | grep -v '^rcpt-line: RCPT TO:<[^>]*> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;[^ ]*$' &&
    fail "a RCPT line carries more than its DSN parameters"
[ "$NEVER" -gt 0 ] && [ "$(grep -c 'no bounce (NOTIFY=NEVER)' "$T/relay.log")" -ge "$NEVER" ] ||
    fail "the $NEVER messages whose dead asked NOTIFY=NEVER: $(grep -c 'NOTIFY=NEVER' "$T/relay.log") said so"
lines=$(cat "$T"/spool/feedback/relay.* 2>/dev/null | wc -l)
want=$(grep -h '^rcpt-to:' "$T"/sink/*.env | wc -l)
[ "$lines" -ge "$want" ] || fail "$lines feedback lines for $want recipients taken"
echo "ok: 400 messages over 4 pipelined connections in one pass: $LIVE delivered once, $DEAD bounced ($NEVER more not, as their NOTIFY=NEVER asked), $concurrent connections at once, $pipelined transactions pipelined, DSN parameters ($n NOTIFY/ORCPT, $m RET/ENVID) passed on, $lines recipients' replies fed back"
