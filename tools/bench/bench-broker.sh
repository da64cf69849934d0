#!/usr/bin/env bash
# bench-broker.sh [N] [WORKERS]: N messages (default 10000) written straight
# into a fresh spool, then a real broker and WORKERS workers (default 2) drain
# it. Prints the wall time, messages/s, and the broker's CPU (user + system)
# per message, from the kernel's accounting of the broker process.
# The spool has seven senders: the sender state is off (WATCH=true to time it).
#   BENCH_DIR=D    the spool under D (another filesystem, say) instead of /tmp
#   BROKER_ARGS=.. more broker flags (--sync files, --commit-batch 768, ...)
#   DRAIN=1        outputs removed as they come, as farm-relay does, so that
#                  outgoing/ stays small
#   PERF=1         perf record -g of the broker; prints its time by system call
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
W=${2:-2}
B=build/bin
T=$(mktemp -d "${BENCH_DIR:-/tmp}/farm-bench-broker.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$T"' EXIT
python3 test/lib/spoolgen.py "$T/spool" "$N" "$T/orig"
sync    # the new spool on disk before the clock starts
"$B/farm-broker" --spool "$T/spool" --endpoint "ipc://$T/b.sock" --log-level warning \
    --watch="${WATCH:-false}" ${BROKER_ARGS:-} --control "ipc://$T/c.sock" \
    --verdict-log "$T/v.jsonl" 2>"$T/broker.log" &
broker=$!
if [ -n "${PERF:-}" ]; then
    perf record -q -g -o "$T/perf.data" -p "$broker" 2>/dev/null &
    perf=$!
fi
if [ -n "${DRAIN:-}" ]; then
    (while true; do find "$T/spool/outgoing" -type f -delete 2>/dev/null; sleep 0.05; done) &
fi
for i in $(seq 1 "$W"); do
    "$B/farm-worker" --endpoint "ipc://$T/b.sock" --log-level error 2>>"$T/workers.log" &
done
start=$(date +%s.%N)
# Finished messages: one line each in the verdict log, once durable.
while [ "$( (wc -l <"$T/v.jsonl") 2>/dev/null || echo 0)" -lt "$N" ]; do sleep 0.05; done
end=$(date +%s.%N)
# utime + stime of the broker, in clock ticks, before it exits
read -r ut st < <(awk '{print $14, $15}' "/proc/$broker/stat")
hz=$(getconf CLK_TCK)
awk -v n="$N" -v s="$start" -v e="$end" -v ut="$ut" -v st="$st" -v hz="$hz" -v w="$W" 'BEGIN {
    t = e - s; cpu = (ut + st) / hz
    printf "bench-broker: %d messages, %d worker(s): %.2f s, %.0f messages/s\n", n, w, t, n / t
    printf "  broker CPU %.2f s (user %.2f, system %.2f): %.0f us per message\n", cpu, ut / hz, st / hz, cpu * 1e6 / n
}'
if [ -n "${PERF:-}" ]; then
    kill -INT "$perf"; wait "$perf" 2>/dev/null || true
    echo "  the broker's time by system call (perf, children included):"
    perf report -i "$T/perf.data" --children --sort sym -g none 2>/dev/null |
        grep '__x64_sys_' | head -8 | awk '{ printf "    %-28s %s\n", $NF, $1 }'
fi
