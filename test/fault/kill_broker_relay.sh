#!/usr/bin/env bash
# kill_broker_relay.sh: the whole path, broker to smarthost, with the broker
# killed with SIGKILL at random moments while farm-relay sends on. Before,
# the relay could send an output in the moment between its rename into
# outgoing/ and the removal of its active/ twin; a kill then made recovery
# scan the message again and the relay send it twice (50 duplicates after
# one kill under disk load). Now the relay waits for the twin to be gone
# (and durably so): the sink counts every message once, duplicates 0.
. "$(dirname "$0")/../lib/farm.sh"
N=${N:-3000}
KILLS=${KILLS:-25}
PY=python3
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
$PY "$TOP/test/lib/smtpsink.py" --port "$PORT" --dir "$T/sink" --ready "$T/sink.ready" >"$T/sink.log" 2>&1 &
EXTRA+=($!)
i=0; while [ ! -f "$T/sink.ready" ]; do i=$((i + 1)); [ $i -gt 50 ] && fail "sink did not start"; sleep 0.1; done
start_worker --scan-delay-ms 2
start_worker --scan-delay-ms 2
started=0
for k in $(seq 1 $KILLS); do
    start_broker --flush-ms 20
    if [ $started = 0 ]; then
        # The relay once the spool is set up; it runs through every kill.
        "$FARM_BIN/farm-relay" --spool "$T/spool" --smarthost "127.0.0.1:$PORT" --scan-ms 10 \
            --helo relay.test >>"$T/relay.log" 2>&1 &
        EXTRA+=($!)
        started=1
    fi
    sleep "0.$((RANDOM % 40 + 10))"
    kill -9 $BROKER
    wait $BROKER 2>/dev/null
    BROKER=0
done
start_broker
at_sink() { cat "$T"/sink/*.env 2>/dev/null | grep -c '^rcpt-to:'; }
i=0; until [ "$(at_sink)" -ge $N ]; do
    i=$((i + 1)); [ $i -gt 1200 ] && fail "only $(at_sink) of $N reached the sink"; sleep 0.1
done
sleep 1
total=$(at_sink)
uniq=$(cat "$T"/sink/*.env | grep '^rcpt-to:' | sort -u | wc -l)
[ "$uniq" = $N ] || fail "$uniq distinct recipients at the sink, not $N"
[ "$total" = $N ] || fail "$((total - uniq)) message(s) sent twice after $KILLS kills"
grep -q "recovery:" "$T/broker.log" || fail "no recovery happened: the kills hit nothing in flight"
stop_farm
no_sanitizer_reports
echo "ok: $KILLS broker kills with farm-relay sending on: $N at the sink, 0 twice"
