#!/usr/bin/env bash
# relay_line_ends.sh: bare CRs on the way out. Before, farm-relay passed bare
# CRs to the smarthost as they were: "\r.\r" inside a message is the end of
# the data to a receiver that takes a CR for a line end (SMTP smuggling),
# and what follows a second message. Now every line end goes out as CRLF
# (shared/mime/lines.h), both DKIM signers hash the lines as sent, and the
# signature verifies with dkimpy at the receiver.
. "$(dirname "$0")/../lib/farm.sh"
need_dkimpy
"$FARM_BIN/farm-keygen" shop.example s1 --keys "$T/keys" >/dev/null || fail "keygen"
echo "alice shop.example" >"$T/accounts"
for signer in openssl opendkim; do
    rm -rf "$T/spool" "$T/sink"
    mkdir -p "$T/spool"
    start_broker
    start_worker --keys "$T/keys" --accounts "$T/accounts" --signer $signer
    printf 'From: Alice <alice@shop.example>\r\nTo: bob@dest.example\r\nSubject: line ends\r\n\r\nfirst\r.\rMAIL FROM:<evil@x.example>\rsecond\nthird\r\nlast\r' |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -f alice@shop.example -a alice bob@dest.example >/dev/null || fail "submit"
    wait_final 1 30
    stop_farm
    grep -q '^dkim: ' "$T"/spool/outgoing/* || fail "$signer: not signed"
    PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    $PY "$TOP/test/lib/smtpsink.py" --port "$PORT" --dir "$T/sink" --ready "$T/sink.ready" >"$T/sink.log" 2>&1 &
    SINK=$!
    EXTRA+=($SINK)
    i=0; while [ ! -f "$T/sink.ready" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "sink did not start"; sleep 0.1; done
    rm -f "$T/sink.ready"
    "$FARM_BIN/farm-relay" --spool "$T/spool" --smarthost "127.0.0.1:$PORT" --once --helo relay.test >>"$T/relay.log" 2>&1 ||
        fail "$signer: relay: $(tail -2 "$T/relay.log")"
    kill $SINK; wait $SINK 2>/dev/null
    [ "$(ls "$T"/sink/*.eml 2>/dev/null | wc -l)" = 1 ] || fail "$signer: $(ls "$T"/sink/*.eml 2>/dev/null | wc -l) messages at the sink, not 1"
    $PY - "$T"/sink/*.eml <<'PY' || fail "$signer: what the sink got"
import sys
data = open(sys.argv[1], "rb").read()
assert b"\r" not in data.replace(b"\r\n", b""), "a bare CR reached the sink"
for line in (b"first", b".", b"MAIL FROM:<evil@x.example>", b"second", b"third", b"last"):
    assert b"\r\n" + line + b"\r\n" in data or data.endswith(b"\r\n" + line + b"\r\n"), line
PY
    $PY "$TOP/test/lib/dkim_check.py" "$T/keys" "$T"/sink/*.eml >"$T/check.out" 2>&1 ||
        fail "$signer: dkimpy at the sink: $(cat "$T/check.out")"
done
no_sanitizer_reports
echo "ok: a body with bare CRs and \\r.\\r: sent as CRLF lines, whole (the smuggled MAIL FROM stayed text), signed by openssl and opendkim, verified by dkimpy"
