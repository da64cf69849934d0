#!/usr/bin/env bash
# kill_relay.sh: farm-relay killed with -9 five times while it sends 1,500
# messages over 10 pipelined connections, started again each time. Every
# message reaches the sink; one goes twice only when the kill fell between
# the sink's 250 and the removal of its file, which can happen once per
# connection per kill: at most 10 a kill.
. "$(dirname "$0")/../lib/farm.sh"
start_broker
kill "$BROKER"; wait "$BROKER" 2>/dev/null; BROKER=0
$PY - "$T/spool/outgoing" <<'PYEOF'
import os, sys
for i in range(1500):
    qid = "%024x" % (0x6620000000000000000000 + i)
    body = ("From: office@shop.example\nTo: r%d@y.example\nSubject: kill %d\n\nbody %d\n" % (i, i, i)).encode()
    head = ("farm-spool: 1\nqueue-id: %s\naccount: shop\nmail-from: <office@shop.example>\n"
            "rcpt-to: <r%d@y.example>\nreceived-at: 1796000000\nverdict: deliver\nsize: %d\n\n" % (qid, i, len(body)))
    path = os.path.join(sys.argv[1], qid)
    with open(path + ".tmp", "wb") as f:
        f.write(head.encode() + body)
    os.rename(path + ".tmp", path)
PYEOF
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY "$TOP/test/lib/smtpsink.py" --port "$PORT" --dir "$T/sink" --pipelining --ready "$T/sink.ready" \
    >"$T/sink.log" 2>&1 &
EXTRA+=($!)
i=0; while [ ! -f "$T/sink.ready" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "sink did not start"; sleep 0.1; done
relay() {
    "$FARM_BIN/farm-relay" --spool "$T/spool" --smarthost "127.0.0.1:$PORT" --helo relay.test \
        --connections 10 --scan-ms 50 >>"$T/relay.log" 2>&1 &
    RELAY=$!
    EXTRA+=($RELAY)
}
at_sink() { ls "$T/sink" | grep -c '\.eml$'; }
kills=0
for round in 1 2 3 4 5; do
    relay
    # Kill once the sink has some more, at a moment that differs each round.
    want=$(( $(at_sink) + 60 + RANDOM % 120 ))
    i=0
    until [ "$(at_sink)" -ge "$want" ] || [ -z "$(ls "$T/spool/outgoing")" ]; do
        i=$((i + 1)); [ $i -gt 600 ] && fail "round $round: the relay sent nothing in 60 s"; sleep 0.05
    done
    kill -9 "$RELAY"; wait "$RELAY" 2>/dev/null
    kills=$((kills + 1))
done
relay
i=0
until [ -z "$(ls "$T/spool/outgoing")" ]; do
    i=$((i + 1)); [ $i -gt 1200 ] && fail "outgoing/ not empty after 120 s: $(ls "$T/spool/outgoing" | wc -l) left"; sleep 0.1
done
kill "$RELAY"; wait "$RELAY" 2>/dev/null
cat "$T"/sink/*.eml | grep '^Subject: kill ' | sort >"$T/subjects"
distinct=$(uniq <"$T/subjects" | wc -l)
twice=$(uniq -d <"$T/subjects" | wc -l)
[ "$distinct" -eq 1500 ] || fail "$distinct of 1,500 messages at the sink"
[ "$twice" -le $((kills * 10)) ] || fail "$twice messages went twice for $kills kills of 10 connections"
no_sanitizer_reports
echo "ok: farm-relay killed 5 times over 10 pipelined connections: all 1,500 at the sink, $twice of them twice (at most 10 a kill allowed)"
