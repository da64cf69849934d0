#!/usr/bin/env bash
# train_spool.sh: farm-train learns mail the farm has spooled as what it is:
# a spool file given alone (farm-train --add --spam spool/reject/QID) or in
# a folder is the message after its header block, never the block as text
# (before: a file alone learned nothing and exited 0 with a new model
# version; in a folder its header block was learned as words). Nothing
# learned is exit 1, and the model stays as it was.
. "$(dirname "$0")/../lib/farm.sh"
tiny_model
start_broker
stop_farm
for k in 1 2 3; do
    printf 'From: x@shop.example\nTo: y@far.example\nSubject: cheap watches %s\n\nbuy cheap watches now, only today\n' $k |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -f x@shop.example -a acctspool y@far.example >/dev/null || fail "submit"
done
one=$(ls "$T/spool/incoming" | head -1)
before=$("$FARM_BIN/farm-train" --info --models "$T/models")
out=$("$FARM_BIN/farm-train" --add --spam "$T/spool/incoming/$one" --models "$T/models" 2>&1) || fail "--add of a spool file: $out"
grep -q "learned 0 ham and 1 spam message(s) (added)" <<<"$out" || fail "a spool file alone: $out"
out=$("$FARM_BIN/farm-train" --add --spam "$T/spool/incoming" --models "$T/models" 2>&1) || fail "--add of a spool folder: $out"
grep -q "learned 0 ham and 3 spam message(s) (added)" <<<"$out" || fail "a folder of spool files: $out"
# The header block was not learned as header fields: a probe that has them
# as headers finds them unknown (before: hn:farm-spool, hn:rcpt-to spammy).
mkdir "$T/probe"
printf 'Farm-Spool: 1\nRcpt-To: <y@far.example>\nFrom: x@shop.example\nTo: y@far.example\nSubject: q\n\nhello\n' \
    >"$T/probe/p.eml"
"$FARM_BIN/farm-replay" "$T/probe" --out "$T/r" --models "$T/models" --explain --json "$T/r.json" >"$T/r.log" 2>&1 ||
    fail "replay: $(tail -3 "$T/r.log")"
grep -q 'bayes-tokens' "$T/r.json" || fail "no tokens explained: $(cat "$T/r.json")"
grep -q 'hn:farm-spool\|hn:rcpt-to' "$T/r.json" && fail "the spool header block was learned: $(grep -o 'bayes-tokens[^"]*' "$T/r.json")"
# Nothing to learn: exit 1, the model as it was.
mkdir "$T/empty"
v1=$("$FARM_BIN/farm-train" --info --models "$T/models")
"$FARM_BIN/farm-train" --add --spam "$T/empty" --models "$T/models" >"$T/out" 2>&1 && fail "nothing learned, exit 0: $(cat "$T/out")"
grep -q "no message could be learned" "$T/out" || fail "no reason given: $(cat "$T/out")"
[ "$("$FARM_BIN/farm-train" --info --models "$T/models")" = "$v1" ] || fail "a new model version though nothing was learned"
echo "ok: spool files learned as messages (alone and in a folder), their header block not as text; nothing learned is exit 1"
