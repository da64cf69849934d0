#!/usr/bin/env bash
# keys_apart.sh: the DKIM private keys live in the worker's key process
# (worker/keyd.h), not in the process that parses the mail. Before, every
# worker read every key into its own memory: a parser bug could read them
# all. Now the worker's memory holds no piece of a key file while it signs,
# the key process's does, and the mail is signed all the same (both signers).
# Reads /proc/PID/mem: needs root (or ptrace rights); skipped otherwise.
. "$(dirname "$0")/../lib/farm.sh"
[ -r /proc/self/mem ] && [ "$(id -u)" = 0 ] || { echo "skipped: reading another process's memory needs root"; exit 0; }
"$FARM_BIN/farm-keygen" shop.example s1 --keys "$T/keys" >/dev/null || fail "keygen"
"$FARM_BIN/farm-keygen" shop.example e1 --keys "$T/keys" --ed25519 >/dev/null || fail "keygen ed25519"
echo "alice shop.example" >"$T/accounts"
in_memory() {   # in_memory PID NEEDLE-FILE: 0 when the text of a key line is in PID's memory, 1 when not, 2 when it cannot tell
    python3 - "$1" "$2" <<'PY'
import os, re, sys
sys.excepthook = lambda *a: (print("in_memory:", a[1], file=sys.stderr), os._exit(2))
pid, needles = sys.argv[1], [l.strip().encode() for l in open(sys.argv[2]) if l.strip()]
longest = max(len(n) for n in needles)
CHUNK = 16 << 20
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) r", line)
        if not m or "[vvar]" in line or "[vsyscall]" in line:
            continue
        a, b = int(m.group(1), 16), int(m.group(2), 16)
        # AddressSanitizer's shadow: terabytes mapped, nothing of ours in it.
        if b - a > (8 << 30):
            continue
        pos, tail = a, b""
        while pos < b:
            try:
                mem.seek(pos)
                data = mem.read(min(CHUNK, b - pos))
            except (OSError, OverflowError, ValueError):
                break
            if not data:
                break
            window = tail + data
            if any(n in window for n in needles):
                sys.exit(0)
            tail = window[-longest:]
            pos += len(data)
sys.exit(1)
PY
}
# The middle lines of each PEM: base64 of the private key, nothing public.
for f in "$T"/keys/shop.example/*.pem; do sed -n '2,3p' "$f"; done >"$T/needles"
for signer in openssl opendkim; do
    rm -rf "$T/spool"; mkdir -p "$T/spool"
    start_broker
    start_worker --keys "$T/keys" --accounts "$T/accounts" --signer $signer
    W=${WORKERS[-1]}
    for k in 1 2 3; do
        printf 'From: Alice <alice@shop.example>\nTo: bob@dest.example\nSubject: %s\n\nHello.\n' "$k" |
            "$FARM_BIN/farm-submit" --spool "$T/spool" -f alice@shop.example -a alice bob@dest.example >/dev/null || fail "submit"
    done
    wait_final 3 30
    [ "$(grep -l '^dkim: ' "$T"/spool/outgoing/* | wc -l)" = 3 ] || fail "$signer: not all 3 signed"
    K=$(pgrep -P "$W" | head -1)
    [ -n "$K" ] || fail "$signer: the worker has no key process"
    [ "$(cat /proc/$K/comm)" = farm-keys ] || fail "$signer: the worker's child is $(cat /proc/$K/comm)"
    r=0; in_memory "$W" "$T/needles" || r=$?
    [ $r = 1 ] || fail "$signer: a piece of a private key is in the worker's memory (or it could not be read: $r)"
    r=0; in_memory "$K" "$T/needles" || r=$?
    [ $r = 0 ] || fail "$signer: the key process does not hold the keys, the test would prove nothing ($r)"
    stop_farm
    kill -0 "$K" 2>/dev/null && { sleep 1; kill -0 "$K" 2>/dev/null && fail "$signer: the key process outlived its worker"; }
done
no_sanitizer_reports
echo "ok: both signers sign 3 of 3; no piece of a key in the worker's memory, the keys in its key process, which ends with it"
