#!/usr/bin/env bash
# bench-farm.sh [N] [WORKERS]: the whole farm, spool in to signed and
# fsync'd spool out. N messages (default 10000) made from the SpamAssassin
# corpus's ham (tools/corpus.sh), every one From: a domain with a key, so
# each is scored (the default model, tools/make-model.sh), checked for
# compromise (sender state on) and signed. Runs a real broker and WORKERS
# workers (default 2) over ipc://, once with an RSA-2048 key and once with
# Ed25519, and prints messages/s, p50 and p99 latency (claim to durable
# output), CPU per message of the broker and of the workers (with their key
# processes, where the private-key step runs: an IPC round trip a signature), their peak
# memory; and, measured in the same run, `openssl speed` for RSA-2048 and
# Ed25519 on one core, with the ratio of our rate to what signing alone
# allows on the cores used (one core per worker).
# SMOKE=1: test/sample instead of the corpus and no model (the test suite's
# run, so that this script cannot rot); FARM_BIN: which build.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-10000}
W=${2:-2}
B=${FARM_BIN:-$PWD/build/bin}
[ -x "$B/farm-broker" ] || { echo "bench-farm: build first (scons)" >&2; exit 1; }
CORPUS=corpus
MODELS=(--models models)
if [ -n "${SMOKE:-}" ]; then
    CORPUS=test/sample
    MODELS=()
else
    [ -d corpus/easy-ham-1 ] || tools/corpus.sh corpus >&2
    "$B/farm-train" --info --models models >/dev/null 2>&1 || tools/make-model.sh >&2
fi
T=$(mktemp -d /tmp/farm-bench-farm.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
hz=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
speed=$(openssl speed -seconds 2 rsa2048 ed25519 2>/dev/null)
ref_rsa=$(awk '/^rsa 2048 bits/ {print $(NF-1)}' <<<"$speed")
ref_ed=$(awk '/Ed25519\)/ {print $(NF-1)}' <<<"$speed")
echo "bench-farm: $N messages (from $CORPUS), $W worker(s), ipc://, fsync on, sender state on${SMOKE:+, no model (smoke run)}"
echo "  openssl speed, one core, key loaded once: rsa2048 $ref_rsa sign/s, ed25519 $ref_ed sign/s"
for alg in rsa ed25519; do
    rm -rf "$T/spool" "$T/keys" "$T/v.jsonl"
    if [ $alg = rsa ]; then
        "$B/farm-keygen" bench.example s1 --keys "$T/keys" >/dev/null; ref=$ref_rsa
    else
        "$B/farm-keygen" bench.example s1 --ed25519 --keys "$T/keys" >/dev/null; ref=$ref_ed
    fi
    echo "u0 bench.example" >"$T/accounts"
    python3 tools/bench/corpusgen.py "$CORPUS" "$T/spool" "$N" bench.example
    sync    # the new spool on disk before the clock starts
    "$B/farm-broker" --spool "$T/spool" --endpoint "ipc://$T/b.sock" --control "ipc://$T/c.sock" \
        "${MODELS[@]}" --verdict-log "$T/v.jsonl" --log-level warning ${BROKER_ARGS:-} 2>"$T/broker.log" &
    broker=$!
    pids=()
    for i in $(seq 1 "$W"); do
        "$B/farm-worker" --endpoint "ipc://$T/b.sock" "${MODELS[@]}" --keys "$T/keys" ${WORKER_ARGS:-} \
            --log-level error 2>>"$T/workers.log" &
        pids+=($!)
    done
    start=$(date +%s.%N); stat0=$(head -1 /proc/stat)
    while [ "$( (wc -l <"$T/v.jsonl") 2>/dev/null || echo 0)" -lt "$N" ]; do sleep 0.05; done
    end=$(date +%s.%N); stat1=$(head -1 /proc/stat)
    bcpu=$(cpu $broker); bmem=$(hwm $broker)
    wcpu=0; wmem=0
    kcpu=0
    for p in "${pids[@]}"; do
        wcpu=$((wcpu + $(cpu $p))); m=$(hwm $p); [ "$m" -gt "$wmem" ] && wmem=$m
        # Each worker's key process (worker/keyd.h) signs for it: its CPU is the worker's.
        for k in $(pgrep -P "$p"); do kcpu=$((kcpu + $(cpu $k))); done
    done
    wcpu=$((wcpu + kcpu))
    kill $broker "${pids[@]}"; wait $broker "${pids[@]}" 2>/dev/null || true
    signed=$(grep -c '"dkim":\["' "$T/v.jsonl" || true)
    python3 - "$T/v.jsonl" "$N" "$start" "$end" "$bcpu" "$wcpu" "$hz" "$bmem" "$wmem" "$ref" "$W" "$alg" "$signed" "$stat0" "$stat1" <<'PY'
import json, sys
path, n, s, e, bcpu, wcpu, hz, bmem, wmem, ref, w, alg, signed, stat0, stat1 = sys.argv[1:]
n, t = int(n), float(e) - float(s)
lat = sorted(json.loads(l)["latency_us"] for l in open(path))
verdicts = {}
for l in open(path):
    v = json.loads(l)["verdict"]
    verdicts[v] = verdicts.get(v, 0) + 1
rate = n / t
limit = float(ref) * int(w)
print("  %-8s %6.0f msg/s  (%s signed; %s)  p50 %.1f ms  p99 %.1f ms" % (
    alg, rate, signed, ", ".join("%s %d" % kv for kv in sorted(verdicts.items())),
    lat[len(lat) // 2] / 1000, lat[int(len(lat) * 0.99)] / 1000))
print("           broker %4.0f us CPU/msg, peak %d MB; workers %4.0f us CPU/msg, peak %d MB each;"
      " ratio to signing alone on %s core(s): %.2f" % (
    int(bcpu) / int(hz) * 1e6 / n, int(bmem) // 1024, int(wcpu) / int(hz) * 1e6 / n, int(wmem) // 1024,
    w, rate / limit if limit else 0))
# What bounds it: every process shares the machine's cores, so the CPU a
# message costs in all of them caps the rate; the rest of the gap is waiting.
import os
b_us, w_us = int(bcpu) / int(hz) * 1e6 / n, int(wcpu) / int(hz) * 1e6 / n
cores = os.cpu_count() or 1
cap = cores * 1e6 / (b_us + w_us) if b_us + w_us else 0
print("           bound: %.0f us of CPU a message (broker %.0f, workers %.0f, of which signing %.0f)"
      " -> at most %.0f msg/s on this machine's %d core(s); reached %.0f%% of that" % (
    b_us + w_us, b_us, w_us, 1e6 / float(ref) if float(ref) else 0, cap, cores,
    100 * rate / cap if cap else 0))
# The whole machine meanwhile (kernel threads doing our writeback included).
c0, c1 = [list(map(int, x.split()[1:])) for x in (stat0, stat1)]
d = [b - a for a, b in zip(c0, c1)]
idle = d[3] + d[4]          # idle + iowait
print("           the machine was %.0f%% busy meanwhile (%.0f%% of it outside our processes: "
      "writeback, interrupts, the bench itself)" % (
    100 * (1 - idle / sum(d)), 100 * (1 - idle / sum(d)) - 100 * (b_us + w_us) * rate / 1e6 / cores))
PY
done
