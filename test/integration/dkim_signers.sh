#!/usr/bin/env bash
# dkim_signers.sh: the two signers agree. The DKIM fixtures (and the sample
# spool) through a real farm twice, with the OpenSSL signer and with
# libopendkim, at a fixed t=, for relaxed/relaxed and relaxed/simple: every
# output file is identical byte for byte, and dkimpy verifies the signatures
# of both.
. "$(dirname "$0")/../lib/farm.sh"
need_dkimpy
K="$T/keys"
fixture_keys "$K"
"$FARM_BIN/farm-keygen" example.com r4096 --rsa 4096 --keys "$K" >/dev/null || fail "keygen rsa 4096"
mkdir -p "$T/in"
cp "$TOP"/test/dkim/spool/* "$T/in/"
for f in "$TOP"/test/sample/*.eml; do
    b=$(basename "$f" .eml)
    cp "$f" "$T/in/sample-$b.eml"
    [ -f "${f%.eml}.env" ] && cp "${f%.eml}.env" "$T/in/sample-$b.env"
done
signed=0
for canon in relaxed relaxed/simple; do
    for s in openssl opendkim; do
        "$FARM_BIN/farm-replay" "$T/in" --out "$T/out-$s" --json "$T/$s.json" --keys "$K" \
            --canon "$canon" --signer "$s" --dkim-time 1700000000 >"$T/replay-$s.log" 2>&1 ||
            fail "replay with $s: $(tail -3 "$T/replay-$s.log")"
    done
    n=$(ls "$T/out-openssl/outgoing" | wc -l)
    [ "$n" -gt 20 ] || fail "only $n delivered"
    # Queue ids differ between runs: compare by source file.
    for f in "$T"/out-openssl/outgoing/*; do
        src=$(sed -n 's/^source: //p' "$f")
        g=$(grep -l "^source: $src$" "$T"/out-opendkim/outgoing/*) || fail "$src: not delivered by the libopendkim run"
        diff <(sed -n '/^$/,$p' "$f") <(sed -n '/^$/,$p' "$g") >"$T/diff" ||
            { head -20 "$T/diff"; fail "$src ($canon): the signers differ"; }
        grep -q '^dkim: ' "$f" && signed=$((signed + $(grep -c '^dkim: ' "$f")))
    done
    for s in openssl opendkim; do
        $PY "$TOP/test/lib/dkim_check.py" "$K" $(grep -l '^dkim: ' "$T"/out-$s/outgoing/*) >"$T/check-$s.txt" ||
            { grep -v '^ok ' "$T/check-$s.txt"; fail "dkimpy rejects the $s signer ($canon)"; }
    done
    rm -rf "$T/out-openssl" "$T/out-opendkim"
done
[ "$signed" -ge 20 ] || fail "only $signed signatures compared"
echo "ok: $signed signatures from both signers identical byte for byte (relaxed and relaxed/simple), all verified by dkimpy"
