#!/usr/bin/env bash
# feedback.sh: what comes back, through real processes. farm-relay hands
# the mail to a sink that refuses some recipients (550 5.1.1) and writes
# each recipient's reply to SPOOL/feedback/; the broker charges it to the
# account that sent the message.
#  - shop's hijacker mails a list of 40, 30% of it dead addresses: once the
#    refusals are in, shop is flagged (the reason names them) and its next
#    message is held;
#  - bakery, an honest shop, mails 40 receipts, one to a dead address: not
#    flagged;
#  - bakery's mail carries the farm's Feedback-ID (feedback/sender-id), signed
#    by DKIM (dkimpy verifies it at the sink);
#  - an ARF report of a bakery message, piped to farm-ctl complaint, is charged
#    to bakery, matched by its Message-ID; one whose original lost its
#    Message-ID, by the Feedback-ID; garbage and an unknown original are
#    refused and charged to no one; three complaints about 41 messages flag
#    bakery (complaint-flag);
#  - feedback for queue ids the farm never saw, out-of-range codes, lines
#    and files of garbage: counted by kind in the metrics, charged to no one.
. "$(dirname "$0")/../lib/farm.sh"
need_dkimpy
"$FARM_BIN/farm-keygen" bakery.example n1 --keys "$T/keys" >/dev/null || fail "keygen"
printf 'bakery bakery.example\nshop shop.example\n' >"$T/accounts"
WATCH=true start_broker --feedback-sender-id farm1 --metrics-file "$T/farm.prom" \
    --metrics-interval-ms 200 --state-flush-ms 0
start_worker --keys "$T/keys" --accounts "$T/accounts" --feedback-sender-id farm1
wait_control
CTL=("$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock")
"${CTL[@]}" kind shop transactional >/dev/null || fail "kind shop"
"${CTL[@]}" kind bakery transactional >/dev/null || fail "kind bakery"
now=$(date +%s)
submit() {   # submit ACCOUNT RECEIVED-AT N RCPT
    printf 'From: %s <office@%s.example>\nTo: <%s>\nSubject: your order %s\nMessage-ID: <%s-%s@%s.example>\n\nThank you for your order %s.\n' \
        "$1" "$1" "$4" "$3" "$1" "$3" "$1" "$3" | "$FARM_BIN/farm-submit" --spool "$T/spool" \
        -f "office@$1.example" -a "$1" --received-at "$2" "$4" >/dev/null || fail "submit $1 $3"
}
for i in $(seq 0 39); do
    if [ $((i % 10)) -lt 3 ]; then r="dead$i@list.example"; else r="buyer$i@list.example"; fi
    submit shop $((now - 2400 + i * 60)) "$i" "$r"
    if [ "$i" -eq 17 ]; then r="dead-old$i@readers.example"; else r="reader$i@readers.example"; fi
    submit bakery $((now - 2400 + i * 60)) "$i" "$r"
done
wait_final 80 60
[ "$(ls "$T/spool/outgoing" | wc -l)" -eq 80 ] || fail "not all 80 delivered before the relay: $(ls "$T/spool/hold" | wc -l) held"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY "$TOP/test/lib/smtpsink.py" --port "$PORT" --dir "$T/sink" --refuse dead --ready "$T/sink.ready" \
    >"$T/sink.log" 2>&1 &
