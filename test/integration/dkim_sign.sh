#!/usr/bin/env bash
# dkim_sign.sh: the DKIM fixtures through a real farm with keys and an accounts
# table. Every delivered message is signed with every key of its From: domain
# and each signature verifies with dkimpy (bh= equal to dkimpy's own); domain
# lockdown rejects what the account does not own, with a reason, unsigned;
# an owned domain without a usable key is delivered unsigned (no-key); a key
# file readable by others is refused.
. "$(dirname "$0")/../lib/farm.sh"
need_dkimpy
K="$T/keys"
fixture_keys "$K"
"$FARM_BIN/farm-keygen" perm.example p1 --keys "$K" >/dev/null || fail "keygen perm"
chmod 644 "$K/perm.example/p1.pem"
"$FARM_BIN/farm-replay" "$TOP/test/dkim/spool" --out "$T/out" --json "$T/out.json" --keys "$K" \
    --accounts "$TOP/test/dkim/accounts" >"$T/replay.log" 2>&1 || fail "replay: $(tail -3 "$T/replay.log")"
cp "$T/out/log/"*.log "$T/" 2>/dev/null
verdict() { grep "\"file\":\"$1.eml\"" "$T/out.json"; }
expect() {   # expect NAME VERDICT [REASON-REGEX] [NSIGS]
    local line; line=$(verdict "$1")
    grep -q "\"verdict\":\"$2\"" <<<"$line" || fail "$1: expected $2: $line"
    [ -z "${3:-}" ] || grep -q "$3" <<<"$line" || fail "$1: expected reason /$3/: $line"
    if [ -n "${4:-}" ]; then
        local n; n=$(grep -o '"dkim":\[[^]]*\]' <<<"$line" | grep -o ':[a-z0-9.]*:' | wc -l)
        [ "$n" -eq "$4" ] || fail "$1: $n signature(s), expected $4: $line"
    fi
}
for f in folded long-header trailing-ws empty-body crlf eight-bit long-lines presigned no-final-newline; do
    expect $f deliver "" 2
done
expect subdomain deliver "" 1
expect owned-no-key deliver '"no-key: no DKIM key for deep.sub.example"' 0
expect bad-key-mode deliver '"no-key: no DKIM key for perm.example"' 0
expect forged-domain reject '"domain-lockdown: account alice may not send as bank.example"' 0
expect wildcard-parent reject '"domain-lockdown: account alice may not send as sub.example"' 0
expect no-from reject '"no-from' 0
expect two-from reject '"several-from: 2 From: header fields"' 0
expect two-addresses reject '"several-from-addresses' 0
expect no-domain reject '"from-no-domain' 0
grep -q "perm.example/p1.pem: mode 0644 lets group or others read a private key; refused" "$T"/worker-*.log \
    || fail "the world-readable key was not refused with a clear error"
# Rejected messages carry no signature.
for f in "$T"/out/reject/*; do grep -q "^DKIM-Signature:" "$f" && fail "a rejected message was signed: $f"; done
# The independent verifier, on every signed message.
$PY "$TOP/test/lib/dkim_check.py" "$K" $(grep -l '^dkim: ' "$T"/out/outgoing/*) >"$T/check.out" 2>&1 \
    || fail "dkimpy: $(grep -v '^ok' "$T/check.out" | head -5)"
# The message someone else signed keeps their signature after ours.
f=$(grep -l '^source: presigned.eml$' "$T"/out/outgoing/*)
[ "$(grep -c '^DKIM-Signature:' "$f")" -eq 3 ] || fail "presigned: theirs not kept beside ours"
grep -q "d=elsewhere.example" "$f" || fail "presigned: their signature is gone"
no_sanitizer_reports
echo "ok: $(grep -c '^ok' "$T/check.out") signed messages verified by dkimpy; lockdown and no-key cases as expected"
