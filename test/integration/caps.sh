#!/usr/bin/env bash
# caps.sh: the caps on an account's and a domain's mail (models/compromise.cfg
# [limits], farm-ctl limits). Before, limits counted messages only, a minute
# and an hour: two messages of 400 recipients each passed a cap of 2 a
# minute, and nothing capped a day or one message's recipients. Now:
# recipients a minute (the second 400 waits for the next minute), messages a
# day (the 4th of 3 waits until the first leaves the 24 hours), recipients
# of one message (rejected and bounced, 5.5.3), a domain's caps on the sum
# of its accounts, released mail not counted again, show and bad settings.
. "$(dirname "$0")/../lib/farm.sh"
export WATCH=true NOTIFY=sender
# Cold-start lists to strangers are what compromise detection looks at
# (issue 17); here only the caps are tried, so it is turned down.
mkdir -p "$T/models"
printf 'compromise\n    weight-rate = 0\n    weight-new = 0\n' >"$T/models/compromise.cfg"
start_broker --models "$T/models"
start_worker --models "$T/models"
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 120000"
wait_control
day=$((1767225600 + 5 * 86400))
send() {   # send ACCOUNT FROM-DOMAIN RECEIVED-AT NRCPT [TAG]
    local rc=() k
    for ((k = 1; k <= $4; k++)); do rc+=("p$k.${5:-x}@list$((k % 7)).example"); done
    printf 'From: %s <%s@%s>\nTo: undisclosed-recipients:;\nSubject: our %s news\n\nThe news of the week, with thanks.\n' \
        "$1" "$1" "$2" "${5:-x}" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -a "$1" -f "$1@$2" --received-at "$3" "${rc[@]}" >/dev/null ||
        fail "submit $1 $4"
}
reason_of() {   # reason_of ACCOUNT RECEIVED-AT VERDICT
    grep "\"verdict\":\"$3\".*\"account\":\"$1\".*\"received_at\":$2" "$T/verdicts.jsonl" | head -1
}
# Bad settings are refused, by name; nothing changes.
$CTL limits news recipients-a-minute=5 >"$T/bad.out" 2>&1 && fail "an unknown cap accepted"
grep -q "recipients-per-minute" "$T/bad.out" || fail "the refusal does not name the caps: $(cat "$T/bad.out")"
$CTL limits news messages-per-hour=-1 >/dev/null 2>&1 && fail "a negative cap accepted"
$CTL limits news messages-per-hour=12x >/dev/null 2>&1 && fail "12x accepted"
$CTL limits news >/dev/null 2>&1; [ $? = 64 ] || fail "limits without a setting is not a usage error"
# Recipients a minute: 400 + 400 > 500: the second waits for the next minute.
$CTL limits news recipients-per-minute=500 | grep -q "recipients-per-minute=500" || fail "limits news"
t1=$((day + 9 * 3600 + 10))
send news news.example $t1 400 a
send news news.example $t1 400 b
wait_verdicts news $t1 3
[ "$(verdict_of news $t1 | sort | tr '\n' ' ')" = "defer deliver deliver " ] ||
    fail "400 + 400 recipients against 500 a minute: $(verdict_of news $t1 | tr '\n' ' ')"
reason_of news $t1 defer | grep -q "rate-limit: 400 recipients this minute and 400 in this message, limit 500 a minute (its own); retry at $((t1 - 10 + 60))" ||
    fail "the deferral's reason: $(reason_of news $t1 defer)"
$CTL show news | grep -Eq "recipients-per-minute +[0-9]+ / 500 \(own\)" || fail "show news: $($CTL show news | grep -A8 limits:)"
$CTL show news | grep -Eq "messages-per-day +2 / 20000 \(default\)" || fail "show news, the default: $($CTL show news | grep messages-per-day)"
# Messages a day: 3 in the last 24 hours; the 4th waits until the first has left.
$CTL limits daily messages-per-day=3 >/dev/null || fail "limits daily"
for h in 1 2 3 4; do send daily daily.example $((day + h * 3600)) 1 "d$h"; done
for h in 1 2 3; do wait_verdicts daily $((day + h * 3600)) 1; done
wait_verdicts daily $((day + 4 * 3600)) 2
[ "$(verdict_of daily $((day + 4 * 3600)) | tr '\n' ' ')" = "defer deliver " ] ||
    fail "the 4th of 3 a day: $(verdict_of daily $((day + 4 * 3600)) | tr '\n' ' ')"
