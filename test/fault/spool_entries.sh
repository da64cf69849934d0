#!/usr/bin/env bash
# spool_entries.sh: what else than a message an MTA user can put in
# incoming/: a directory, a symbolic link to itself and one to a message
# elsewhere, a FIFO, a socket, a name of 250 characters, a name with a
# newline that would forge a log line. Before, a directory or a looping link
# wedged the broker at 100% CPU (2.5 million "will retry" lines in 10 s,
# farm-ctl unanswered, SIGTERM ignored), a FIFO blocked it for ever, both
# again after a restart, and the long name stayed in incoming/. Now each goes
# to corrupt/ with what it is, the mail beside it is delivered, the log
# stays short, farm-ctl answers, SIGTERM stops the broker; twice, over a
# restart.
. "$(dirname "$0")/../lib/farm.sh"
N=200
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
plant() {   # plant ROUND: the hostile entries, under queue ids of round ROUND
    local in="$T/spool/incoming" r=$1
    mkdir "$in/0000000000000${r}aaaaaaaaaa"
    ln -s "0000000000000${r}bbbbbbbbbb" "$in/0000000000000${r}bbbbbbbbbb"
    ln -s "$T/orig/$(ls "$T/orig" | head -1)" "$in/0000000000000${r}cccccccccc"
    mkfifo "$in/0000000000000${r}dddddddddd"
    python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$in/0000000000000${r}eeeeeeeeee"
    touch "$in/round$r-$(printf 'x%.0s' $(seq 240))"
    touch "$in/round$r"$'\n'"2026-01-01T00:00:00.000+0000 farm-broker[1]: error: FORGED"
}
plant 1
start_broker
start_worker
wait_final $((N + 7)) 60
check_round() {   # check_round ROUND
    local r=$1 kind
    kill -0 "$BROKER" 2>/dev/null || fail "the broker died in round $r"
    for kind in "a directory" "a symbolic link" "a FIFO" "a socket"; do
        grep -q "moved to corrupt/: not a regular file: $kind" "$T/broker.log" || fail "round $r: no '$kind' in corrupt/"
    done
    [ "$(ls "$T/spool/incoming" | wc -l)" -eq 0 ] || fail "round $r: left in incoming/: $(ls "$T/spool/incoming" | head -3)"
    [ "$(ls "$T/spool/active" | wc -l)" -eq 0 ] || fail "round $r: left in active/: $(ls "$T/spool/active" | head -3)"
    timeout 5 "$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" --timeout-ms 3000 queues >/dev/null ||
        fail "round $r: farm-ctl not answered"
    grep -q "^2026-01-01T00:00:00.000+0000 farm-broker\[1\]: error: FORGED" "$T/broker.log" && fail "a file name forged a log line"
    local lines; lines=$(wc -l <"$T/broker.log")
    [ "$lines" -lt $((r * (N + 100))) ] || fail "round $r: $lines log lines (one a message and a few more expected)"
}
check_round 1
# The planted entries aside (they were never mail), the invariant holds.
mkdir -p "$T/keep"; mv "$T"/spool/corrupt/* "$T/keep/"
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "spool invariant"; }
# SIGTERM is heard, and round 2 is the same after a restart.
kill "$BROKER"
i=0; while kill -0 "$BROKER" 2>/dev/null; do i=$((i+1)); [ $i -gt 50 ] && fail "SIGTERM not heard in 5 s"; sleep 0.1; done
wait "$BROKER" 2>/dev/null
BROKER=0
plant 2
start_broker
wait_final $((N + 7)) 30
check_round 2
stop_farm
no_sanitizer_reports
echo "ok: a directory, 2 symbolic links, a FIFO, a socket, a long name and a newline in a name, twice over a restart: each in corrupt/ with what it is, $N messages delivered, farm-ctl answered, SIGTERM heard, $(wc -l <"$T/broker.log") log lines"
