#!/usr/bin/env bash
# relay.sh: farm-relay hands outgoing/ to an SMTP server (test/lib/smtpsink.py)
# and removes only what was accepted. With the smarthost down nothing moves
# (exit 75); a 451 to DATA and a 450 to a recipient leave the message for a
# later attempt, keeping only the recipients still to do; a 550 to one
# recipient delivers to the others and bounces (RFC 3464, checked part by
# part) to the account; a message still refused past relay/max-queue-s is
# bounced; a refused bounce is kept in reject/, never bounced. What reaches
# the sink is DKIM-signed and verifies with dkimpy.
. "$(dirname "$0")/../lib/farm.sh"
need_dkimpy
"$FARM_BIN/farm-keygen" shop.example s1 --keys "$T/keys" >/dev/null || fail "keygen"
echo "alice shop.example" >"$T/accounts"
start_broker
start_worker --keys "$T/keys" --accounts "$T/accounts"
submit() {   # submit SENDER RECEIVED-AT SUBJECT RCPT...
    local from=$1 at=$2 subj=$3; shift 3
    printf 'From: Alice <alice@shop.example>\nTo: friends@dest.example\nSubject: %s\nMessage-ID: <%s@shop.example>\n\nHello.\n.leading dot stays\n' \
        "$subj" "$subj" | "$FARM_BIN/farm-submit" --spool "$T/spool" -f "$from" -a alice \
        --received-at "$at" "$@" >/dev/null || fail "submit $subj"
}
now=$(date +%s)
submit alice@shop.example "$now" two-ok ok1@dest.example ok2@dest.example
submit alice@shop.example "$now" one-refused ok3@dest.example nobody@dest.example
submit alice@shop.example "$now" busy busy@dest.example ok4@dest.example
submit alice@shop.example $((now - 7200)) too-old old.busy@dest.example
submit '' "$now" bounce-refused nobody@dest.example
wait_final 5 30
stop_farm
[ "$(ls "$T/spool/outgoing" | wc -l)" -eq 5 ] || fail "expected 5 messages in outgoing/: $(ls "$T/spool"/*)"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY "$TOP/test/lib/smtpsink.py" --port "$PORT" --dir "$T/sink" --refuse nobody@ --later busy@ \
    --later-data 1 --ready "$T/sink.ready" >"$T/sink.log" 2>&1 &
EXTRA+=($!)
R=("$FARM_BIN/farm-relay" --spool "$T/spool" --relay-retry-s 1 --max-queue-s 3600 --helo relay.test --once
   --metrics-file "$T/relay.prom")