EXTRA+=($!)
i=0; while [ ! -f "$T/sink.ready" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "sink did not start"; sleep 0.1; done
"$FARM_BIN/farm-relay" --spool "$T/spool" --smarthost "127.0.0.1:$PORT" --helo relay.test --once \
    >>"$T/relay.log" 2>&1 || fail "relay: $(tail -3 "$T/relay.log")"

# The broker reads what came back: shop flagged, bakery not.
i=0
until "${CTL[@]}" show shop 2>/dev/null | grep -q '^  flagged: *YES'; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "shop not flagged in 10 s: $("${CTL[@]}" show shop | grep -i 'flag\|feedback')"
    sleep 0.1
done
# Flagged as its refusals came in; all 40 outcomes counted by the time the
# folder is read through.
i=0
until [ -z "$(ls "$T/spool/feedback")" ] && "${CTL[@]}" show shop | grep -q 'feedback: *28 delivered, 12 invalid'; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "shop's feedback: $("${CTL[@]}" show shop | grep feedback)"
    sleep 0.1
done
"${CTL[@]}" show shop >"$T/shop.show"
grep -q 'refused recipients [5-9] of' "$T/shop.show" || fail "shop's reason: $(grep -i flag "$T/shop.show")"
"${CTL[@]}" show bakery >"$T/bakery.show"
grep -q 'feedback: *39 delivered, 1 invalid' "$T/bakery.show" || fail "bakery's feedback: $(grep feedback "$T/bakery.show")"
grep -q '^  flagged: *YES' "$T/bakery.show" && fail "bakery flagged: $(grep -i flag "$T/bakery.show")"
submit shop "$(date +%s)" 99 "buyer99@list.example"
submit bakery "$(date +%s)" 99 "reader99@readers.example"
i=0; until [ "$(ls "$T/spool/hold" | wc -l)" -ge 1 ] && [ "$(ls "$T/spool/outgoing" | wc -l)" -ge 1 ]; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "shop's next message not held / bakery's not delivered"; sleep 0.1; done
grep -q 'account-flagged\|flagged' "$T/spool/hold/"* || fail "the held message gives no reason"

# bakery's mail at the sink: its Feedback-ID, signed.
m=$(grep -l '^Message-ID: <bakery-5@bakery.example>' "$T"/sink/*.eml) || fail "bakery-5 not at the sink"
grep -q '^Feedback-ID: bakery:farm1' "$m" || fail "no Feedback-ID: $(head -12 "$m")"
grep -A3 '^DKIM-Signature' "$m" | tr -d '\r\n\t ' | grep -qi 'h=feedback-id' || fail "the Feedback-ID is not signed"
$PY "$TOP/test/lib/dkim_check.py" "$T/keys" "$m" >"$T/check.out" 2>&1 || fail "dkimpy: $(cat "$T/check.out")"

# Complaints.
arf() {   # arf ORIGINAL [strip-message-id]: an ARF report of it on stdout
    $PY - "$@" <<'PY'
import sys
orig = open(sys.argv[1], "rb").read().decode("utf-8", "replace").replace("\r\n", "\n")
if len(sys.argv) > 2:
    orig = "\n".join(l for l in orig.split("\n") if not l.lower().startswith("message-id:"))
print("From: fbl@isp.example\nTo: abuse@farm.example\nSubject: complaint\nMIME-Version: 1.0\n"
      "Content-Type: multipart/report; report-type=feedback-report; boundary=\"=b=\"\n\n"
      "--=b=\nContent-Type: text/plain\n\nA complaint about a message from your network.\n"
      "--=b=\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: isp-fbl/1\n"
      "Version: 1\n\n--=b=\nContent-Type: message/rfc822\n\n" + orig + "\n--=b=--")
PY
}
arf "$m" | "${CTL[@]}" complaint >"$T/c1.out" 2>&1 || fail "complaint: $(cat "$T/c1.out")"
grep -q 'charged to bakery' "$T/c1.out" || fail "complaint: $(cat "$T/c1.out")"
m2=$(grep -l '^Message-ID: <bakery-6@bakery.example>' "$T"/sink/*.eml)
arf "$m2" strip | "${CTL[@]}" complaint >"$T/c2.out" 2>&1 || fail "complaint by Feedback-ID: $(cat "$T/c2.out")"
grep -q 'charged to bakery' "$T/c2.out" || fail "complaint by Feedback-ID: $(cat "$T/c2.out")"
echo "hello, not a report" | "${CTL[@]}" complaint >"$T/c3.out" 2>&1 && fail "garbage charged: $(cat "$T/c3.out")"
grep -q 'not-a-report' "$T/c3.out" || fail "garbage: $(cat "$T/c3.out")"
printf 'Message-ID: <never@else.example>\n\nhi\n' >"$T/stranger.eml"
arf "$T/stranger.eml" | "${CTL[@]}" complaint >"$T/c4.out" 2>&1 && fail "a stranger's mail charged: $(cat "$T/c4.out")"
grep -q 'unmatched' "$T/c4.out" || fail "unknown original: $(cat "$T/c4.out")"
# One dropped in the folder, as an MTA would.
arf "$m" >"$T/spool/complaints/.report-1" && mv "$T/spool/complaints/.report-1" "$T/spool/complaints/report-1"
"${CTL[@]}" show bakery >"$T/bakery.show"
i=0; until "${CTL[@]}" show bakery | grep -q 'complaints: *3 ever'; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "bakery's complaints: $("${CTL[@]}" show bakery | grep complaints)"; sleep 0.1; done
"${CTL[@]}" show shop | grep -q 'complaints: *0 ever' || fail "shop charged a complaint"
# Three complaints about 41 messages in 7 days: far over complaint-flag.
"${CTL[@]}" show bakery | grep -q '^  flagged: *YES since .*: complaints: 3 about the 41' ||
    fail "bakery not flagged for its complaints: $("${CTL[@]}" show bakery | grep -i 'flag')"

# Bad input in feedback/: charged to no one, counted by kind.
q=$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    if j.get("verdict") == "deliver" and j.get("account") == "bakery":
        print(j["qid"]); break' "$T/verdicts.jsonl")
[ -n "$q" ] || fail "no delivered queue id in the verdict log"
{
    printf '0123456789abcdef01234567\t<buyer1@list.example>\t550\t5.1.1\tno such user\n'
    printf '%s\t<buyer1@list.example>\t777\t9.9.9\tout of range\n' "$q"
    printf '%s\t<nobody@else.example>\t550\t5.1.1\tnot its recipient\n' "$q"
    printf 'garbage without tabs\n\x00\x01\x02\n'
} >"$T/spool/feedback/.bad-1"
head -c 2000000 /dev/urandom >"$T/spool/feedback/.huge"
ln -s /etc/passwd "$T/spool/feedback/.link"
# Each put in place at once, as writers must (outcomes.h).
for f in bad-1 huge link; do mv "$T/spool/feedback/.$f" "$T/spool/feedback/$f"; done
i=0; until [ -z "$(ls "$T/spool/feedback")" ]; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "feedback/ not read: $(ls "$T/spool/feedback")"; sleep 0.1; done
sleep 0.5
grep -q '^farm_feedback_lines_total{result="unknown-qid"} [1-9]' "$T/farm.prom" || fail "metrics: unknown-qid: $(grep feedback_lines "$T/farm.prom")"
grep -q '^farm_feedback_lines_total{result="malformed-code"} 1$' "$T/farm.prom" || fail "metrics: malformed"
grep -q '^farm_feedback_lines_total{result="unknown-recipient"} 1$' "$T/farm.prom" || fail "metrics: unknown recipient"
grep -q '^farm_feedback_lines_total{result="bad-file"} 2$' "$T/farm.prom" || fail "metrics: bad files: $(grep feedback_lines "$T/farm.prom")"
grep -q '^farm_complaints_total{result="charged"} 3$' "$T/farm.prom" || fail "metrics: complaints: $(grep complaints_total "$T/farm.prom")"
grep -q '^farm_feedback_flags_total 2$' "$T/farm.prom" || fail "metrics: flags (shop's refusals, bakery's complaints)"
"${CTL[@]}" show bakery | grep -q 'feedback: *39 delivered, 1 invalid' || fail "bakery charged for the bad input"
kill -0 "$BROKER" || fail "the broker died"
no_sanitizer_reports
echo "ok: feedback: shop (30% refused) flagged after its refusals, its next message held; bakery (1 of 40) not; Feedback-ID signed; 3 complaints charged to bakery (Message-ID, Feedback-ID, folder), garbage and strangers refused; bad feedback counted, charged to no one"
