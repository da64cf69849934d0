#!/usr/bin/env bash
# bench-hosts.sh [N]: the farm across hosts, measured. Network namespaces
# make a broker host and two worker hosts (test/lib/netns.sh; needs root);
# broker and workers talk tcp with CURVE. For 1, 2 and 4 worker processes,
# spread over the two worker hosts, N messages (default 10000) written
# straight into a fresh spool are drained; prints messages/s and the
# broker's CPU per message (user + system, from /proc), for tools/bench/README.md's
# capacity arithmetic. Scanning is transport only (no model, no keys), so
# the figures bound what one broker can serve; the sender state is off.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
B=$PWD/build/bin
T=$(mktemp -d /tmp/farm-bench-hosts.XXXXXX)
. test/lib/netns.sh
netns_usable || { echo "bench-hosts: needs root to make network namespaces" >&2; exit 1; }
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; netns_down || true; rm -rf "$T"' EXIT
netns_up 2
C="$T/curve"
for n in broker w; do "$B/farm-keygen" --curve $n --dir "$C" >/dev/null; done
mkdir -p "$C/allow" && cp "$C/w.cert" "$C/allow/"
hz=$(getconf CLK_TCK)
echo "bench-hosts: $N messages, broker host + 2 worker hosts (netns, veth), tcp + CURVE"
for W in 1 2 4; do
    rm -rf "$T/spool" "$T/orig"
    python3 test/lib/spoolgen.py "$T/spool" "$N" "$T/orig"
    on_broker "$B/farm-broker" --spool "$T/spool" --endpoint "tcp://$BROKER_IP:5555" \
        --curve-cert "$C/broker.cert" --curve-allow "$C/allow" --watch=false \
        --control "ipc://$T/c.sock" --log-level warning 2>"$T/broker.log" &
    broker=$!
    pids=()
    for i in $(seq 1 "$W"); do
        on_host $(( (i - 1) % 2 + 1 )) "$B/farm-worker" --endpoint "tcp://$BROKER_IP:5555" \
            --curve-cert "$C/w.cert" --curve-server-key "$C/broker.cert" --log-level error 2>>"$T/workers.log" &
        pids+=($!)
    done
    start=$(date +%s.%N)
    while [ "$(ls "$T/spool/outgoing" 2>/dev/null | wc -l)" -lt "$N" ]; do sleep 0.05; done
    end=$(date +%s.%N)
    read -r ut st < <(awk '{print $14, $15}' "/proc/$broker/stat")
    kill "$broker" "${pids[@]}"; wait "$broker" "${pids[@]}" 2>/dev/null || true
    awk -v n="$N" -v s="$start" -v e="$end" -v ut="$ut" -v st="$st" -v hz="$hz" -v w="$W" 'BEGIN {
        t = e - s; cpu = (ut + st) / hz
        printf "  %d worker process(es): %6.0f messages/s (%.2f s); broker CPU %3.0f us a message (user %.0f, system %.0f)\n",
               w, n / t, t, cpu * 1e6 / n, ut / hz * 1e6 / n, st / hz * 1e6 / n
    }'
done
