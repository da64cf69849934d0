#!/usr/bin/env bash
# state_damaged.sh: the sender state file cut short, cut to nothing, deleted.
# Before: cut to half, the broker died of SIGBUS in mdb_get at every start
# (a crash loop, the mail stuck); cut to 0 or deleted, the operator's flags
# vanished without a word and the flagged account's mail was delivered.
# Now: a cut file is never read; by default it is moved aside, said loudly,
# and begun anew (state/damaged = refuse: the broker says why and exits 1);
# in every case the flags come back from senders.mdb.flags and the flagged
# account's next message is held.
. "$(dirname "$0")/../lib/farm.sh"
export WATCH=true
CTL="$FARM_BIN/farm-ctl --control ipc://$T/control.sock --timeout-ms 60000"
S="$T/spool/senders.mdb"
note() {   # note ACCOUNT TAG: one ordinary note
    printf 'From: %s@%s.example\nTo: x@y.example\nSubject: %s\n\nthe notes\n' "$1" "$1" "$2" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -a "$1" -f "$1@$1.example" "x-$2@y.example" >/dev/null || fail "submit"
}
up() {   # up [broker options]: a broker and a worker, the control socket answering
    start_broker "$@"
    start_worker
    local i=0
    until $CTL stats >/dev/null 2>&1; do
        i=$((i+1)); [ $i -gt 100 ] && fail "no control socket: $(tail -2 "$T/broker.log")"
        kill -0 "$BROKER" 2>/dev/null || fail "the broker died: $(tail -2 "$T/broker.log")"
        sleep 0.1
    done
}
held_of() { grep -l "^account: $1$" "$T"/spool/hold/* 2>/dev/null | xargs -r grep -l "^subject\|Subject: $2" 2>/dev/null | wc -l; }
up
# Many accounts, so that the file has pages to cut; carol and @dom.example flagged.
for k in $(seq 1 300); do note "a$k" first; done
note carol first; note dave first
wait_final 302 60
$CTL flag carol "phished, says the customer" >/dev/null || fail "flag carol"
printf 'From: eve@dom.example\nTo: x@y.example\nSubject: d\n\nx\n' |
    "$FARM_BIN/farm-submit" --spool "$T/spool" -a eve -f eve@dom.example x@y.example >/dev/null
wait_final 303 30
$CTL flag @dom.example "a spoofed domain" >/dev/null || fail "flag @dom.example"
grep -q "^a:carol	" "$S.flags" && grep -q "^d:dom.example	" "$S.flags" || fail "the flags file lacks the flags: $(cat "$S.flags")"
n=303
round() {   # round WHAT: after the state was damaged so, carol's mail is held
    n=$((n + 1))
    note carol "$1"
    wait_final $n 30
    [ "$(grep -l '^account: carol$' "$T"/spool/hold/* | xargs grep -l "Subject: $1" | wc -l)" = 1 ] ||
        fail "$1: carol's message not held: the flag was lost"
    $CTL list | grep -q '^carol' || fail "$1: carol not listed as flagged"
    $CTL list | grep -q '^@dom.example' || fail "$1: @dom.example not listed as flagged"
}
# 1. Cut to half.
stop_farm
size=$(stat -c %s "$S"); [ "$size" -ge 16384 ] || fail "the state file is only $size bytes"
truncate -s $((size / 2)) "$S"
up
grep -q "the file is cut short.*MOVED ASIDE to $S.damaged-" "$T/broker.log" || fail "the cut was not said: $(grep -i 'sender state' "$T/broker.log" | tail -2)"
grep -q "was flagged (phished, says the customer) and the state had lost it: flagged again" "$T/broker.log" || fail "carol's flag not put back"
ls "$S".damaged-* >/dev/null 2>&1 || fail "nothing moved aside"
round half
# 2. Cut within its meta pages.
stop_farm
truncate -s 5000 "$S"
up
round meta
# 3. Cut to nothing.
stop_farm
: >"$S"
up
round empty
# 4. Deleted.
stop_farm
rm -f "$S" "$S-lock"
up
round deleted
# 5. state/damaged = refuse: says why, exits 1, no core.
stop_farm
size=$(stat -c %s "$S"); truncate -s $((size / 2 + 100)) "$S"
"$FARM_BIN/farm-broker" --spool "$T/spool" --endpoint "$EP" --watch=true --state-damaged refuse \
    --control "ipc://$T/control.sock" >"$T/refuse.log" 2>&1
rc=$?
[ $rc = 1 ] || fail "state/damaged refuse: exit $rc, not 1: $(tail -2 "$T/refuse.log")"
grep -q "cut short.*not opened (state/damaged = refuse)" "$T/refuse.log" || fail "refusal not said: $(tail -2 "$T/refuse.log")"
no_sanitizer_reports
echo "ok: state cut to half, into its meta pages, to nothing, deleted: moved aside and said, flags of carol and @dom.example put back, her mail held; refuse: exit 1 with the reason"
