#!/usr/bin/env bash
# curve.sh: tcp:// between broker and workers is CURVE or nothing. Without
# certificates the broker refuses tcp (unless wire/insecure-tcp, logged
# loudly); a secret key others may read is refused; a worker whose key is not
# in the broker's allow folder gets no job and the refusal is logged; an
# allowed worker serves two brokers at once (one link each), and both spools
# finish with every message once.
. "$(dirname "$0")/../lib/farm.sh"
C="$T/curve"
"$FARM_BIN/farm-keygen" --curve broker1 --dir "$C" >/dev/null || fail "keygen"
"$FARM_BIN/farm-keygen" --curve broker2 --dir "$C" >/dev/null || fail "keygen"
"$FARM_BIN/farm-keygen" --curve good --dir "$C/w" >/dev/null || fail "keygen"
"$FARM_BIN/farm-keygen" --curve stranger --dir "$C/w" >/dev/null || fail "keygen"
mkdir -p "$C/allow"
cp "$C/w/good.cert" "$C/allow/"
"$FARM_BIN/farm-keygen" --curve good --dir "$C/w" >/dev/null 2>&1 && fail "keygen overwrote a certificate"
port=$((20000 + RANDOM % 20000))
EP1="tcp://127.0.0.1:$port" EP2="tcp://127.0.0.1:$((port + 1))"
# No certificate, no insecure flag: refused, saying why.
out=$(timeout 5 "$FARM_BIN/farm-broker" --spool "$T/s0" --endpoint "$EP1" --watch=false \
      --control "ipc://$T/c0.sock" 2>&1) && fail "tcp without CURVE accepted"
grep -q "tcp needs CURVE" <<<"$out" || fail "refusal says: $out"
# A secret key others may read: refused.
chmod 644 "$C/broker1.cert_secret"
out=$(timeout 5 "$FARM_BIN/farm-broker" --spool "$T/s0" --endpoint "$EP1" --watch=false --control "ipc://$T/c0.sock" \
      --curve-cert "$C/broker1.cert" --curve-allow "$C/allow" 2>&1) && fail "a readable secret key accepted"
grep -q "readable by others" <<<"$out" || fail "refusal says: $out"
chmod 600 "$C/broker1.cert_secret"
# Insecure on request: starts, loudly.
timeout 2 "$FARM_BIN/farm-broker" --spool "$T/s0" --endpoint "$EP1" --watch=false --control "ipc://$T/c0.sock" \
    --insecure-tcp >"$T/insecure.log" 2>&1
grep -q "NO ENCRYPTION, NO AUTHENTICATION" "$T/insecure.log" || fail "insecure tcp not announced"

python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 300 "$T/orig"
python3 "$TOP/test/lib/spoolgen.py" "$T/spool2" 300 "$T/orig2"
start_broker --endpoint "$EP1" --curve-cert "$C/broker1.cert" --curve-allow "$C/allow"
B1=$BROKER
"$FARM_BIN/farm-broker" --spool "$T/spool2" --endpoint "$EP2" --curve-cert "$C/broker2.cert" \
    --curve-allow "$C/allow" --watch=false --control "ipc://$T/c2.sock" $HB >"$T/broker2.log" 2>&1 &
B2=$!
EXTRA+=($B2)
# The stranger: connected, refused, no job.
start_worker --endpoint "$EP1" --curve-cert "$C/w/stranger.cert" --curve-server-key "$C/broker1.cert"
sleep 1.5
[ -z "$(ls "$T/spool/outgoing")" ] || fail "a worker the broker does not list got jobs"
key=$(sed -n 's/^ *public-key = "\(.*\)"/\1/p' "$C/w/stranger.cert")
[ ${#key} -eq 40 ] || fail "no public key in the certificate"
grep -qF "denied (CURVE) client_key=$key" "$T/broker.log" || fail "the refusal is not logged"
grep -q "$EP1: the broker refused us (CURVE, status 400)" "$T/worker-0.log" ||
    fail "the stranger worker does not say it was refused: $(tail -3 "$T/worker-0.log")"
[ "$(grep -c 'the broker refused us' "$T/worker-0.log")" -eq 1 ] || fail "the refusal is logged more than once"
# The good worker serves both brokers (and checks each one's key).
start_worker --endpoint "$EP1,$EP2" --curve-cert "$C/w/good.cert" \
    --curve-server-key "$C/broker1.cert,$C/broker2.cert"
wait_final 300 30
i=0
while [ "$(ls "$T/spool2/outgoing" 2>/dev/null | wc -l)" -lt 300 ]; do
    i=$((i + 1)); [ $i -gt 300 ] && fail "broker 2: $(ls "$T/spool2/outgoing" | wc -l) of 300"; sleep 0.1
done
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool 1 invariant"
python3 "$TOP/test/lib/check_spool.py" "$T/spool2" "$T/orig2" || fail "spool 2 invariant"
stop_farm
no_sanitizer_reports
echo "ok: tcp refused without CURVE, loud when insecure; a stranger refused and logged on both sides; one worker served two brokers, 600 once"
