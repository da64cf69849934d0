#!/usr/bin/env bash
# valgrind.sh: the broker and a worker under valgrind memcheck, with the
# sender state on, a model, DKIM keys (RSA and Ed25519) and lockdown, over
# ordinary, signed, hostile and over-limit messages: no memory error
# reported by either process. (Leaks are LeakSanitizer's job, in build-asan.)
# Runs on the optimised build only.
. "$(dirname "$0")/../lib/farm.sh"
case $FARM_BIN in *asan*) echo "skipped: valgrind runs on the optimised build, not under ASan"; exit 0 ;; esac
command -v valgrind >/dev/null || fail "valgrind is not installed (tools/setup.sh installs it)"
VG="valgrind --tool=memcheck --error-exitcode=99 --track-origins=yes --log-file=$T/vg-%p.log"
HB="--heartbeat-ms 1000"
mkdir -p "$T/keys"
tiny_model
"$FARM_BIN/farm-keygen" shop.example rsa1 --keys "$T/keys" >/dev/null || fail "keygen rsa"
"$FARM_BIN/farm-keygen" shop.example ed1 --ed25519 --keys "$T/keys" >/dev/null || fail "keygen ed25519"
printf 'carol shop.example\nhost host.example\n' >"$T/accounts"
# farm-submit writes only into a spool a broker has set up: one does, first.
vg=$VG; VG=""; start_broker; stop_farm; VG=$vg
n=$(python3 "$TOP/test/lib/hostile.py" "$T/spool" "$T/manifest")
for i in 1 2 3 4 5; do
    printf 'From: Carol <carol@shop.example>\nTo: x@y.example\nSubject: signed %d\nDate: Thu, 01 Jan 2026 00:00:00 +0000\n\nthe notes, %d\n' $i $i |
        "$FARM_BIN/farm-submit" --spool "$T/spool" -f carol@shop.example -a carol x@y.example >/dev/null || fail "submit"
done
printf 'From: Mallory <m@shop.example>\nTo: x@y.example\nSubject: forged\n\nx\n' |
    "$FARM_BIN/farm-submit" --spool "$T/spool" -f m@host.example -a host x@y.example >/dev/null || fail "submit"
n=$((n + 6))
export WATCH=true
start_broker --max-size 1048576 --lease-ms 120000
start_worker --models "$T/models" --keys "$T/keys" --accounts "$T/accounts" --max-size 1048576
wait_final "$n" 600
[ "$(grep -l '^dkim: ' "$T"/spool/outgoing/* | wc -l)" -ge 5 ] || fail "signed mail missing"
stop_farm
logs=$(ls "$T"/vg-*.log | wc -l)
[ "$logs" -ge 2 ] || fail "valgrind wrote $logs log(s)"
bad=$(grep -L "ERROR SUMMARY: 0 errors" "$T"/vg-*.log)
[ -z "$bad" ] && ! grep -q "Invalid\|uninitialised\|Mismatched" "$T"/vg-*.log ||
    { for f in "$T"/vg-*.log; do sed -n '1,60p' "$f"; done; fail "memcheck reported errors"; }
echo "ok: broker and worker under memcheck over $n messages (ordinary, signed, hostile, over the limits): 0 errors"