reason_of daily $((day + 4 * 3600)) defer | grep -q "3 messages in the last 24 hours, limit 3 a day (its own); retry at $((day + 25 * 3600))" ||
    fail "the day's deferral: $(reason_of daily $((day + 4 * 3600)) defer)"
# Recipients of one message: 150 > 100: rejected for good, bounced (5.5.3).
$CTL limits shop recipients-per-message=100 >/dev/null || fail "limits shop"
t2=$((day + 10 * 3600))
send shop shop.example $t2 100 ok
send shop shop.example $t2 150 big
wait_verdicts shop $t2 2
[ "$(verdict_of shop $t2 | sort | tr '\n' ' ')" = "deliver reject " ] || fail "100 and 150 against 100 a message: $(verdict_of shop $t2 | tr '\n' ' ')"
reason_of shop $t2 reject | grep -q "too-many-recipients: 150, limit 100 a message (its own)" || fail "the reject's reason: $(reason_of shop $t2 reject)"
i=0; until grep -l '^mail-from: <>$' "$T"/spool/outgoing/* 2>/dev/null | xargs -r grep -l 'Status: 5.5.3' | grep -q .; do
    i=$((i+1)); [ $i -gt 100 ] && fail "no 5.5.3 bounce to shop@shop.example"; sleep 0.1
done
grep -l 'Status: 5.5.3' "$T"/spool/outgoing/* | xargs grep -l '^rcpt-to: <shop@shop.example>$' >/dev/null ||
    fail "the bounce is not to the sender"
# A domain's caps bind the sum of its accounts: 6 + 6 recipients > 10 an hour.
$CTL limits @corp.example recipients-per-hour=10 >/dev/null || fail "limits @corp.example"
t3=$((day + 11 * 3600 + 60))
send ann corp.example $t3 6 c1
wait_verdicts ann $t3 1
send bob corp.example $t3 6 c2
wait_verdicts bob $t3 1
[ "$(verdict_of ann $t3)-$(verdict_of bob $t3 | head -1)" = "deliver-defer" ] ||
    fail "two accounts of @corp.example against its 10 an hour: ann $(verdict_of ann $t3), bob $(verdict_of bob $t3)"
reason_of bob $t3 defer | grep -q "6 recipients in the last hour and 6 in this message, limit 10 an hour (its own) for @corp.example" ||
    fail "the domain's deferral: $(reason_of bob $t3 defer)"
# Released mail is not counted again: 3 held in one minute, then a cap of 1
# a minute, then released: all 3 delivered, none deferred.
send held held.example $((day + 12 * 3600)) 1 h0
wait_verdicts held $((day + 12 * 3600)) 1
$CTL flag held "testing" >/dev/null || fail "flag held"
t4=$((day + 12 * 3600 + 120))
for k in 1 2 3; do send held held.example $t4 1 "h$k"; done
wait_verdicts held $t4 3
[ "$(verdict_of held $t4 | sort -u)" = hold ] || fail "a flagged account's mail: $(verdict_of held $t4 | tr '\n' ' ')"
$CTL limits held messages-per-minute=1 >/dev/null || fail "limits held"
$CTL release held | grep -q "3 held message" || fail "release held"
wait_verdicts held $t4 6
[ "$(verdict_of held $t4 | sort | uniq -c | awk '{print $2 $1}' | tr '\n' ' ')" = "deliver3 hold3 " ] ||
    fail "released mail counted against the cap: $(verdict_of held $t4 | tr '\n' ' ')"
stop_farm
no_sanitizer_reports
echo "ok: 400+400 recipients against 500 a minute: one waits; 4th of 3 a day waits a day; 150 > 100 a message rejected and bounced 5.5.3; @domain caps the sum of its accounts; released not counted; bad settings refused"
