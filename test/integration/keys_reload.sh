#!/usr/bin/env bash
# keys_reload.sh: a running worker picks up a new DKIM key and a changed
# accounts table between jobs; farm-keygen writes 0600 keys, never overwrites
# one, and prints the DNS record of the key it wrote.
. "$(dirname "$0")/../lib/farm.sh"
K="$T/keys"
mkdir -p "$K"
echo "carol other.example" >"$T/accounts"
submit() {   # submit FROM-DOMAIN: one message from carol
    printf 'From: carol@%s\nTo: x@y.example\nSubject: s\n\nbody\n' "$1" \
        | "$FARM_BIN/farm-submit" --spool "$T/spool" -f "carol@$1" -a carol x@y.example >/dev/null \
        || fail "submit"
}
start_broker
start_worker --keys "$K" --accounts "$T/accounts" --keys-check-ms 0
submit shop.example          # not carol's domain yet: rejected
wait_final 1 20
grep -q '^reason: domain-lockdown: account carol may not send as shop.example$' "$T"/spool/reject/* \
    || fail "lockdown did not reject"
echo "carol other.example shop.example" >"$T/accounts.new" && mv "$T/accounts.new" "$T/accounts"
submit shop.example          # now hers, but no key: delivered unsigned
wait_final 2 20
grep -q '^reason: no-key: no DKIM key for shop.example$' "$T"/spool/outgoing/* || fail "no-key reason missing"
out=$("$FARM_BIN/farm-keygen" shop.example s1 --ed25519 --keys "$K") || fail "keygen"
[ "$(stat -c %a "$K/shop.example/s1.pem")" = 600 ] || fail "key mode $(stat -c %a "$K/shop.example/s1.pem")"
p=$(grep -o 'p=[^"]*' <<<"$out" | cut -c3-)
[ "$p" = "$(openssl pkey -in "$K/shop.example/s1.pem" -pubout -outform DER | tail -c 32 | base64)" ] \
    || fail "the printed record does not match the key"
"$FARM_BIN/farm-keygen" shop.example s1 --keys "$K" >/dev/null 2>&1
[ $? -eq 73 ] || fail "an existing key was not refused"
submit shop.example          # signed with the new key
wait_final 3 20
n=$(grep -l '^dkim: ed25519-sha256:shop.example:s1$' "$T"/spool/outgoing/* | wc -l)
[ "$n" -eq 1 ] || fail "the new key was not used ($n signed)"
/usr/bin/python3 "$TOP/test/lib/dkim_check.py" "$K" $(grep -l '^dkim: ' "$T"/spool/outgoing/*) >/dev/null \
    || fail "dkimpy rejects the signature made with the reloaded key"
grep -q "1 DKIM key(s) loaded" "$T/worker-0.log" || fail "no log line for the reload"
stop_farm
no_sanitizer_reports
echo "ok: lockdown, then no-key, then signed: keys and accounts reloaded without a restart"
