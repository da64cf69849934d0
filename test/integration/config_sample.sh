#!/usr/bin/env bash
# config_sample.sh: tools/farm.cfg.sample documents every broker and worker
# key with its default (it is what `farm-broker --print-config` prints, so it
# cannot fall behind the code), and both programs start from it without a
# warning about an unknown key; --print-config shows values set by flags.
. "$(dirname "$0")/../lib/farm.sh"
"$FARM_BIN/farm-broker" --print-config >"$T/sample" || fail "--print-config"
diff "$TOP/tools/farm.cfg.sample" "$T/sample" >"$T/diff" ||
    { head "$T/diff"; fail "tools/farm.cfg.sample is stale: regenerate with farm-broker --print-config"; }
# The key reference (every key of every program) is generated the same way.
"$FARM_BIN/farm-broker" --print-config=markdown >"$T/ref.md" || fail "--print-config=markdown"
diff "$TOP/tools/farm.cfg.md" "$T/ref.md" >"$T/diff" ||
    { head "$T/diff"; fail "tools/farm.cfg.md is stale: regenerate with farm-broker --print-config=markdown > tools/farm.cfg.md"; }
nkeys=$(grep -c '^    { "' "$TOP/shared/util/params.c")
[ "$(grep -c '^| `' "$T/ref.md")" -eq "$nkeys" ] || fail "the reference does not list all $nkeys keys"
keys=$(grep -c '^    [a-z-]* = ' "$T/sample")
[ "$keys" -ge 40 ] || fail "only $keys keys in the sample"
[ "$(grep -c '^    #   ' "$T/sample")" -eq "$keys" ] || fail "a key without its meaning"
"$FARM_BIN/farm-broker" --print-config --retry-s 77 | grep -q '^    retry-s = "77"$' || fail "flags not shown"
cd "$T"
timeout 2 "$FARM_BIN/farm-broker" --config "$T/sample" --spool "$T/spool" >"$T/b.log" 2>&1
timeout 2 "$FARM_BIN/farm-worker" --config "$T/sample" >"$T/w.log" 2>&1
grep -qi "unknown" "$T/b.log" "$T/w.log" && fail "unknown keys in the sample: $(grep -i unknown "$T"/[bw].log)"
grep -q "broker on ipc://farm-broker.sock" "$T/b.log" || fail "broker did not start: $(tail -2 "$T/b.log")"
grep -q "connected to ipc://farm-broker.sock" "$T/w.log" || fail "worker did not start: $(tail -2 "$T/w.log")"
echo "ok: the sample documents $keys keys, matches --print-config, and starts broker and worker; tools/farm.cfg.md lists all $nkeys keys and matches --print-config=markdown"