# 1. The smarthost is down: nothing moves.
"${R[@]}" --smarthost "127.0.0.1:1" --max-queue-s 86400 >>"$T/relay.log" 2>&1
rc=$?
[ $rc -eq 75 ] || fail "smarthost down: exit $rc, expected 75"
grep -q "smarthost 127.0.0.1:1: connect: Connection refused; mail waits" "$T/relay.log" || fail "no clear log line"
[ "$(ls "$T/spool/outgoing" | wc -l)" -eq 5 ] || fail "smarthost down: a message moved"
grep -q '^farm_relay_smarthost_up 0$' "$T/relay.prom" || fail "metrics: the smarthost is not down: $(cat "$T/relay.prom")"
grep -q '^farm_relay_messages_total{outcome="deferred"} 5$' "$T/relay.prom" || fail "metrics: 5 deferred expected"
# Waiting ones are not due before their time.
touch -d '-1 hour' "$T"/spool/outgoing/*

i=0; while [ ! -f "$T/sink.ready" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "sink did not start"; sleep 0.1; done
# A symbolic link planted where the relay writes a message's rewrite (the
# recipients left): followed before, it overwrote its target.
echo "precious" >"$T/victim"
for f in "$T"/spool/outgoing/*; do ln -s "$T/victim" "$T/spool/tmp/$(basename "$f").relay"; done
# 2. First pass: two-ok meets a 451 to DATA; one-refused goes to ok3 and
# bounces nobody; busy goes to ok4 and waits for busy; too-old is bounced;
# bounce-refused is kept in reject/.
"${R[@]}" --smarthost "127.0.0.1:$PORT" >>"$T/relay.log" 2>&1
[ $? -eq 75 ] || fail "first pass: expected exit 75 (mail waits)"
grep -q "relayed to 127.0.0.1:$PORT" "$T/relay.log" || fail "nothing relayed"
sleep 1.2
# 3. Second pass: two-ok and the two bounces go; busy still waits.
before=$(date +%s)
"${R[@]}" --smarthost "127.0.0.1:$PORT" >>"$T/relay.log" 2>&1
[ $? -eq 75 ] || fail "second pass: expected exit 75 (busy waits)"
left=$(ls "$T/spool/outgoing")
[ "$(wc -w <<<"$left")" -eq 1 ] || fail "expected only busy left in outgoing/: $left"
grep -q '^rcpt-to: <busy@dest.example>$' "$T/spool/outgoing/$left" || fail "the waiting message lost busy@"
grep -q '^rcpt-to: <ok4@dest.example>$' "$T/spool/outgoing/$left" && fail "ok4 would be sent twice"
# Its next attempt is at least a retry-s after this pass began (not "after
# now": a pass ending a moment before a second's turn, and a check just
# after it, would see the next attempt due already).
[ "$(stat -c %Y "$T/spool/outgoing/$left")" -ge $((before + 1)) ] || fail "no next attempt time on the waiting message"
[ "$(ls "$T/spool/reject" | wc -l)" -eq 1 ] || fail "the refused bounce is not in reject/"
grep -q '^farm_relay_smarthost_up 1$' "$T/relay.prom" || fail "metrics: the smarthost is not up"
grep -q '^farm_relay_queue{state="waiting"} 1$' "$T/relay.prom" || fail "metrics: 1 waiting expected: $(cat "$T/relay.prom")"
[ "$(grep -c '^farm_relay_smarthost_last_reached_seconds [1-9]' "$T/relay.prom")" -eq 1 ] || fail "metrics: never reached"
grep -q '^farm_relay_connections{state="max"} 10$' "$T/relay.prom" || fail "metrics: no connections gauge: $(grep connections "$T/relay.prom")"
grep -q "a bounce refused for good; kept in reject/" "$T/relay.log" || fail "no log line for the refused bounce"
[ "$(cat "$T/victim")" = precious ] || fail "the relay wrote through a planted symbolic link"

$PY - "$T/sink" <<'PY' || fail "sink contents"
import email, glob, os, sys
from email import policy
sink = sys.argv[1]
got = []
for env in sorted(glob.glob(os.path.join(sink, "*.env"))):
    lines = open(env).read().split("\n")
    frm = [l[11:] for l in lines if l.startswith("mail-from: ")][0]
    rcpts = sorted(l[9:] for l in lines if l.startswith("rcpt-to: "))
    msg = email.message_from_bytes(open(env[:-4] + ".eml", "rb").read(), policy=policy.compat32)
    got.append(((frm, tuple(rcpts)), msg))
keys = [k for k, m in got]
def need(frm, rcpts):
    k = (frm, tuple(sorted(rcpts)))
    if keys.count(k) != 1:
        sys.exit("expected once: %s -> %s; have %s" % (frm, rcpts, keys))
    return [m for kk, m in got if kk == k][0]
for m in (need("<alice@shop.example>", ["<ok1@dest.example>", "<ok2@dest.example>"]),
          need("<alice@shop.example>", ["<ok3@dest.example>"]),
          need("<alice@shop.example>", ["<ok4@dest.example>"])):
    body = m.get_payload()
    if "\n.leading dot stays" not in body.replace("\r\n", "\n"):
        sys.exit("dot-stuffing broke the body: %r" % body)
bounces = [m for (f, r), m in got if f == "<>"]
if len(bounces) != 2 or any(r != ("<alice@shop.example>",) for (f, r) in keys if f == "<>"):
    sys.exit("expected 2 bounces to alice: %s" % keys)
if len(got) != 5:
    sys.exit("expected 5 messages at the sink, got %d: %s" % (len(got), keys))
seen = set()
for b in bounces:
    if b.get_content_type() != "multipart/report" or b.get_param("report-type") != "delivery-status":
        sys.exit("not a DSN: %s" % b.get_content_type())
    parts = b.get_payload()
    kinds = [p.get_content_type() for p in parts]
    if kinds != ["text/plain", "message/delivery-status", "text/rfc822-headers"]:
        sys.exit("DSN parts: %s" % kinds)
    if b["Auto-Submitted"] != "auto-replied":
        sys.exit("DSN without Auto-Submitted")
    blocks = parts[1].get_payload()     # per-message, then per-recipient fields
    permsg, rcpt = blocks[0], blocks[1]
    if not permsg["Reporting-MTA"] == "dns; relay.test" or not permsg["Arrival-Date"]:
        sys.exit("per-message fields: %s" % permsg.items())
    if rcpt["Action"] != "failed":
        sys.exit("Action: %s" % rcpt["Action"])
    final = rcpt["Final-Recipient"]
    seen.add(final)
    if final == "rfc822; nobody@dest.example":
        if rcpt["Status"] != "5.1.1" or not rcpt["Diagnostic-Code"].startswith("smtp; 550 5.1.1"):
            sys.exit("nobody: %s" % rcpt.items())
    elif final == "rfc822; old.busy@dest.example":
        if rcpt["Status"] != "4.2.1" or "still refused after" not in rcpt["Diagnostic-Code"]:
            sys.exit("old.busy: %s" % rcpt.items())
    if "Subject:" not in parts[2].get_payload():
        sys.exit("the original's headers are missing")
if seen != {"rfc822; nobody@dest.example", "rfc822; old.busy@dest.example"}:
    sys.exit("bounced recipients: %s" % seen)
PY
signed=$(grep -L '^From: Mail Delivery System' "$T"/sink/*.eml)
$PY "$TOP/test/lib/dkim_check.py" "$T/keys" $signed >"$T/check.out" 2>&1 ||
    fail "dkimpy at the sink: $(grep -v '^ok' "$T/check.out" | head -3)"
grep -q ': 0 signature' "$T/check.out" && fail "an unsigned message reached the sink: $(cat "$T/check.out")"
no_sanitizer_reports
echo "ok: relay: down -> waits; 451 and 450 retried with the rest kept; 550 and too-old bounced (RFC 3464); refused bounce in reject/; $(wc -l <"$T/check.out") messages verify at the sink"
