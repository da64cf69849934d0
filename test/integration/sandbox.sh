#!/usr/bin/env bash
# sandbox.sh: the worker, once started, runs under its seccomp filter
# (worker/sandbox.h): exec, fork and ptrace fail with EPERM, and it still
# does its work (scores, signs through its key process, reloads). Before,
# nothing stopped a parser bug from running a program or tracing the broker.
# Under AddressSanitizer the filter is not entered (said, and checked so).
. "$(dirname "$0")/../lib/farm.sh"
"$FARM_BIN/farm-keygen" shop.example s1 --keys "$T/keys" >/dev/null || fail "keygen"
echo "alice shop.example" >"$T/accounts"
start_broker
start_worker --keys "$T/keys" --accounts "$T/accounts" --sandbox-probe
W=${WORKERS[-1]}
for k in 1 2 3; do
    printf 'From: Alice <alice@shop.example>\nTo: bob@dest.example\nSubject: %s\n\nHello.\n' "$k" |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -f alice@shop.example -a alice bob@dest.example >/dev/null || fail "submit"
done
wait_final 3 30
[ "$(grep -l '^dkim: ' "$T"/spool/outgoing/* | wc -l)" = 3 ] || fail "not all 3 signed under the sandbox"
if grep -q "sandbox: not entered under AddressSanitizer" "$T/worker-0.log"; then
    how="not entered under AddressSanitizer, as designed"
else
    grep -q "sandbox: entered" "$T/worker-0.log" || fail "the sandbox was not entered: $(grep sandbox "$T/worker-0.log")"
    grep -q '^Seccomp:[[:space:]]*2' "/proc/$W/status" || fail "the worker is not under a seccomp filter"
    for call in execve fork ptrace; do
        grep -q "sandbox probe: $call Operation not permitted" "$T/worker-0.log" ||
            fail "$call was not refused: $(grep "probe: $call" "$T/worker-0.log")"
    done
    # SIGHUP rereads under the filter.
    kill -HUP "$W"; sleep 0.5
    kill -0 "$W" 2>/dev/null || fail "the worker died on SIGHUP under the sandbox"
    how="exec, fork and ptrace refused (EPERM)"
fi
stop_farm
no_sanitizer_reports
echo "ok: 3 of 3 signed under the sandbox; $how"
