#!/usr/bin/env bash
# model_swap.sh: models retrained (and once replaced by a broken file) while
# workers scan: every message is finished once and scored, the workers pick up
# each new model between jobs, and keep the last good one when a file is bad.
. "$(dirname "$0")/../lib/farm.sh"
mkdir -p "$T/ham" "$T/spam" "$T/models"
cp "$TOP"/test/sample/msg-0[0-2]*.eml "$T/ham/"
cp "$TOP"/test/sample/spam-*.eml "$T/spam/"
"$FARM_BIN/farm-train" --ham "$T/ham" --spam "$T/spam" --models "$T/models" >"$T/train.log" 2>&1 \
    || fail "training failed: $(cat "$T/train.log")"
N=4000
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" $N "$T/orig"
start_broker
start_worker --models "$T/models" --model-check-ms 0 --scan-delay-ms 3
start_worker --models "$T/models" --model-check-ms 0 --scan-delay-ms 3
swaps=0
for k in 1 2 3 4 5 6; do
    sleep 0.3
    if [ $k -eq 3 ]; then
        # A broken model, renamed into place as training would.
        head -c 20000 /dev/urandom >"$T/models/bayes.mdb.new"
        mv "$T/models/bayes.mdb.new" "$T/models/bayes.mdb"
    else
        "$FARM_BIN/farm-train" --ham "$T/ham" --spam "$T/spam" --models "$T/models" >>"$T/train.log" 2>&1 \
            || fail "retraining failed"
        swaps=$((swaps + 1))
    fi
done
[ "$(final_count)" -lt $N ] || fail "finished before the swaps; nothing tested"
wait_final $N 120
wait_empty "$T/spool/active" 10
python3 "$TOP/test/lib/check_spool.py" "$T/spool" "$T/orig" || fail "spool invariant"
unscored=$(grep -L '^spam: ' $(find "$T/spool/outgoing" "$T/spool/hold" "$T/spool/reject" -type f) | wc -l)
[ "$unscored" -eq 0 ] || fail "$unscored message(s) not scored"
grep -q "replacing the previous one" "$T/worker-0.log" || fail "worker 0 never swapped models"
grep -q "keeping the last good model" "$T/worker-0.log" || fail "the broken model was not refused"
stop_farm
no_sanitizer_reports
echo "ok: $swaps retrains and a broken model during the run, $N finished once, all scored"
