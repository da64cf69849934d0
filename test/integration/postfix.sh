#!/usr/bin/env bash
# postfix.sh: a real MTA in front of the farm and behind it, configured as
# tools/README.md says. A private Postfix instance (its own config and queue in
# the test folder) takes a message from swaks on its submission port, hands
# it to farm-smtpd over SMTP and STARTTLS (content_filter = farm:[127.0.0.1]:PORT, an smtp
# transport sending XFORWARD; MODE=pipe: a pipe into farm-submit, as
# postfix_pipe.sh runs it), the farm scans and signs it,
# farm-relay hands it back on Postfix's re-injection port, and Postfix
# relays it to an SMTP sink, where it must arrive once, DKIM-signed, and
# verify with dkimpy. A recipient the sink refuses comes back to the sender
# as Postfix's RFC 3464 bounce (the relay's own bounces: test relay).
# A customer's own X-AuthUser header is removed by Postfix (header_checks)
# before the farm, which would believe it from Postfix.
# Needs root (Postfix's master, and the pipe's own user): skipped, saying so,
# otherwise. Installs postfix and swaks (tools/setup.sh) when they are absent.
. "$(dirname "$0")/../lib/farm.sh"
if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: a private Postfix instance needs root; run test/run as root to include this test"
    exit 0
fi
if ! command -v postfix >/dev/null || ! command -v swaks >/dev/null; then
    "$TOP/tools/setup.sh" >"$T/setup.log" 2>&1 || fail "cannot install postfix and swaks: $(tail -3 "$T/setup.log")"
fi
need_dkimpy
export WATCH=true   # the sender state on: the maillog is learned into it at the end
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MODE=${MODE:-smtp}
IN=$(free_port); BACK=$(free_port); SINK=$(free_port); FILTER=$(free_port)
while [ "$BACK" = "$IN" ]; do BACK=$(free_port); done
while [ "$SINK" = "$IN" ] || [ "$SINK" = "$BACK" ]; do SINK=$(free_port); done
while [ "$FILTER" = "$IN" ] || [ "$FILTER" = "$BACK" ] || [ "$FILTER" = "$SINK" ]; do FILTER=$(free_port); done

# The pipe runs farm-submit as an ordinary user that owns the spool.
id farmtest >/dev/null 2>&1 || useradd -r -M -d /nonexistent -s /usr/sbin/nologin farmtest ||
    fail "useradd farmtest"
chmod 755 "$T"
mkdir -p "$T/bin" "$T/spool"
cp "$FARM_BIN/farm-submit" "$T/bin/"
chmod 755 "$T/bin" "$T/bin/farm-submit"
"$FARM_BIN/farm-keygen" shop.example s1 --keys "$T/keys" >/dev/null || fail "keygen"
echo "alice@shop.example shop.example" >"$T/accounts"
start_broker
start_worker --keys "$T/keys" --accounts "$T/accounts"
for i in $(seq 1 50); do [ -d "$T/spool/incoming" ] && break; sleep 0.1; done
chown -R farmtest "$T/spool"   # farm-submit opens the spool as the broker does
if [ "$MODE" = smtp ]; then
    # With STARTTLS, which Postfix's smtp client must use (a real TLS client).
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -days 2 \
        -subj /CN=farm.test >/dev/null 2>&1 || fail "openssl req"
    chmod 600 "$T/tls.key"
    "$FARM_BIN/farm-smtpd" --spool "$T/spool" --listen "127.0.0.1:$FILTER" --tls-cert "$T/tls.crt" \
        --tls-key "$T/tls.key" >>"$T/smtpd.log" 2>&1 &
    EXTRA+=($!)
fi
"$FARM_BIN/farm-relay" --spool "$T/spool" --smarthost "127.0.0.1:$BACK" --scan-ms 100 \
    --relay-retry-s 1 >>"$T/relay.log" 2>&1 &
