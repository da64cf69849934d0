#!/usr/bin/env bash
# startup_errors.sh: a broker, a worker or a relay that cannot start says
# why in one line and exits 1: no assertion, no abort, no core (before: the
# line, then czmq's "Assertion failed ... signaler.cpp", exit 134). Cases: an
# endpoint that does not parse, tcp:// without CURVE, an ipc:// socket in a
# folder that does not exist, a verdict log that cannot be written.
. "$(dirname "$0")/../lib/farm.sh"
expect_start_error() {   # expect_start_error WHAT PATTERN COMMAND...
    local what=$1 pattern=$2; shift 2
    timeout 20 "$@" >"$T/out" 2>&1
    local rc=$?
    [ $rc -eq 1 ] || fail "$what: exit $rc, expected 1: $(tail -3 "$T/out")"
    grep -q "$pattern" "$T/out" || fail "$what: no clear reason: $(tail -3 "$T/out")"
    grep -q -i "assert\|abort\|dangling" "$T/out" && fail "$what: $(grep -i 'assert\|abort\|dangling' "$T/out" | head -2)"
    n=$((n + 1))
}
n=0
B="$FARM_BIN/farm-broker --spool $T/spool --control ipc://$T/control.sock"
expect_start_error "bad endpoint" "bogus://x" $B --endpoint bogus://x
expect_start_error "tcp without CURVE" "tcp needs CURVE" $B --endpoint tcp://127.0.0.1:5999
expect_start_error "ipc in a missing folder" "$T/missing/b.sock" $B --endpoint "ipc://$T/missing/b.sock"
expect_start_error "verdict log" "$T/none/v.jsonl" $B --endpoint "ipc://$T/b.sock" --verdict-log "$T/none/v.jsonl"
W="$FARM_BIN/farm-worker"
expect_start_error "worker, tcp without CURVE" "tcp needs CURVE" $W --endpoint tcp://127.0.0.1:5999
expect_start_error "worker, bad endpoint" "bogus://x" $W --endpoint bogus://x
no_sanitizer_reports
echo "ok: $n start-up errors: one clear line each, exit 1, no abort"
