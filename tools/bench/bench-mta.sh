#!/usr/bin/env bash
# bench-mta.sh [N] [SESSIONS]: the farm behind a real MTA, in messages/s, in
# one run on this machine. Postfix's own load tools: smtp-source sends N
# messages of 4 KB (default 2000) over SESSIONS sessions (default 20), and
# smtp-sink counts them at the far end. Five runs, each from a fresh spool:
#   postfix alone      smtp-source -> Postfix -> smtp-sink (no filter)
#   postfix+smtp       smtp-source -> Postfix -> farm-smtpd -> farm -> farm-relay
#                      -> Postfix (re-injection) -> smtp-sink
#   postfix+pipe       the same with Postfix's pipe into farm-submit
#   smtpd direct       smtp-source -> farm-smtpd -> farm -> farm-relay -> smtp-sink
#   spool to spool     N messages already in incoming/ -> the farm -> outgoing/
# with the ratios the targets are set in: postfix+smtp / postfix alone (at least
# 0.45), smtpd direct / spool to spool (at least 0.9). The farm: a broker and
# WORKERS workers (default 2) over ipc://, fsync on, RSA-2048 signing (every
# message is From: a domain with a key), the default model when there is one;
# sender state off (one sender sends everything: the compromise detector would
# rightly hold it). farm-smtpd's resident memory is printed after each run.
# The Postfix runs need root (a private Postfix instance: its own config and
# queue in a temporary folder); without root they are skipped, saying so.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-2000}
S=${2:-20}
W=${WORKERS:-2}
B=${FARM_BIN:-$PWD/build/bin}
[ -x "$B/farm-smtpd" ] || { echo "bench-mta: build first (scons)" >&2; exit 1; }
command -v smtp-source >/dev/null || { echo "bench-mta: smtp-source and smtp-sink come with postfix (tools/setup.sh)" >&2; exit 1; }
MODELS=()
"$B/farm-train" --info --models models >/dev/null 2>&1 && MODELS=(--models models)
T=$(mktemp -d /tmp/farm-bench-mta.XXXXXX)
chmod 755 "$T"
PF="$T/postfix"
cleanup() {
    [ -d "$PF/etc" ] && postfix -c "$PF/etc" abort >/dev/null 2>&1
    kill $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
port() {   # a free port not given out before in this run
    local p
    while :; do p=$(free_port); [[ " ${ports[*]-} " == *" $p "* ]] || break; done
    ports+=("$p"); echo "$p"
}
SINK=$(port); FILTER=$(port); BACK=$(port); IN_ALONE=$(port); IN_SMTP=$(port); IN_PIPE=$(port); DIRECT=$(port)
"$B/farm-keygen" bench.example s1 --keys "$T/keys" >/dev/null
echo "load@bench.example bench.example" >"$T/accounts"
root=$([ "$(id -u)" -eq 0 ] && echo yes || echo no)
postfix_runs=$([ $root = yes ] && [ -z "${NO_POSTFIX:-}" ] && echo yes || echo no)

SINKPID=0
start_sink() {
    : >"$T/sink.out"
    local u=()
    [ $root = yes ] && u=(-u nobody)     # smtp-sink will not run as root
    smtp-sink "${u[@]}" -c "127.0.0.1:$SINK" 256 >"$T/sink.out" 2>&1 &
    SINKPID=$!
    local i=0
    until python3 -c "import socket; socket.create_connection(('127.0.0.1',$SINK)).close()" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && { echo "bench-mta: smtp-sink did not start" >&2; exit 1; }; sleep 0.05
    done
}
stop_sink() { kill "$SINKPID" 2>/dev/null || true; wait "$SINKPID" 2>/dev/null || true; }
sunk() { tr '\r' '\n' <"$T/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' | tail -1; }

FARM=()
start_farm() {   # start_farm SPOOL: broker, workers and farm-relay to the sink or to Postfix
    local spool=$1 smarthost=$2
    "$B/farm-broker" --spool "$spool" --endpoint "ipc://$T/b.sock" --control "ipc://$T/c.sock" \
        "${MODELS[@]}" --verdict-log "$T/v.jsonl" --watch=false --log-level warning 2>>"$T/broker.log" &
    FARM=($!)
    local i=0
    until [ -e "$spool/broker.lock" ]; do i=$((i + 1)); [ $i -gt 200 ] && exit 1; sleep 0.05; done
    for k in $(seq 1 "$W"); do
        "$B/farm-worker" --endpoint "ipc://$T/b.sock" "${MODELS[@]}" --keys "$T/keys" --accounts "$T/accounts" \
            --log-level error 2>>"$T/workers.log" &
        FARM+=($!)
    done
    if [ -n "$smarthost" ]; then
        "$B/farm-relay" --spool "$spool" --smarthost "$smarthost" --scan-ms 20 --log-level warning \
            2>>"$T/relay.log" &
        FARM+=($!)
    fi
}
stop_farm() { kill "${FARM[@]}" 2>/dev/null || true; wait "${FARM[@]}" 2>/dev/null || true; FARM=(); }
SMTPD=0
start_smtpd() {   # start_smtpd SPOOL PORT
    "$B/farm-smtpd" --spool "$1" --listen "127.0.0.1:$2" --log-level warning 2>>"$T/smtpd.log" &
    SMTPD=$!
    local i=0
    until python3 -c "import socket; socket.create_connection(('127.0.0.1',$2)).close()" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && { echo "bench-mta: farm-smtpd did not start: $(tail -2 "$T/smtpd.log")" >&2; exit 1; }
        sleep 0.05
    done
}
rss() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$1/status" 2>/dev/null || echo "?"; }

# One run: smtp-source into PORT, the clock until the sink has N. Prints the rate.
run() {   # run NAME PORT
    local name=$1 p=$2
    local t0 t1 s0 s1
    t0=$(date +%s.%N); s0=$(head -1 /proc/stat)
    /usr/bin/time -f "%U %S" -o "$T/source-$name.cpu" \
        smtp-source -s "$S" -m "$N" -l 4096 -d -f load@bench.example -t "r@dest.example" -S "bench $name" \
        "127.0.0.1:$p" >"$T/source-$name.log" 2>&1 &
    local src=$! i=0 last=0 same=0
    while :; do
        local got; got=$(sunk); got=${got:-0}
        [ "$got" -ge "$N" ] && break
        if [ "$got" = "$last" ]; then same=$((same + 1)); else same=0; last=$got; fi
        if [ $same -gt 600 ]; then
            echo "bench-mta: $name stalled at $got of $N for 30 s" >&2
            tail -3 "$T/source-$name.log" "$T/broker.log" "$T/relay.log" "$T/smtpd.log" 2>/dev/null >&2
            exit 1
        fi
        sleep 0.05
    done
    t1=$(date +%s.%N); s1=$(head -1 /proc/stat)
    wait "$src" || true
    # The rate, and how busy the machine's cores were meanwhile (100%: the
    # run was bound by CPU, less: by waiting).
    python3 - "$N" "$t0" "$t1" "$s0" "$s1" <<'PY'
import sys
n, t0, t1, s0, s1 = sys.argv[1:]
a, b = [list(map(int, x.split()[1:])) for x in (s0, s1)]
d = [y - x for x, y in zip(a, b)]
print("%.0f %.0f" % (int(n) / (float(t1) - float(t0)), 100 * (1 - (d[3] + d[4]) / sum(d))))
PY
}

echo "bench-mta: $N messages of 4 KB over $S sessions (smtp-source -> ... -> smtp-sink), farm with $W worker(s), fsync on, RSA-2048 signing, ${MODELS:+model on, }sender state off"
declare -A R U
if [ $postfix_runs = yes ]; then
    id farmtest >/dev/null 2>&1 || useradd -r -M -d /nonexistent -s /usr/sbin/nologin farmtest
    mkdir -p "$T/bin"
    cp "$B/farm-submit" "$T/bin/"; chmod 755 "$T/bin" "$T/bin/farm-submit"
    . tools/bench/postfix.sh
    postfix_make "$PF" "$SINK"
    cat >>"$PF/etc/master.cf" <<CF
127.0.0.1:$IN_ALONE inet n - n - - smtpd
127.0.0.1:$IN_SMTP inet n - n - - smtpd
  -o content_filter=farm:[127.0.0.1]:$FILTER
127.0.0.1:$IN_PIPE inet n - n - - smtpd
  -o content_filter=farmpipe:dummy
127.0.0.1:$BACK inet n - n - - smtpd
  -o content_filter=
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
  -o smtpd_relay_restrictions=permit_mynetworks,reject
farm      unix  -       -       n       -       20      smtp
  -o smtp_send_xforward_command=yes
  -o disable_mime_output_conversion=yes
  -o smtp_generic_maps=
farmpipe  unix  -       n       n       -       10      pipe
  flags=Rq user=farmtest null_sender=
  argv=$T/bin/farm-submit --spool $T/spool-pipe -f \${sender} -- \${recipient}
CF
    postfix_start "$PF" "$IN_ALONE" || exit 1
    start_sink; out=$(run alone "$IN_ALONE"); read -r R[alone] U[alone] <<<"$out"; stop_sink
    echo "  postfix alone      ${R[alone]} msg/s  (cores ${U[alone]}% busy)"
    start_sink; : >"$T/v.jsonl"; start_farm "$T/spool-smtp" "127.0.0.1:$BACK"; start_smtpd "$T/spool-smtp" "$FILTER"; sleep 1
    out=$(run smtp "$IN_SMTP"); read -r R[smtp] U[smtp] <<<"$out"; m=$(rss $SMTPD); kill $SMTPD; wait $SMTPD 2>/dev/null || true; stop_farm; stop_sink
    echo "  postfix+smtp       ${R[smtp]} msg/s  ($(python3 -c "print('%.2f' % (${R[smtp]} / ${R[alone]}))") of postfix alone; target 0.45; cores ${U[smtp]}% busy; farm-smtpd peak $m MB)"
    start_sink; : >"$T/v.jsonl"; start_farm "$T/spool-pipe" "127.0.0.1:$BACK"; chown -R farmtest "$T/spool-pipe"; sleep 1
    out=$(run pipe "$IN_PIPE"); read -r R[pipe] U[pipe] <<<"$out"; stop_farm; stop_sink
    echo "  postfix+pipe       ${R[pipe]} msg/s  ($(python3 -c "print('%.2f' % (${R[pipe]} / ${R[alone]}))") of postfix alone; cores ${U[pipe]}% busy)"
    postfix_stop "$PF"
else
    echo "  (the three Postfix runs skipped: ${NO_POSTFIX:+NO_POSTFIX set}$([ $root = yes ] || echo "a private Postfix instance needs root"))"
fi
start_sink; : >"$T/v.jsonl"; start_farm "$T/spool-direct" "127.0.0.1:$SINK"; start_smtpd "$T/spool-direct" "$DIRECT"; sleep 1
out=$(run direct "$DIRECT"); read -r R[direct] U[direct] <<<"$out"; m=$(rss $SMTPD)
# Where the CPU of SMTP in to SMTP out goes, a message (startup included).
us() { python3 -c "print('%.0f' % ($1 * 1e6 / $(getconf CLK_TCK) / $N))"; }
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); for c in $(pgrep -P "$p"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$c/stat"))); done; done; echo $t; }
cpu_line="broker $(us "$(ticks "${FARM[0]}")"), workers $(us "$(ticks "${FARM[@]:1:$W}")"), farm-smtpd $(us "$(ticks $SMTPD)"), farm-relay $(us "$(ticks "${FARM[$W+1]}")"), smtp-sink $(us "$(ticks $SINKPID)"), smtp-source $(python3 -c "import sys; u, s = open(sys.argv[1]).read().split()[-2:]; print('%.0f' % ((float(u) + float(s)) * 1e6 / $N))" "$T/source-direct.cpu") us"
kill $SMTPD; wait $SMTPD 2>/dev/null || true; stop_farm; stop_sink
# The farm alone on the same messages, written beside the spool first and
# renamed into incoming/ once the farm is up: the clock starts at the first.
mkdir -p "$T/stage"
python3 - "$T/stage" "$N" <<'PY'
import os, sys, time
root, n = sys.argv[1], int(sys.argv[2])
line = "X" * 78 + "\n"
for i in range(n):
    body = ("From: <load@bench.example>\nTo: <r@dest.example>\nDate: Wed, 2 Dec 2026 10:00:00 +0000\n"
            "Message-Id: <%d.bench@vm>\nSubject: bench ref\n\n" % i) + line * 51
    qid = "%024x" % (0x6610000000000000000000 + i)
    head = ("farm-spool: 1\nqueue-id: %s\naccount: load@bench.example\nmail-from: <load@bench.example>\n"
            "rcpt-to: <r@dest.example>\nreceived-at: %d\nsize: %d\n\n" % (qid, int(time.time()), len(body)))
    with open(os.path.join(root, qid), "w") as f:
        f.write(head + body)
PY
sync
: >"$T/v.jsonl"
start_farm "$T/spool-ref" ""
sleep 1     # the model loaded, the workers connected
t0=$(date +%s.%N)
python3 -c 'import os, sys; [os.rename(os.path.join(sys.argv[1], f), os.path.join(sys.argv[2], f)) for f in sorted(os.listdir(sys.argv[1]))]' \
    "$T/stage" "$T/spool-ref/incoming"
while [ "$( (wc -l <"$T/v.jsonl") 2>/dev/null || echo 0)" -lt "$N" ]; do sleep 0.02; done
t1=$(date +%s.%N)
stop_farm
R[ref]=$(python3 -c "print('%.0f' % ($N / ($t1 - $t0)))")
echo "  smtpd direct       ${R[direct]} msg/s  ($(python3 -c "print('%.2f' % (${R[direct]} / ${R[ref]}))") of spool to spool; target 0.9; cores ${U[direct]}% busy; farm-smtpd peak $m MB)"
echo "  spool to spool     ${R[ref]} msg/s  (the farm alone, same messages, same run)"
echo "  CPU a message, SMTP in to SMTP out: $cpu_line"
