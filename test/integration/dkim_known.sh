#!/usr/bin/env bash
# dkim_known.sh: known answers from dkimpy's own test data (python3-dkim):
# rfc6376.msg signed with the RFC 8032 7.1 Ed25519 key and dkimpy's RSA test
# key. With relaxed/simple (their body canonicalization), our bh= equals the
# one in rfc6376.signed.msg byte for byte, and both signatures verify against
# the public records dkimpy's tests publish; with relaxed/relaxed (our
# default) too. Simple header canonicalization is refused at start: with it,
# libopendkim 2.11.0 returns a DKIM-Signature folded otherwise than the one
# it signed (b= moved to a line of its own), which verifiers reject.
. "$(dirname "$0")/../lib/farm.sh"
D=$($PY -c "import dkim, os; print(os.path.dirname(dkim.__file__))")/tests/data
[ -f "$D/rfc6376.msg" ] || fail "dkimpy's test data not found under $D"
K="$T/keys/football.example.com"
mkdir -p "$K" "$T/spool"
# The RFC 8032 key is a raw 32-byte seed: wrap it as PKCS#8 for a PEM file.
{ printf '302e020100300506032b657004220420' | xxd -r -p; base64 -d "$D/rfc8032_7_1.key"; } \
    | openssl pkey -inform DER -out "$K/brisbane.pem" || fail "cannot wrap the Ed25519 key"
cp "$D/test.private" "$K/test.pem"
chmod 600 "$K"/*.pem
pub=$(openssl pkey -in "$K/brisbane.pem" -pubout -outform DER | tail -c 32 | base64)
[ "$pub" = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" ] || fail "wrapped key's public half is $pub"
cp "$D/rfc6376.msg" "$T/spool/rfc6376.eml"
printf 'account: joe\nrcpt-to: <suzie@shopping.example.net>\n' >"$T/spool/rfc6376.env"
echo "joe football.example.com" >"$T/accounts"
"$FARM_BIN/farm-replay" "$T/spool" --out "$T/out" --json "$T/out.json" --keys "$T/keys" \
    --accounts "$T/accounts" --canon relaxed/simple --dkim-time 1518460054 >"$T/replay.log" 2>&1 \
    || fail "replay: $(tail -3 "$T/replay.log")"
f=$(ls "$T"/out/outgoing/* 2>/dev/null | head -1)
[ -n "$f" ] || fail "not delivered: $(cat "$T/out.json")"
theirs=$(grep -o 'bh=[^;]*' "$D/rfc6376.signed.msg" | sort -u)
[ "$(wc -l <<<"$theirs")" -eq 1 ] || fail "their signatures disagree on bh="
ours=$(tr -d '\n\t ' <"$f" | grep -o 'bh=[^;]*' | sort -u)
[ "$(grep -c 'bh=' <<<"$(tr -d '\n\t ' <"$f" | grep -o 'bh=[^;]*')")" -eq 2 ] || fail "expected 2 signatures"
[ "$ours" = "$theirs" ] || fail "our $ours, theirs $theirs"
cat >"$T/verify.py" <<'PY'
# verify.py FILE TESTTXT: for each of our two signatures (ed25519 first, as
# keys sort by selector), 1 if it verifies against dkimpy's published records.
import re, sys, dkim
data = open(sys.argv[1], "rb").read().partition(b"\n\n")[2]
msg = re.sub(rb"(?<!\r)\n", b"\r\n", data)
records = {b"brisbane._domainkey.football.example.com.":
               b"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
           b"test._domainkey.football.example.com.": open(sys.argv[2], "rb").read()}
dns = lambda name, timeout=5: records.get(name)
print(" ".join(str(int(bool(dkim.DKIM(msg).verify(idx=i, dnsfunc=dns)))) for i in range(2)))
PY
simple=$($PY "$T/verify.py" "$f" "$D/test.txt")
[ "$simple" = "1 1" ] || fail "relaxed/simple: signatures verify as [$simple] against dkimpy's records"
grep -q "t=1518460054" "$f" || fail "fixed time not used"
"$FARM_BIN/farm-replay" "$T/spool" --out "$T/relaxed" --keys "$T/keys" --accounts "$T/accounts" \
    --dkim-time 1518460054 >"$T/replay2.log" 2>&1 || fail "relaxed replay: $(tail -3 "$T/replay2.log")"
relaxed=$($PY "$T/verify.py" "$(ls "$T"/relaxed/outgoing/*)" "$D/test.txt")
[ "$relaxed" = "1 1" ] || fail "relaxed/relaxed: signatures verify as [$relaxed] against dkimpy's records"
cp "$T/out/log/"*.log "$T/" 2>/dev/null
no_sanitizer_reports
out=$("$FARM_BIN/farm-worker" --canon simple 2>&1) && fail "simple header canonicalization accepted"
grep -q "refused" <<<"$out" || fail "no reason given for refusing simple: $out"
echo "ok: rfc6376.msg: $ours as in rfc6376.signed.msg; Ed25519 and RSA verify against dkimpy's records (relaxed/simple and relaxed/relaxed); simple headers refused"
