#!/usr/bin/env bash
# conn_flood.sh: floods of connections on the broker's sockets. Before, 1,100
# ipc connections aborted the broker inside libzmq ("Too many open files",
# ipc_listener.cpp:325) under the usual 1,024 descriptors. Now the broker
# raises its limit to the hard one at start (the systemd unit sets 1048576),
# its ipc socket is 0660 (the broker's user and group only), and a peer
# that does not finish its handshake in 5 s is closed. Tried here: 3,000
# idle ipc connections, and 300 tcp connections sending CURVE greetings of
# garbage over and over; the broker lives, farm-ctl answers, a real worker's
# 200 messages all finish once. (libzmq 4.3 aborts on EMFILE in its ipc
# listener whatever we do: the limit must stay above what peers can open.)
. "$(dirname "$0")/../lib/farm.sh"
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
[ "$hard" -ge 8192 ] || { echo "skipped: a hard open-files limit of $hard leaves no room for the flood"; exit 0; }
ulimit -Sn "$hard"      # the flood's own sockets
C="$T/curve"
"$FARM_BIN/farm-keygen" --curve broker1 --dir "$C" >/dev/null || fail "keygen"
mkdir -p "$C/allow" "$T/spool"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The brokers start with the usual soft limit of 1,024 (the hard one above).
VG="prlimit --nofile=1024:$hard --" start_broker
prlimit --nofile=1024:$hard -- "$FARM_BIN/farm-broker" --spool "$T/spool2" --endpoint "tcp://127.0.0.1:$PORT" --curve-cert "$C/broker1.cert" \
    --curve-allow "$C/allow" --watch=false --control "ipc://$T/c2.sock" $HB >"$T/broker2.log" 2>&1 &
B2=$!
EXTRA+=($B2)
i=0; until [ -S "$T/broker.sock" ] && grep -q "broker on tcp" "$T/broker2.log"; do i=$((i+1)); [ $i -gt 100 ] && fail "brokers not up"; sleep 0.1; done
[ "$(stat -c %a "$T/broker.sock")" = 660 ] || fail "the worker socket is $(stat -c %a "$T/broker.sock"), not 660"
python3 - "$T/broker.sock" "$PORT" 8 >"$T/flood.log" 2>&1 <<'PY' &
import os, socket, sys, time
path, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ipc = []
for i in range(3000):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    ipc.append(s)
greet = b"\xff" + b"\0" * 8 + b"\x7f" + b"\x03\x00" + b"CURVE" + b"\0" * 15 + b"\0" + b"\0" * 31
tcp = [socket.create_connection(("127.0.0.1", port)) for i in range(300)]
end = time.time() + secs
while time.time() < end:
    for i, s in enumerate(tcp):
        try:
            s.send(greet + os.urandom(200))
        except OSError:
            s.close()
            try:
                tcp[i] = socket.create_connection(("127.0.0.1", port))
            except OSError:
                pass
    time.sleep(0.05)
print("flooded: %d ipc, %d tcp" % (len(ipc), len(tcp)))
PY
FLOOD=$!
EXTRA+=($FLOOD)
sleep 2
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 200 "$T/orig"
start_worker
wait_final 200 60
timeout 10 "$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" --timeout-ms 5000 queues >/dev/null || fail "farm-ctl not answered under the flood"
timeout 10 "$FARM_BIN/farm-ctl" --control "ipc://$T/c2.sock" --timeout-ms 5000 queues >/dev/null || fail "the tcp broker's farm-ctl not answered"
wait $FLOOD
grep -q "flooded: 3000 ipc, 300 tcp" "$T/flood.log" || fail "the flood did not run: $(tail -2 "$T/flood.log")"
kill -0 "$BROKER" && kill -0 "$B2" || fail "a broker died: $(grep -h -m1 -e 'Too many' -e Assert "$T"/broker*.log)"
wait_empty "$T/spool/active" 20
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" >"$T/check.out" 2>&1 || { cat "$T/check.out"; fail "spool invariant"; }
stop_farm
no_sanitizer_reports
echo "ok: 3,000 idle ipc and 300 garbage tcp connections: both brokers alive, farm-ctl answered, 200 finished once"