EXTRA+=($!)
$PY "$TOP/test/lib/smtpsink.py" --port "$SINK" --dir "$T/sink" --refuse nobody@ \
    --ready "$T/sink.ready" >"$T/sink.log" 2>&1 &
EXTRA+=($!)

# The private Postfix: tools/README.md's settings, with ports of our own and the
# sink as the relay host (tools/bench/postfix.sh).
. "$TOP/tools/bench/postfix.sh"
PF="$T/postfix"
postfix_make "$PF" "$SINK"
if [ "$MODE" = smtp ]; then
    filter="farm:[127.0.0.1]:$FILTER"
    transport="farm      unix  -       -       n       -       20      smtp
  -o smtp_send_xforward_command=yes
  -o disable_mime_output_conversion=yes
  -o smtp_generic_maps=
  -o smtp_tls_security_level=encrypt
  -o smtp_tls_loglevel=1"
else
    filter=farm:dummy
    transport="farm      unix  -       n       n       -       10      pipe
  flags=Rq user=farmtest null_sender=
  argv=$T/bin/farm-submit --spool $T/spool -f \${sender} -- \${recipient}"
fi
cat >>"$PF/etc/master.cf" <<EOF
127.0.0.1:$IN inet n    -       n       -       -       smtpd
  -o content_filter=$filter
  -o smtpd_sasl_authenticated_header=yes
  -o receive_override_options=no_address_mappings
127.0.0.1:$BACK inet n  -       n       -       -       smtpd
  -o content_filter=
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
  -o smtpd_relay_restrictions=permit_mynetworks,reject
$transport
EOF
postfix_start "$PF" "$IN" 2>"$T/postfix-start.log" || fail "$(cat "$T/postfix-start.log")"
trap 'postfix_stop "$PF"; cleanup 2>/dev/null' EXIT

swaks --server "127.0.0.1:$IN" --from alice@shop.example --to bob@dest.example,nobody@dest.example \
    --header "Subject: through postfix and the farm" --header "From: Alice <alice@shop.example>" \
    --header "X-AuthUser: mallory" \
    --body $'Hello Bob,\n.a line that starts with a dot\n' --helo client.test >"$T/swaks.log" 2>&1 ||
    fail "swaks: $(tail -5 "$T/swaks.log")"

# bob's copy, then alice's bounce for nobody.
i=0
while [ "$(ls "$T/sink" 2>/dev/null | grep -c '\.eml$')" -lt 2 ]; do
    i=$((i + 1))
    [ $i -gt 300 ] && fail "only $(ls "$T/sink" 2>/dev/null | grep -c '\.eml$') of 2 messages at the sink after 30 s; maillog: $(tail -5 "$PF/maillog" 2>/dev/null)"
    sleep 0.1
