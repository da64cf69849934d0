#!/usr/bin/env bash
# folders_removed.sh: the models and keys folders removed under a running
# worker: it keeps the last good model and keys, says so in its log, and goes
# on scoring and signing.
. "$(dirname "$0")/../lib/farm.sh"
mkdir -p "$T/keys"
tiny_model
"$FARM_BIN/farm-keygen" shop.example s1 --ed25519 --keys "$T/keys" >/dev/null || fail "keygen"
start_broker
start_worker --models "$T/models" --keys "$T/keys" --model-check-ms 0 --keys-check-ms 0
submit_note 1
wait_final 1 20
rm -rf "$T/models" "$T/keys"
for i in 2 3 4; do submit_note $i; done
wait_final 4 20
for f in "$T"/spool/outgoing/*; do
    grep -q '^spam: ' "$f" || fail "$(basename "$f") not scored"
    grep -q '^dkim: ed25519-sha256:shop.example:s1$' "$f" || fail "$(basename "$f") not signed"
done
[ "$(ls "$T/spool/outgoing" | wc -l)" -eq 4 ] || fail "not all delivered"
grep -q "keeping the last good model" "$T/worker-0.log" || fail "no word of the model's removal"
grep -q "keys folder $T/keys: No such file or directory" "$T/worker-0.log" || fail "no word of the keys' removal"
stop_farm
no_sanitizer_reports
echo "ok: models and keys folders removed: the last good ones kept and said so; 3 more scored and signed"
