#!/usr/bin/env bash
# retention.sh: what stays in hold/ and reject/, and for how long. Before,
# purge had no dry run and no age, and nothing ever left hold/ or reject/
# unless an operator purged it by hand. Now: purge and requeue take dry-run
# (says what, touches nothing) and older-than=DAYS; the broker sweeps at
# start and hourly: hold/ older than hold/max-age-days goes to reject/ as
# hold-expired (default 0: kept), reject/ older than reject/max-age-days
# (default 30) is deleted, each logged.
. "$(dirname "$0")/../lib/farm.sh"
export WATCH=true
start_broker
start_worker --max-rcpt 1
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 120000"
wait_control
note() {   # note ACCOUNT RCPT...
    local a=$1; shift
    printf 'From: %s@%s.example\nTo: x@y.example\nSubject: a note\n\nthe notes\n' "$a" "$a" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -a "$a" -f "$a@$a.example" "$@" >/dev/null || fail "submit"
}
count() { ls "$T/spool/$1" | grep -c '^[0-9a-f]\{24\}$'; }
# Three rejects (two recipients, over --max-rcpt 1) and three held (flagged).
note carol x@y.example
wait_final 1 30
$CTL flag carol "testing retention" >/dev/null || fail "flag carol"
for k in 1 2 3; do note carol "x$k@y.example"; done
for k in 1 2 3; do note dave "a$k@y.example" "b$k@y.example"; done
wait_final 7 30
[ "$(count hold)" = 3 ] && [ "$(count reject)" = 3 ] || fail "hold $(count hold), reject $(count reject): not 3 and 3"
# dry-run: said, nothing touched.
$CTL purge reject all dry-run >"$T/dry.out" || fail "purge dry-run"
grep -q "dry run: 3 message(s) of reject/ would be purged" "$T/dry.out" || fail "dry run said: $(cat "$T/dry.out")"
[ "$(grep -c "dave" "$T/dry.out")" = 3 ] || fail "the dry run does not list the three"
[ "$(count reject)" = 3 ] || fail "a dry run purged"
$CTL requeue hold @carol dry-run | grep -q "dry run: 3 message(s) of hold/ would be requeued" || fail "requeue dry-run"
[ "$(count hold)" = 3 ] || fail "a dry run requeued"
# older-than: only what has been there longer.
$CTL purge reject all older-than=1 | grep -q "^0 message(s)" || fail "older-than=1 purged new mail"
old=$(ls "$T/spool/reject" | grep '^[0-9a-f]\{24\}$' | head -1)
touch -d '2 days ago' "$T/spool/reject/$old"
$CTL purge reject all older-than=1.5 | grep -q "^1 message(s) of reject/ purged" || fail "older-than=1.5"
[ ! -e "$T/spool/reject/$old" ] && [ "$(count reject)" = 2 ] || fail "the wrong one purged"
$CTL purge reject all older-than=soon >/dev/null 2>&1 && fail "older-than=soon accepted"
$CTL purge reject all now >/dev/null 2>&1 && fail "an unknown qualifier accepted"
# Retention: defaults keep hold/ (0) and reject/ for 30 days.
stop_farm
for f in "$T"/spool/hold/*; do touch -d '400 days ago' "$f"; done
r1=$(ls "$T/spool/reject" | grep '^[0-9a-f]\{24\}$' | head -1)
touch -d '31 days ago' "$T/spool/reject/$r1"
start_broker
i=0; until grep -q "expired: more than 30 day(s) in reject/" "$T/broker.log"; do
    i=$((i+1)); [ $i -gt 100 ] && fail "reject/ not swept at start"; sleep 0.1
done
[ ! -e "$T/spool/reject/$r1" ] && [ "$(count reject)" = 1 ] || fail "reject/ retention: $(count reject) left"
[ "$(count hold)" = 3 ] || fail "hold/ swept with hold/max-age-days 0"
# hold/max-age-days 7: the three held go to reject/ as hold-expired, not bounced.
stop_farm
start_broker --hold-max-age-days 7
i=0; until [ "$(count hold)" = 0 ]; do i=$((i+1)); [ $i -gt 100 ] && fail "hold/ not swept"; sleep 0.1; done
[ "$(count reject)" = 4 ] || fail "expired held mail not in reject/: $(count reject)"
[ "$(grep -l '^reason: hold-expired: held more than 7 day(s)' "$T"/spool/reject/* | wc -l)" = 3 ] ||
    fail "no hold-expired reason in reject/"
[ "$(grep -l '^mail-from: <>$' "$T"/spool/outgoing/* 2>/dev/null | wc -l)" = 0 ] || fail "expired held mail bounced"
stop_farm
no_sanitizer_reports
echo "ok: dry-run lists and touches nothing; older-than=DAYS; reject/ kept 30 days, hold/ until an operator acts by default; hold/max-age-days 7 moved 3 to reject/ as hold-expired, unbounced"
