#!/usr/bin/env bash
# ctl_accounts.sh: what an operator does to accounts and domains after a
# hijack. A drop forgets the dropped burst, so the account's next ordinary
# mail is not held again (before: held, "307 in the hour"). unflag clears a
# flag and leaves held mail where it is. One held message is released or
# dropped by its queue id. @DOMAIN flags and limits bind every account that
# sends as the domain (before: accepted, listed, and without effect). Flags
# of accounts that never sent mail are refused as typos.
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/test/lib/hijack-sample.py" "$T/sample" >/dev/null
"$FARM_BIN/farm-replay" "$T/sample" --out "$T/spool" --json "$T/replay.json" --workers 2 \
    >"$T/replay.log" 2>&1 || fail "replay: $(tail -3 "$T/replay.log")"
export WATCH=true
start_broker
start_worker
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 120000"
wait_control
burst=$((1767225600 + 3 * 86400 + 10 * 3600))
submit() {   # submit ACCOUNT RECEIVED-AT [RCPT]: an ordinary note from ACCOUNT@ACCOUNT.example
    printf 'From: %s <%s@%s.example>\nTo: %s\nSubject: a note\n\nHello, about our plans.\n' "$1" "$1" "$1" "${3:-friend1@$1-contacts.example}" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -a "$1" -f "$1@$1.example" --received-at "$2" \
        "${3:-friend1@$1-contacts.example}" >/dev/null || fail "submit"
}
# A typo is refused.
$CTL flag nobody-at-all >/dev/null 2>&1 && fail "flag of an account that never sent mail accepted"
# drop: the burst forgotten; the next two ordinary notes are delivered.
$CTL drop quiet | grep -q "burst forgotten" || fail "drop quiet"
t1=$((burst + 1800)); t2=$((burst + 1900))
submit quiet $t1; submit quiet $t2
wait_verdicts quiet $t1 1; wait_verdicts quiet $t2 1
[ "$(verdict_of quiet $t1)$(verdict_of quiet $t2)" = "deliverdeliver" ] ||
    fail "after the drop, ordinary mail of quiet: $(verdict_of quiet $t1) $(verdict_of quiet $t2)"
$CTL list | grep -q '^quiet' && fail "quiet flagged again after the drop"
# The flag's reason whole in list and show (before: cut at 96 bytes): the
# reason of the message that flagged it, as its held copy has it.
why=$($CTL list | grep '^victim' | cut -f3-)
[ ${#why} -gt 200 ] || fail "the reason is cut in list: $why"
grep -qxF "reason: $why" $(grep -l '^account: victim$' "$T"/spool/hold/*) ||
    fail "list's reason is no held message's: $why"
$CTL show victim | grep -qF "$why" || fail "show cuts the reason"
# One held message by its queue id: victim's, released alone; the flag stays.
q=$(grep -l '^account: victim$' "$T"/spool/hold/* | head -1); q=$(basename "$q")
$CTL release "$q" | grep -q "$q: released for delivery" || fail "release $q"
i=0; until [ -f "$T/spool/outgoing/$q" ]; do i=$((i+1)); [ $i -gt 200 ] && fail "$q not delivered"; sleep 0.1; done
$CTL list | grep -q '^victim' || fail "releasing one message cleared the flag"
q2=$(grep -l '^account: victim$' "$T"/spool/hold/* | head -1); q2=$(basename "$q2")
$CTL drop "$q2" | grep -q "$q2: dropped to reject/" || fail "drop $q2"
[ -f "$T/spool/reject/$q2" ] || fail "$q2 not in reject/"
# unflag: the flag goes, held mail stays.
held=$(grep -l '^account: victim$' "$T"/spool/hold/* | wc -l)
$CTL unflag victim | grep -q "flag cleared" || fail "unflag victim"
$CTL list | grep -q '^victim' && fail "victim still flagged"
[ "$(grep -l '^account: victim$' "$T"/spool/hold/* | wc -l)" -eq "$held" ] || fail "unflag moved held mail"
# @DOMAIN: a flag holds mail From: the domain, whatever the account.
$CTL flag @busy.example "testing the domain flag" >/dev/null || fail "flag @busy.example"
$CTL list | grep -q '^@busy.example' || fail "@busy.example not listed"
# An operator's flag is dated when it was made, not at the account's last message.
$CTL list | grep "^@busy.example" | grep -q "$(date -u +%Y-%m-%d)" || fail "the flag's time is not now: $($CTL list | grep '^@busy')"
$CTL show @busy.example | grep -q 'flagged: *YES' || fail "show @busy.example: not flagged"
t3=$((burst + 2000))
submit busy $t3
wait_verdicts busy $t3 1
[ "$(verdict_of busy $t3)" = hold ] || fail "mail From: a flagged domain: $(verdict_of busy $t3)"
grep -q '"account":"busy".*domain-flagged: @busy.example' "$T/verdicts.jsonl" || fail "no domain-flagged reason"
$CTL release @busy.example >/dev/null 2>&1 && fail "release of a domain accepted"
$CTL unflag @busy.example >/dev/null || fail "unflag @busy.example"
t4=$((burst + 2100))
submit busy $t4
wait_verdicts busy $t4 1
[ "$(verdict_of busy $t4)" = deliver ] || fail "after unflag @busy.example: $(verdict_of busy $t4)"
# @DOMAIN limits: 1 a minute for the domain; 3 in one minute: one goes, two wait.
$CTL limits @busy.example messages-per-minute=1 >/dev/null || fail "limits @busy.example"
t5=$((burst + 2400))
for k in 1 2 3; do submit busy $t5 "friend$k@busy-contacts.example"; done
wait_verdicts busy $t5 3
[ "$(verdict_of busy $t5 | grep -c deliver)" -ge 1 ] || fail "nothing delivered under the domain's limit"
grep -q '"verdict":"defer".*rate-limit: [^"]* for @busy.example' "$T/verdicts.jsonl" || fail "the domain's limit deferred nothing"
# Bounces (the null sender) are neither counted nor limited: 3 in a minute
# under the account's own limit of 1 a minute all go.
$CTL limits busy messages-per-minute=1 >/dev/null || fail "limits busy"
t6=$((burst + 3000))
for k in 1 2 3; do
    printf 'From: MAILER-DAEMON@busy.example\nTo: x%s@far.example\nSubject: returned mail\n\nreturned\n' $k |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -a busy -f '' --received-at $t6 "x$k@far.example" >/dev/null || fail "submit bounce"
done
i=0; until [ "$(grep -c "\"account\":\"busy\".*\"received_at\":$t6" "$T/verdicts.jsonl")" -ge 3 ]; do
    i=$((i+1)); [ $i -gt 200 ] && fail "bounces: no verdicts"; sleep 0.1
done
[ "$(grep "\"account\":\"busy\".*\"received_at\":$t6" "$T/verdicts.jsonl" | grep -c '"verdict":"defer"')" -eq 0 ] ||
    fail "a bounce was rate-limited"
# A NUL inside an argument is refused, not cut ("quiet\0x" acting on quiet).
"$FARM_BIN/../test/rogue" "ipc://$T/control.sock" nul flag quiet | grep -q "^error: a request with a NUL" ||
    fail "a NUL inside a control argument was not refused"
$CTL list | grep -q '^quiet' && fail "quiet flagged through \"quiet\\0x\""
stop_farm
no_sanitizer_reports
echo "ok: drop forgets the burst; release/drop of one queue id; unflag; @domain flag holds and unflag frees; @domain limits defer; bounces not limited; typos refused"
