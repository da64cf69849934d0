#!/usr/bin/env bash
# endpoint_in_use.sh: a second broker started on another spool with the
# same endpoints refuses to start (exit 1, naming the process that holds
# them) instead of taking them over; the first broker stays reachable for
# farm-ctl and for new workers. (Before: the second bound both, and after
# it exited the first was unreachable: farm-ctl 69, no new workers.) A
# socket file left by a broker killed outright is still taken over.
. "$(dirname "$0")/../lib/farm.sh"
start_broker
i=0; until "$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" stats >/dev/null 2>&1; do
    i=$((i+1)); [ $i -gt 100 ] && fail "no control socket"; sleep 0.1
done
out=$(timeout 20 "$FARM_BIN/farm-broker" --spool "$T/spool2" --endpoint "$EP" \
      --control "ipc://$T/control.sock" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "second broker: exit $rc, expected 1: $out"
grep -q "in use by process $BROKER" <<<"$out" || fail "the holder was not named: $out"
"$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" stats >/dev/null || fail "the first broker's control socket was lost"
# Only the wire endpoint shared, the control socket not: refused as well.
out=$(timeout 20 "$FARM_BIN/farm-broker" --spool "$T/spool3" --endpoint "$EP" \
      --control "ipc://$T/control3.sock" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "wire/endpoint $EP is in use by process $BROKER" <<<"$out" || fail "shared endpoint: $rc $out"
start_worker
printf 'From: a@x.example\nTo: b@y.example\nSubject: s\n\nbody\n' |
    "$FARM_BIN/farm-submit" --spool "$T/spool" -f a@x.example b@y.example >/dev/null || fail "submit"
wait_final 1 20
# Killed outright: its socket files stay, and a new broker takes them over.
kill -9 "$BROKER"; wait "$BROKER" 2>/dev/null
[ -S "$T/broker.sock" ] || fail "no socket file left to take over (test needs one)"
start_broker
i=0; until "$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" stats >/dev/null 2>&1; do
    i=$((i+1)); [ $i -gt 100 ] && fail "a restarted broker could not take over the stale sockets: $(tail -2 "$T/broker.log")"; sleep 0.1
done
stop_farm
no_sanitizer_reports
echo "ok: a second broker refused the endpoints in use (holder named), the first kept them; stale sockets taken over"
