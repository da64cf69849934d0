#!/usr/bin/env bash
# submit.sh: farm-submit queues atomically and speaks sysexits to the MTA;
# it writes only into a spool a broker has set up, and never makes one (a
# mistyped --spool is 75: the MTA keeps the message).
. "$(dirname "$0")/../lib/farm.sh"
msg=$'From: a@x.example\nTo: b@y.example\nSubject: s\n\nbody\n'
printf '%s' "$msg" | "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example b@y.example 2>"$T/err"
[ $? -eq 75 ] || fail "a spool no broker set up was not refused with 75"
[ -e "$T/spool" ] && fail "farm-submit made a spool of its own"
grep -q "check --spool" "$T/err" || fail "no word of what to check: $(cat "$T/err")"
# A broker sets the spool up (and is stopped, so that nothing is claimed).
start_broker
stop_farm
msg=$'From: a@x.example\nTo: b@y.example\nSubject: s\n\nbody\n'
qid=$(printf '%s' "$msg" | "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example -a acct \
      --client-ip 192.0.2.1 --received-at 1700000000 b@y.example c@z.example) || fail "submit failed"
[ -f "$T/spool/incoming/$qid" ] || fail "no incoming/$qid"
grep -q '^account: acct$' "$T/spool/incoming/$qid" || fail "account missing"
[ "$(grep -c '^rcpt-to:' "$T/spool/incoming/$qid")" -eq 2 ] || fail "recipients missing"
grep -q '^received-at: 1700000000$' "$T/spool/incoming/$qid" || fail "received-at missing"
tail -c ${#msg} "$T/spool/incoming/$qid" | cmp -s - <(printf '%s' "$msg") || fail "body changed"
[ -z "$(ls "$T/spool/tmp")" ] || fail "temporary file left behind"
# The null sender.
printf '%s' "$msg" | "$FARM_BIN/farm-submit" --spool "$T/spool" -f '' b@y.example >/dev/null || fail "null sender refused"
expect() {
    local want=$1; shift
    printf '%s' "$msg" | "$@" >/dev/null 2>"$T/err"
    local got=$?
    [ $got -eq "$want" ] || fail "exit $got, expected $want: $* ($(cat "$T/err"))"
    [ "$want" -eq 0 ] || [ -s "$T/err" ] || fail "no message on stderr for exit $want"
}
expect 64 "$FARM_BIN/farm-submit" --spool "$T/spool" b@y.example              # no -f
expect 64 "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example           # no recipients
expect 64 "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example --bogus b@y.example
expect 65 "$FARM_BIN/farm-submit" --spool "$T/spool" -f $'a@x\r\nrcpt-to: evil' b@y.example
expect 65 "$FARM_BIN/farm-submit" --spool "$T/spool" -f $'a@x.example\tb' b@y.example   # a tab in the sender
expect 65 "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example 'not an address'
expect 65 "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example '@y.example'
expect 65 "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example 'b@'
printf '%s' "$msg" | "$FARM_BIN/farm-submit" --spool "$T/spool" -f '<>' '<Postmaster>' >/dev/null || fail "null sender to postmaster refused"
head -c 5000 /dev/zero | "$FARM_BIN/farm-submit" --spool "$T/spool" --max-size 1024 -f a@x.example b@y.example 2>/dev/null
[ $? -eq 65 ] || fail "oversize message not refused with 65"
# After --, every argument is a recipient: a recipient cannot choose the
# account or the sender (before: "-- -a victim" wrote account: victim).
expect 65 "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example -a alice -- -a victim b@y.example
q=$(printf '%s' "$msg" | "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example -a alice -- -fvictim@y.example -a@y.example) ||
    fail "recipients after -- refused"
grep -q '^account: alice$' "$T/spool/incoming/$q" && grep -q '^mail-from: <a@x.example>$' "$T/spool/incoming/$q" &&
    grep -q '^rcpt-to: <-fvictim@y.example>$' "$T/spool/incoming/$q" || fail "after --: $(head -6 "$T/spool/incoming/$q")"
touch "$T/notadir"
expect 75 "$FARM_BIN/farm-submit" --spool "$T/notadir/spool" -f a@x.example b@y.example
[ "$(ls "$T/spool/incoming" | wc -l)" -eq 4 ] || fail "refused messages reached the spool"
echo "ok: submit queues and exits 64/65/75 as sysexits says; after -- only recipients"
