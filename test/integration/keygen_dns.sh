#!/usr/bin/env bash
# keygen_dns.sh: the TXT records farm-keygen prints are ones a zone takes:
# named-checkzone (Debian bind9-utils) loads a zone with the RSA-2048,
# RSA-4096 and Ed25519 records as printed, every string at most 255
# characters, and the strings joined give the key's public half (before:
# the RSA-2048 record was one 410-character string, which named-checkzone
# refuses). --print gives the record again for a key that exists.
. "$(dirname "$0")/../lib/farm.sh"
command -v named-checkzone >/dev/null || fail "named-checkzone is not installed (tools/setup.sh installs bind9-utils)"
K="$FARM_BIN/farm-keygen"
$K shop.example r2048 --keys "$T/keys" >"$T/r2048" || fail "keygen rsa"
$K shop.example r4096 --rsa 4096 --keys "$T/keys" >"$T/r4096" || fail "keygen rsa 4096"
$K shop.example ed1 --ed25519 --keys "$T/keys" >"$T/ed1" || fail "keygen ed25519"
{
    printf '$TTL 3600\n@ IN SOA ns.shop.example. hostmaster.shop.example. 1 3600 600 86400 3600\n'
    printf '@ IN NS ns.shop.example.\nns IN A 192.0.2.1\n'
    for r in r2048 r4096 ed1; do tail -n 1 "$T/$r"; done
} >"$T/zone"
out=$(named-checkzone shop.example "$T/zone" 2>&1) || fail "named-checkzone refused the records: $out"
for r in r2048 r4096 ed1; do
    rec=$(tail -n 1 "$T/$r")
    long=$(grep -o '"[^"]*"' <<<"$rec" | awk '{ if (length($0) - 2 > 255) print }')
    [ -z "$long" ] || fail "$r: a string longer than 255"
    joined=$(grep -o '"[^"]*"' <<<"$rec" | tr -d '"\n')
    p=${joined##*p=}
    if [ "$r" = ed1 ]; then
        want=$(openssl pkey -in "$T/keys/shop.example/$r.pem" -pubout -outform DER | tail -c 32 | base64 -w0)
    else
        want=$(openssl pkey -in "$T/keys/shop.example/$r.pem" -pubout -outform DER | base64 -w0)
    fi
    [ "$p" = "$want" ] || fail "$r: the record's p= is not the key's public half"
    again=$($K --print shop.example $r --keys "$T/keys" | tail -n 1)
    [ "$again" = "$rec" ] || fail "$r: --print gave another record"
done
$K --print shop.example nosuch --keys "$T/keys" >/dev/null 2>&1 && fail "--print of a missing key succeeded"
[ ! -e "$T/keys/none.example" ] || fail "--print made a folder"
echo "ok: RSA 2048 and 4096 and Ed25519 records load in named-checkzone, strings <= 255, p= is the public key; --print"
