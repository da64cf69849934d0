#!/usr/bin/env bash
# sighup.sh: SIGHUP (what logrotate sends, and an operator's reload) ends
# none of broker, worker and relay (before: all three died, exit 129). The
# broker reopens its verdict log (rotated away meanwhile) and rereads
# compromise.cfg; the worker rereads its model at once, however long its
# model-check-ms; the relay says so and goes on.
. "$(dirname "$0")/../lib/farm.sh"
tiny_model
start_broker --models "$T/models"
start_worker --models "$T/models" --model-check-ms 3600000
"$FARM_BIN/farm-relay" --spool "$T/spool" --smarthost 127.0.0.1:9 --scan-ms 100 >"$T/relay.log" 2>&1 &
RELAY=$!
EXTRA+=($RELAY)
submit_note 1
i=0; until [ -s "$T/verdicts.jsonl" ]; do i=$((i+1)); [ $i -gt 200 ] && fail "no verdict"; sleep 0.1; done
# logrotate: the log moved away, then HUP. A new model, too.
mv "$T/verdicts.jsonl" "$T/verdicts.jsonl.1"
"$FARM_BIN/farm-train" --ham "$T/ham" --spam "$T/spam" --no-bigrams --models "$T/models2" >/dev/null || fail "train"
mv "$T/models2/bayes.mdb" "$T/models/bayes.mdb"
kill -HUP "$BROKER" "${WORKERS[0]}" "$RELAY"
sleep 1
for p in "$BROKER" "${WORKERS[0]}" "$RELAY"; do kill -0 "$p" 2>/dev/null || fail "process $p died of SIGHUP"; done
grep -q "SIGHUP" "$T/broker.log" || fail "the broker did not say it had a SIGHUP"
grep -q "verdict log $T/verdicts.jsonl reopened" "$T/broker.log" || fail "verdict log not reopened"
grep -q "SIGHUP" "$T/relay.log" || fail "the relay did not say it had a SIGHUP"
i=0; until grep -q "replacing the previous one" "$T/worker-0.log"; do
    i=$((i+1)); [ $i -gt 50 ] && fail "the worker did not reread its model on SIGHUP: $(tail -3 "$T/worker-0.log")"; sleep 0.1
done
# The broker learns the worker's new model from its heartbeats (before: the
# version it had when it connected, for ever).
new=$(grep -o 'version [^ ]* loaded' "$T/worker-0.log" | tail -1 | cut -d' ' -f2)
i=0; until "$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" workers 2>/dev/null | grep -q -- "$new"; do
    i=$((i+1)); [ $i -gt 50 ] && fail "farm-ctl workers does not show model $new: $("$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" workers)"; sleep 0.1
done
grep -q "now runs model $new" "$T/broker.log" || fail "no log line for the new model"
submit_note 2
i=0; until [ -s "$T/verdicts.jsonl" ]; do i=$((i+1)); [ $i -gt 200 ] && fail "no verdict in the reopened log"; sleep 0.1; done
[ "$(wc -l <"$T/verdicts.jsonl.1")" -eq 1 ] || fail "the rotated log was written after the HUP"
# The verdict log tells the scan's time and where the output went (before:
# scan_us always 0); log lines carry their time zone.
grep -q '"scan_us":[1-9][0-9]*,"verdict":"deliver","output":"outgoing/[0-9a-f]\{24\}"' "$T/verdicts.jsonl.1" ||
    fail "verdict log: $(cat "$T/verdicts.jsonl.1")"
grep -q -E '^20[0-9-]{8}T[0-9:]{8}\.[0-9]{3}[+-][0-9]{4} farm-broker\[' "$T/broker.log" || fail "log times without their offset: $(head -1 "$T/broker.log")"
stop_farm
no_sanitizer_reports
echo "ok: SIGHUP to broker, worker and relay: none died; verdict log reopened, model reread at once (and shown by farm-ctl workers), relay went on"
