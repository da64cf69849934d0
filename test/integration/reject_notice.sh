#!/usr/bin/env bash
# reject_notice.sh: mail the MTA accepted and the farm rejects is bounced to
# its envelope sender (RFC 5321: delivered or bounced): an RFC 3464 DSN in
# outgoing/ for farm-relay, saying in words the customer can act on what was
# wrong, with the status a program reads. Not bounced: a bounce (null
# sender), a recipient that asked NOTIFY=NEVER, a reason made quiet
# (reject/quiet), anything with reject/notify
# none. (Before: rejected mail went to reject/ and nobody heard of it.)
. "$(dirname "$0")/../lib/farm.sh"
export NOTIFY=sender
printf 'alice shop.example\n' >"$T/accounts"
submit() {   # submit SENDER FROM-ADDRESS [farm-submit options]
    local from=$1 hdr=$2; shift 2
    printf 'From: %s\nTo: bob@far.example\nSubject: the order\nMessage-ID: <m%s@x>\n\nhello\n' "$hdr" "$RANDOM" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -f "$from" -a alice "$@" bob@far.example >/dev/null || fail "submit"
}
dsn_count() { grep -l '^mail-from: <>$' "$T"/spool/outgoing/* 2>/dev/null | wc -l; }
start_broker --helo mx.provider.example --max-size 2048
start_worker --accounts "$T/accounts"
# 1. Another domain in From: lockdown rejects it, and alice hears why.
submit alice@shop.example mallory@bank.example
wait_final 2 20
f=$(grep -l '^mail-from: <>$' "$T"/spool/outgoing/*) || fail "no bounce in outgoing/"
grep -q '^rcpt-to: <\?alice@shop.example>\?$' "$f" || fail "the bounce is not to the sender: $(grep rcpt-to "$f")"
python3 - "$f" <<'PY' || fail "the bounce is not an RFC 3464 report"
import email, sys
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw[raw.index(b"\n\n") + 2:])
assert msg.get_content_type() == "multipart/report", msg.get_content_type()
assert msg.get_param("report-type") == "delivery-status"
assert msg["From"] == "Mail Delivery System <MAILER-DAEMON@mx.provider.example>", msg["From"]
parts = msg.get_payload()
text = parts[0].get_payload()
assert "may not send mail from the address in the message's From: line" in text, text
assert "domain-lockdown: account alice may not send as bank.example" in text, text
status = parts[1].as_string()
assert "Status: 5.7.1" in status and "Final-Recipient: rfc822; bob@far.example" in status, status
assert "Subject: the order" in parts[2].as_string()
PY
# 2. Too large (the broker's own reject): 5.3.4.
head -c 3000 /dev/zero | tr '\0' 'x' | { printf 'From: alice@shop.example\nTo: b@far.example\n\n'; cat; } |
    "$FARM_BIN/farm-submit" --spool "$T/spool" -f alice@shop.example -a alice b@far.example >/dev/null || fail "submit big"
wait_final 4 20
grep -l 'Status: 5.3.4' "$T"/spool/outgoing/* >/dev/null || fail "no 5.3.4 bounce for the message too large"
# 3. A bounce that is rejected is not bounced.
n=$(dsn_count)
submit '' mallory@bank.example
wait_final 5 20
[ "$(dsn_count)" -eq "$n" ] || fail "a rejected bounce was bounced"
# 3b. A recipient whose client asked NOTIFY=NEVER (RFC 3461, kept by farm-smtpd): no bounce.
python3 - "$T/spool" <<'PY'
import os, random, sys, time
qid = "%014x%010x" % (int(time.time() * 1e6), random.getrandbits(40))
body = b"From: mallory@bank.example\nTo: bob@far.example\nSubject: quiet\n\nhello\n"
head = ("farm-spool: 1\nqueue-id: %s\naccount: alice\nmail-from: <alice@shop.example>\n"
        "rcpt-to: <bob@far.example>\nrcpt-dsn: NOTIFY=NEVER\nreceived-at: %d\nsize: %d\n\n"
        % (qid, int(time.time()), len(body))).encode()
tmp = os.path.join(sys.argv[1], "tmp", qid)
open(tmp, "wb").write(head + body)
os.rename(tmp, os.path.join(sys.argv[1], "incoming", qid))
PY
wait_final 6 20
[ "$(dsn_count)" -eq "$n" ] || fail "a reject whose recipient asked NOTIFY=NEVER was bounced"
stop_farm
# 4. A quiet reason, then notices off altogether.
start_broker --reject-quiet "bayes, domain-lockdown"
start_worker --accounts "$T/accounts"
submit alice@shop.example mallory@bank.example
wait_final 7 20
[ "$(dsn_count)" -eq "$n" ] || fail "a quiet reason was bounced"
stop_farm
start_broker --reject-notify none --max-size 2048
start_worker --accounts "$T/accounts"
head -c 3000 /dev/zero | tr '\0' 'x' | { printf 'From: alice@shop.example\nTo: b@far.example\n\n'; cat; } |
    "$FARM_BIN/farm-submit" --spool "$T/spool" -f alice@shop.example -a alice b@far.example >/dev/null || fail "submit big"
wait_final 8 20
[ "$(dsn_count)" -eq "$n" ] || fail "bounced with reject/notify none"
[ "$(ls "$T/spool/reject" | wc -l)" -eq 6 ] || fail "not every reject in reject/"
grep -q "rejected; bounce [0-9a-f]* queued for" "$T/broker.log" || fail "no log line for the bounce"
stop_farm
no_sanitizer_reports
echo "ok: rejects bounced to the sender (RFC 3464, 5.7.1 lockdown, 5.3.4 size, words for the customer); not for bounces, NOTIFY=NEVER, quiet reasons, or notify none"
