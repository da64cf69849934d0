#!/usr/bin/env bash
# relay_disk_full.sh: farm-relay on a full disk. One message goes to a
# recipient who takes it and one who says "later" (450); another to one who
# takes it and one who refuses (550). The relay must then write the first
# back with the recipient left, and a bounce for the second: with the disk
# full it cannot. Before, it sent both again on every pass to the recipients
# that had taken them (50 copies in 10 s at scan-ms 200). Now it keeps the
# outcome and sends nothing again; when space returns it records it: the
# rewrite, the bounce, the removal. Needs root for the tmpfs.
. "$(dirname "$0")/../lib/farm.sh"
tmpfs_spool 4m
PY=python3
start_broker
start_worker
for m in "ok1 wait" "ok2 gone"; do
    set -- $m
    printf 'From: Carol <carol@shop.example>\nTo: x@dest.example\nSubject: %s\n\nHello.\n' "$2" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -f carol@shop.example -a carol \
        "$1@dest.example" "$2@dest.example" >/dev/null || fail "submit $m"
done
wait_final 2 30
stop_farm
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY "$TOP/test/lib/smtpsink.py" --port "$PORT" --dir "$T/sink" --refuse gone@ --later wait@ \
    --ready "$T/sink.ready" >"$T/sink.log" 2>&1 &
EXTRA+=($!)
i=0; while [ ! -f "$T/sink.ready" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "sink did not start"; sleep 0.1; done
# The disk full but for a little: what the relay writes no longer fits.
head -c $(( $(df -B1 --output=avail "$T/spool" | tail -1) - 2048 )) /dev/zero >"$T/spool/filler" 2>/dev/null
"$FARM_BIN/farm-relay" --spool "$T/spool" --smarthost "127.0.0.1:$PORT" --scan-ms 100 --relay-retry-s 1 \
    --helo relay.test >>"$T/relay.log" 2>&1 &
RELAY=$!
EXTRA+=($RELAY)
copies() { grep -l "^rcpt-to: <$1>" "$T"/sink/*.env 2>/dev/null | wc -l; }
i=0; until [ "$(copies ok1@dest.example)" -ge 1 ] && [ "$(copies ok2@dest.example)" -ge 1 ]; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "nothing reached the sink"; sleep 0.1
done
sleep 3     # 30 passes
kill -0 $RELAY 2>/dev/null || fail "the relay died on the full disk"
[ "$(copies ok1@dest.example)" = 1 ] && [ "$(copies ok2@dest.example)" = 1 ] ||
    fail "sent again while the disk was full: $(copies ok1@dest.example) and $(copies ok2@dest.example) copies"
grep -q "not sent again until it is" "$T/relay.log" || fail "the relay did not say it cannot record: $(tail -3 "$T/relay.log")"
lines=$(wc -l <"$T/relay.log")
[ "$lines" -lt 40 ] || fail "$lines log lines in 3 s of a full disk"
# Space again: the outcomes are recorded, and still nothing is sent twice.
rm -f "$T/spool/filler"
i=0; until [ "$(grep -c 'the outcome of its last attempt recorded at last' "$T/relay.log")" -ge 2 ]; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "outcomes not recorded once space returned: $(tail -3 "$T/relay.log")"; sleep 0.1
done
i=0; until grep -q "^rcpt-to: <carol@shop.example>" "$T"/sink/*.env 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "no bounce for gone@ reached carol"; sleep 0.1
done
sleep 1
[ "$(copies ok1@dest.example)" = 1 ] && [ "$(copies ok2@dest.example)" = 1 ] ||
    fail "sent again after space returned: $(copies ok1@dest.example), $(copies ok2@dest.example)"
left=$(grep -l '^rcpt-to: <wait@dest.example>$' "$T"/spool/outgoing/* 2>/dev/null | wc -l)
[ "$left" = 1 ] || fail "the message for wait@ is not waiting with its recipient left ($left)"
grep -q '^rcpt-to: <ok1@dest.example>$' "$T"/spool/outgoing/* && fail "ok1@ still to do in outgoing/"
kill $RELAY; wait $RELAY 2>/dev/null
no_sanitizer_reports
echo "ok: disk full after the smarthost took 2 of 4 recipients: 30 passes, 1 copy each, $lines log lines; space back: the rest kept, the bounce sent, nothing twice"
