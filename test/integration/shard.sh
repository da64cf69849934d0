#!/usr/bin/env bash
# shard.sh: farm-shard sends each sender to one broker, the same one every
# time and whatever the case of the address; its Postfix map writes each
# next hop as Postfix reads one without MX lookup: "[host]:port", "[host]",
# IPv6 in brackets (before: "[mx2.example:2525]", which Postfix reads as a
# host named "mx2.example:2525").
. "$(dirname "$0")/../lib/farm.sh"
S="$FARM_BIN/farm-shard --brokers mx1.example:2525,mx2.example,[2001:db8::1]:2525"
for i in $(seq 1 60); do echo "user$i@d$((i % 7)).example"; done >"$T/senders"
$S <"$T/senders" >"$T/plain" || fail "farm-shard"
$S --postfix <"$T/senders" >"$T/map" || fail "farm-shard --postfix"
[ "$(wc -l <"$T/map")" -eq 60 ] || fail "not one line a sender"
for want in '\[mx1.example\]:2525' '\[mx2.example\]' '\[2001:db8::1\]:2525'; do
    grep -q " $want\$" "$T/map" || fail "no sender sent to $want: $(sort -u -k2 "$T/map" | head -3)"
done
bad=$(grep -v -E ' \[[^]]+\](:[0-9]+)?$' "$T/map" | head -1)
[ -z "$bad" ] || fail "not a Postfix next hop: $bad"
# The same broker in both forms, every time, whatever the case.
paste -d' ' <(cut -f2 "$T/plain") <(cut -d' ' -f2 "$T/map") | while read -r a b; do
    case "$a" in
        \[*) [ "$b" = "$a" ] ;;
        *:*) [ "$b" = "[${a%:*}]:${a##*:}" ] ;;
        *) [ "$b" = "[$a]" ] ;;
    esac || { echo "FAIL: $a written as $b"; exit 1; }
done || exit 1
[ "$($S USER1@D1.EXAMPLE | cut -f2)" = "$($S user1@d1.example | cut -f2)" ] || fail "case changed the broker"
cmp -s "$T/plain" <($S <"$T/senders") || fail "another run gave other brokers"
echo "ok: 60 senders over 3 brokers, stable, Postfix next hops [host]:port"
