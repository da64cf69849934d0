#!/usr/bin/env bash
# config.sh: a ZPL config file configures broker and worker; flags override
# it; unknown keys are warned about; bad values are refused naming the key.
. "$(dirname "$0")/../lib/farm.sh"
cat >"$T/farm.cfg" <<CFG
# one file for the whole farm
spool
    root = $T/spool
wire
    endpoint = ipc://$T/from-file.sock
    heartbeat-ms = 200
log
    verdicts = $T/from-file.jsonl
mystery
    key = 1
CFG
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 20 "$T/orig"
"$FARM_BIN/farm-broker" --config "$T/farm.cfg" >"$T/broker.log" 2>&1 &
BROKER=$!
"$FARM_BIN/farm-worker" --config "$T/farm.cfg" >"$T/worker-0.log" 2>&1 &
WORKERS+=($!)
wait_final 20 30
[ -S "$T/from-file.sock" ] || fail "endpoint from the file not used"
[ "$(wc -l <"$T/from-file.jsonl")" -eq 20 ] || fail "verdict log from the file not used"
grep -q "unknown key mystery/key" "$T/broker.log" || fail "unknown key not warned about"
stop_farm
# A flag beats the file.
"$FARM_BIN/farm-broker" --config "$T/farm.cfg" --endpoint "ipc://$T/from-flag.sock" >>"$T/broker.log" 2>&1 &
BROKER=$!
i=0; while [ ! -S "$T/from-flag.sock" ]; do i=$((i+1)); [ $i -gt 50 ] && fail "flag did not override the file"; sleep 0.1; done
stop_farm
# Bad values are refused at start, naming the key.
printf 'wire\n    heartbeat-ms = fast\n' >"$T/bad.cfg"
out=$("$FARM_BIN/farm-broker" --config "$T/bad.cfg" 2>&1) && fail "bad config accepted"
grep -q "wire/heartbeat-ms" <<<"$out" || fail "refusal does not name the key: $out"
out=$("$FARM_BIN/farm-worker" --credit 0 2>&1) && fail "credit 0 accepted"
grep -q "wire/credit" <<<"$out" || fail "refusal does not name the key: $out"
no_sanitizer_reports
echo "ok: file read, flags override, unknown keys warned, bad values refused by name"
