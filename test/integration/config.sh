#!/usr/bin/env bash
# config.sh: a ZPL config file configures broker and worker; flags override
# it; an unknown key (a typo) is refused at start, naming the key and the
# nearest known one; so is a broker with no spool given; bad values are
# refused naming the key.
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
CFG
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 20 "$T/orig"
"$FARM_BIN/farm-broker" --config "$T/farm.cfg" >"$T/broker.log" 2>&1 &
BROKER=$!
"$FARM_BIN/farm-worker" --config "$T/farm.cfg" >"$T/worker-0.log" 2>&1 &
WORKERS+=($!)
wait_final 20 30
[ -S "$T/from-file.sock" ] || fail "endpoint from the file not used"
[ "$(wc -l <"$T/from-file.jsonl")" -eq 20 ] || fail "verdict log from the file not used"
stop_farm
# A typo in the file: refused (64), with the key it was meant to be.
sed 's/heartbeat-ms = 200/heartbaet-ms = 200/' "$T/farm.cfg" >"$T/typo.cfg"
out=$("$FARM_BIN/farm-broker" --config "$T/typo.cfg" 2>&1); rc=$?
[ $rc -eq 64 ] || fail "unknown key: exit $rc, expected 64: $out"
grep -q "unknown key wire/heartbaet-ms (did you mean wire/heartbeat-ms?)" <<<"$out" || fail "unknown key: $out"
out=$("$FARM_BIN/farm-worker" --config "$T/typo.cfg" 2>&1) && fail "the worker accepted an unknown key"
# No spool given: refused, not ./spool in the working folder.
mkdir "$T/cwd"
out=$(cd "$T/cwd" && timeout 10 "$FARM_BIN/farm-broker" --endpoint "ipc://$T/nospool.sock" 2>&1); rc=$?
[ $rc -eq 64 ] || fail "no spool: exit $rc, expected 64: $out"
grep -q "spool/root is required" <<<"$out" || fail "no spool: $out"
[ -z "$(ls "$T/cwd")" ] || fail "a spool was made in the working folder: $(ls "$T/cwd")"
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
echo "ok: file read, flags override, unknown keys and a missing spool refused (64) by name, bad values refused by name"
