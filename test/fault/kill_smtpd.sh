#!/usr/bin/env bash
# kill_smtpd.sh: farm-smtpd killed with -9 while 8 clients send, three
# times, with a real broker and worker behind it. Every message a client
# was told 250 for is delivered, whole, once; a message whose client got no
# 250 may be there (the kill came between the commit and the reply) but
# only whole, never cut short; nothing half-written reaches a worker (what
# the kill left in tmp/ stays there). Then a session killed mid-DATA on
# purpose: its client gets no 250 and nothing of it is scanned.
. "$(dirname "$0")/../lib/farm.sh"
start_broker
start_worker
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
SMTPD=0
start_smtpd() {
    "$FARM_BIN/farm-smtpd" --spool "$T/spool" --listen "127.0.0.1:$PORT" >>"$T/smtpd.log" 2>&1 &
    SMTPD=$!
    EXTRA+=($SMTPD)
    local i=0
    until $PY -c "import socket; socket.create_connection(('127.0.0.1',$PORT)).close()" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && fail "farm-smtpd did not listen"; sleep 0.1
    done
}
for round in 1 2 3; do
    start_smtpd
    $PY "$TOP/test/lib/smtp_load.py" send --port "$PORT" --count 4000 --sessions 8 \
        --record "$T/record-$round" --prefix "r$round" &
    load=$!
    # Kill once some messages are in, at a moment that differs each round.
    i=0
    until [ "$(cat "$T/record-$round" 2>/dev/null | wc -l)" -ge $((round * 40)) ]; do
        i=$((i + 1)); [ $i -gt 300 ] && fail "round $round: the clients sent nothing"; sleep 0.1
    done
    sleep "0.$((RANDOM % 5))"
    kill -9 "$SMTPD"
    wait "$SMTPD" 2>/dev/null
    wait "$load"
done
cat "$T"/record-* >"$T/record"
acked=$(grep -c ' 250$' "$T/record")
[ "$acked" -gt 0 ] || fail "no message got 250"
# Everything in incoming/ reaches a final folder.
i=0
until [ -z "$(ls "$T/spool/incoming")" ] && [ -z "$(ls "$T/spool/active")" ]; do
    i=$((i + 1)); [ $i -gt 600 ] && fail "incoming/ and active/ did not empty"; sleep 0.1
done
$PY "$TOP/test/lib/smtp_load.py" check --record "$T/record" --spool "$T/spool" >"$T/check.out" ||
    fail "$(cat "$T/check.out")"
summary=$(cat "$T/check.out")
grep -q "corrupt" "$T/broker.log" && ls "$T/spool/corrupt" | grep -q . && fail "a file reached corrupt/: $(ls "$T/spool/corrupt")"

# One session killed mid-DATA on purpose.
start_smtpd
before=$(final_count)
$PY - "$PORT" >"$T/middata.out" 2>&1 <<'PYEOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
def reply():
    while True:
        ln = f.readline()
        if not ln or ln[3:4] != b"-":
            return ln
reply()
for cmd in (b"EHLO t", b"MAIL FROM:<half@shop.example>", b"RCPT TO:<r@y.example>", b"DATA"):
    s.sendall(cmd + b"\r\n")
    reply()
s.sendall(b"Subject: half\r\n\r\n" + b"the first half of a message\r\n" * 100)
print("sent half", flush=True)
ln = reply()
print("after the kill: %r" % ln, flush=True)
PYEOF
py=$!
i=0; until grep -qs "sent half" "$T/middata.out"; do i=$((i + 1)); [ $i -gt 100 ] && fail "mid-DATA client"; sleep 0.1; done
sleep 0.3
kill -9 "$SMTPD"; wait "$SMTPD" 2>/dev/null
wait "$py"
grep -q "after the kill: b''" "$T/middata.out" || fail "the client killed mid-DATA got a reply: $(cat "$T/middata.out")"
sleep 1
[ -z "$(ls "$T/spool/incoming")" ] || fail "something of the half message reached incoming/"
grep -rl "the first half of a message" "$T/spool"/{incoming,active,outgoing,hold,reject,deferred} 2>/dev/null &&
    fail "the half message was scanned"
[ "$(final_count)" -eq "$before" ] || fail "the final count moved after the mid-DATA kill"
no_sanitizer_reports
echo "ok: farm-smtpd killed with -9 three times under 8 clients: $summary; a session killed mid-DATA got no 250 and nothing of it was scanned"