done
sleep 0.5
[ "$(ls "$T/sink" | grep -c '\.eml$')" -eq 2 ] || fail "more than 2 messages at the sink: $(ls "$T/sink")"
bob=$(grep -l '^rcpt-to: <bob@dest.example>$' "$T"/sink/*.env)
[ -n "$bob" ] || fail "nothing for bob at the sink: $(cat "$T"/sink/*.env)"
grep -q '^mail-from: <alice@shop.example>$' "$bob" || fail "bob's copy has the wrong sender: $(cat "$bob")"
msg=${bob%.env}.eml
grep -q '^Subject: through postfix and the farm' "$msg" || fail "not our message: $(head -20 "$msg")"
grep -q '^\.a line that starts with a dot' "$msg" || fail "the body changed on the way"
[ "$(grep -c '^Received: ' "$msg")" -ge 2 ] || fail "not through Postfix twice: $(grep '^Received' "$msg")"
$PY "$TOP/test/lib/dkim_check.py" "$T/keys" "$msg" >"$T/check.out" 2>&1 ||
    fail "dkimpy at the sink: $(cat "$T/check.out")"
grep -q ': [1-9] signature' "$T/check.out" || fail "bob's copy is not signed: $(cat "$T/check.out")"
bounce=$(grep -l '^mail-from: <>$' "$T"/sink/*.env)
[ -n "$bounce" ] || fail "no bounce at the sink"
grep -q '^rcpt-to: <alice@shop.example>$' "$bounce" || fail "the bounce is not for alice: $(cat "$bounce")"
b=${bounce%.env}.eml
grep -q 'report-type=delivery-status' "$b" || fail "the bounce is not a DSN"
grep -q '^Final-Recipient: rfc822; nobody@dest.example' "$b" || fail "the DSN does not name nobody"
grep -q '^Status: 5.1.1' "$b" || fail "the DSN has not the sink's status"
grep -qi '^X-AuthUser' "$msg" && fail "the customer's X-AuthUser went through"
# One queue id across the three logs: Postfix's maillog names the farm's.
if [ "$MODE" = smtp ]; then
    qid=$(grep -o "relay=127.0.0.1\[127.0.0.1\]:$FILTER,.*status=sent (250 2.0.0 Ok: queued as [0-9a-f]*)" "$PF/maillog" |
          head -1 | grep -o '[0-9a-f]\{24\}')
    [ -n "$qid" ] || fail "the maillog shows no delivery into farm-smtpd: $(grep "$FILTER" "$PF/maillog")"
    grep -q "$qid: queued: account=alice@shop.example from=<alice@shop.example> rcpts=2 .*client=127.0.0.1 via=smtpd/sender/" \
        "$T/smtpd.log" || fail "farm-smtpd did not take it as alice with XFORWARD: $(grep queued "$T/smtpd.log")"
    grep -q "TLS connection established to 127.0.0.1\[127.0.0.1\]:$FILTER" "$PF/maillog" ||
        fail "Postfix did not use STARTTLS into farm-smtpd: $(grep -i tls "$PF/maillog" | head -3)"
    grep -q "(farm-smtpd) with ESMTPS id $qid" "$msg" ||
        fail "no Received: field of farm-smtpd over TLS in bob's copy: $(grep -A2 '^Received' "$msg" | head -12)"
else
    qid=$(grep -o 'status=sent (delivered via farm service ([0-9a-f]*))' "$PF/maillog" | head -1 | grep -o '[0-9a-f]\{24\}')
    [ -n "$qid" ] || fail "the maillog shows no pipe into the farm: $(grep relay=farm "$PF/maillog")"
fi
grep -q "$qid: verdict=deliver" "$T/broker.log" || fail "the broker log does not know $qid"
grep -q "$qid: relayed to 127.0.0.1:$BACK for 2 recipient(s)" "$T/relay.log" || fail "the relay log does not know $qid"
[ -z "$(ls "$T/spool/outgoing")" ] || fail "outgoing/ not emptied by the relay"
# Day-one baselines from this Postfix's own maillog: alice's message is
# learned once (its copy to the farm's pipe is not counted, the re-injected
# one is), the bounce not at all.
"$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" learn --maillog "$PF/maillog" >"$T/learn.out" 2>&1 ||
    fail "learn the maillog: $(cat "$T/learn.out")"
grep -q "1 message(s) found, 1 learned" "$T/learn.out" || fail "learn: $(cat "$T/learn.out")"
grep -q "1 bounces (null sender), 2 deliveries to the farm's own pipe" "$T/learn.out" || fail "learn: $(cat "$T/learn.out")"
no_sanitizer_reports
entry=$([ "$MODE" = smtp ] && echo "farm-smtpd (SMTP over STARTTLS, XFORWARD)" || echo "farm-submit (pipe)")
echo "ok: swaks -> postfix -> $entry -> farm -> farm-relay -> postfix -> sink: signed, verifies with dkimpy; the customer's X-AuthUser removed by Postfix; the refused recipient bounced to alice as a DSN; the maillog learned"
