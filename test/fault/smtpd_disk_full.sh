#!/usr/bin/env bash
# smtpd_disk_full.sh: the spool's disk full under farm-smtpd: a message is
# refused 451 4.3.0 after its data (the client keeps it, as Postfix would
# in its queue), nothing of it is left in the spool, farm-smtpd lives on;
# with space back the same message is taken (250) and delivered once.
# Needs root to mount a small tmpfs; skipped, saying so, where it cannot.
. "$(dirname "$0")/../lib/farm.sh"
tmpfs_spool 8m
start_broker
start_worker
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$FARM_BIN/farm-smtpd" --spool "$T/spool" --listen "127.0.0.1:$PORT" >>"$T/smtpd.log" 2>&1 &
SMTPD=$!
EXTRA+=($SMTPD)
i=0
until $PY -c "import socket; socket.create_connection(('127.0.0.1',$PORT)).close()" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "farm-smtpd did not listen"; sleep 0.1
done
head -c $(( $(df -B1 --output=avail "$T/spool" | tail -1) )) /dev/zero >"$T/spool/filler" 2>/dev/null
send() {   # send: one 200 KB message; prints the reply code to its data
    $PY - "$PORT" <<'PYEOF'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
body = b"From: office@shop.example\r\nTo: r@y.example\r\nSubject: disk full\r\n\r\n" + b"the same message, kept by its client\r\n" * 5000
try:
    s.sendmail("office@shop.example", ["r@y.example"], body)
    print(250)
except smtplib.SMTPDataError as e:
    print(e.smtp_code, e.smtp_error.decode())
s.quit()
PYEOF
}
got=$(send)
case "$got" in "451 4.3.0"*) ;; *) fail "disk full: wanted 451 4.3.0, got '$got'" ;; esac
kill -0 "$SMTPD" || fail "farm-smtpd died on ENOSPC"
[ -z "$(ls "$T/spool/incoming" "$T/spool/tmp" | grep -v '^/\|^$')" ] ||
    fail "a refused message left files: $(ls "$T/spool/incoming" "$T/spool/tmp")"
rm -f "$T/spool/filler"
got=$(send)
[ "$got" = 250 ] || fail "with space back: '$got'"
wait_final 1 30
[ "$(final_count)" -eq 1 ] || fail "$(final_count) messages finished, wanted 1"
grep -l "kept by its client" "$T/spool/outgoing"/* >/dev/null 2>&1 || fail "the message is not in outgoing/: $(cd "$T/spool" && ls outgoing hold reject deferred corrupt)"
echo "ok: disk full: 451 4.3.0 after the data, nothing left in the spool, farm-smtpd alive; space back: the same message taken and delivered once"
