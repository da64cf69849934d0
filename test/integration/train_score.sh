#!/usr/bin/env bash
# train_score.sh: farm-train builds, extends and describes a model; a replay
# with it scores every message, holds or rejects spam with a reason naming the
# score and the threshold, and with --explain names the strongest tokens.
. "$(dirname "$0")/../lib/farm.sh"
mkdir -p "$T/ham" "$T/spam" "$T/more" "$T/models"
cp "$TOP"/test/sample/msg-0[01]*.eml "$T/ham/"
cp "$TOP"/test/sample/spam-00[12].eml "$T/spam/"
cp "$TOP"/test/sample/spam-003.eml "$T/more/"
nham=$(ls "$T/ham" | wc -l)
out=$("$FARM_BIN/farm-train" --ham "$T/ham" --spam "$T/spam" --models "$T/models" 2>&1) || fail "train: $out"
grep -q "learned $nham ham and 2 spam" <<<"$out" || fail "train said: $out"
out=$("$FARM_BIN/farm-train" --add --spam "$T/more" --models "$T/models" 2>&1) || fail "train --add: $out"
grep -q "learned 0 ham and 1 spam message(s) (added)" <<<"$out" || fail "train --add said: $out"
out=$("$FARM_BIN/farm-train" --info --models "$T/models") || fail "--info refused a good model: $out"
grep -q "tok4 bigrams=1, $nham ham, 3 spam" <<<"$out" || fail "--info said: $out"
"$FARM_BIN/farm-train" --ham "$T/ham" --models "$T/models" >/dev/null 2>&1 && fail "training without spam accepted"
"$FARM_BIN/farm-train" --info --models "$T/nothing" >/dev/null 2>&1 && fail "--info accepted a missing model"
printf 'bayes\n    hold = 0.9\n    reject = 0.9999\n' >"$T/models/bayes.cfg"
"$FARM_BIN/farm-replay" "$TOP/test/sample" --out "$T/out" --json "$T/out.json" --models "$T/models" \
    --explain >"$T/replay.log" 2>&1 || fail "replay failed: $(tail -3 "$T/replay.log")"
[ "$(grep -c '"spam":null' "$T/out.json")" -le 3 ] || fail "messages left unscored"
for f in spam-001 spam-002 spam-003; do
    grep -q "\"file\":\"$f.eml\".*\"verdict\":\"\\(hold\\|reject\\)\".*bayes: spam probability [01]\\.[0-9]* at or above the \\(hold\\|reject\\) threshold" \
        "$T/out.json" || fail "$f not held or rejected with a reason naming the score: $(grep "$f" "$T/out.json")"
done
grep -q '"bayes-tokens: ' "$T/out.json" || fail "--explain named no tokens"
held=$(grep -c '"verdict":"\(hold\|reject\)".*bayes: spam' "$T/out.json")
[ "$held" -le 4 ] || fail "$held messages held or rejected by Bayes: ham caught too"
cp "$T/out/log/"*.log "$T/" 2>/dev/null
no_sanitizer_reports
echo "ok: trained, added, described; 3 of 3 spam stopped with the score in the reason"
