#!/usr/bin/env bash
# smtpd.sh: farm-smtpd as clients meet it (test/lib/smtpd_check.py says what
# each check tries): ESMTP with pipelining, DSN parameters kept in the
# envelope, limits answered at the right moment, hostile clients (a 1 MB
# command line, bare LF and smuggling, 10,000 RCPT, a client that never
# sends, 1,000 idle sessions, too many sessions, too many from one address),
# XFORWARD, XCLIENT and the account header believed from trusted clients
# only, and AUTH PLAIN and
# LOGIN over STARTTLS against crypt(3) hashes (SHA-512 and yescrypt), with a
# real TLS client (Python's ssl). A broker sets the spool up and is stopped,
# so that what farm-smtpd queued stays in incoming/ to be read.
. "$(dirname "$0")/../lib/farm.sh"
start_broker
kill "$BROKER"; wait "$BROKER" 2>/dev/null; BROKER=0
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -days 2 \
    -subj /CN=farm.test >/dev/null 2>&1 || fail "openssl req"
chmod 600 "$T/tls.key"
PW=correct-horse
{ echo "# accounts of the test"; echo "shopuser:$(openssl passwd -6 "$PW")"
  $PY -c 'import crypt,sys; print("yesuser:" + crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_SHA512).replace("$6$", "$y$j9T$", 1)))' "$PW" 2>/dev/null |
      grep '^yesuser:\$y\$' ; } >"$T/auth.accounts"
chmod 600 "$T/auth.accounts"
declare -A PID
smtpd() {   # smtpd NAME [flags]: start one on a free port, its port in $PORT, its pid in PID[NAME]
    local name=$1; shift
    PORT=$(free_port)
    "$FARM_BIN/farm-smtpd" --spool "$T/spool" --listen "127.0.0.1:$PORT" --hostname farm.test "$@" \
        >>"$T/smtpd-$name.log" 2>&1 &
    EXTRA+=($!)
    PID[$name]=$!
    local i=0
    until $PY -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT)).close()" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && fail "farm-smtpd $name did not listen: $(tail -3 "$T/smtpd-$name.log")"
        sleep 0.1
    done
}
ulimit -n 4096 2>/dev/null || true   # the idle check holds 1,000 sockets
check() { $PY "$TOP/test/lib/smtpd_check.py" "$@" --spool "$T/spool" || fail "smtpd_check $1"; }

smtpd main --tls-cert "$T/tls.crt" --tls-key "$T/tls.key" --smtpd-metrics-file "$T/smtpd.prom"
MAIN=$PORT
check basics --port "$PORT"
check hostile --port "$PORT" --tls-port "$PORT" --pid "${PID[main]}"
check trusted --port "$PORT"
# Its metrics (rewritten every second): what it did so far.
i=0
# Every message it queued so far is in incoming/ (no broker reads it).
queued=$(ls "$T/spool/incoming" | wc -l)
until grep -q "^farm_smtpd_messages_total{result=\"queued\"} $queued\$" "$T/smtpd.prom" 2>/dev/null &&
      grep -q '^farm_smtpd_sessions_total{result="tls"} [1-9]' "$T/smtpd.prom"; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "metrics: $(cat "$T/smtpd.prom" 2>/dev/null)"; sleep 0.1
done
grep -q '^farm_smtpd_commits_total [1-9]' "$T/smtpd.prom" && grep -q '^farm_smtpd_sessions{state="max"} 1000$' "$T/smtpd.prom" ||
    fail "metrics: $(cat "$T/smtpd.prom")"
echo "ok: smtpd/metrics-file counts the sessions, TLS, the messages queued and the commits"
smtpd limits --max-size 20000 --max-rcpt 50 --max-headers 30 --max-line-length 1000
check limits --port "$PORT"
smtpd idle --session-timeout-s 2 --max-sessions 1100
check idle --port "$PORT"
smtpd busy --max-sessions 20
check busy --port "$PORT"
# Several listeners in one process.
P1=$(free_port); P2=$(free_port)
"$FARM_BIN/farm-smtpd" --spool "$T/spool" --listen "127.0.0.1:$P1,127.0.0.1:$P2" >>"$T/smtpd-two.log" 2>&1 &
EXTRA+=($!)
PID[two]=$!
for p in $P1 $P2; do
    i=0
    until $PY -c "import smtplib; s = smtplib.SMTP('127.0.0.1', $p); s.ehlo('x'); s.quit()" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && fail "listener $p of two: $(tail -2 "$T/smtpd-two.log")"; sleep 0.1
    done
done
echo "ok: two listeners in one farm-smtpd answer"
smtpd untrusted --trusted 192.0.2.0/24 --auth-required=false
check untrusted --port "$PORT"
smtpd perclient --trusted 192.0.2.0/24 --max-per-client 5
check per_client --port "$PORT"
smtpd auth --trusted 192.0.2.0/24 --tls-cert "$T/tls.crt" --tls-key "$T/tls.key" \
    --auth-accounts "$T/auth.accounts"
check auth --port "$PORT" --user shopuser --password "$PW"
if grep -q '^yesuser:' "$T/auth.accounts"; then
    check auth --port "$PORT" --user yesuser --password "$PW"
    check auth_parallel --port "$PORT" --user yesuser --password "$PW"
fi
# SIGHUP: an account added to the file logs in without a restart.
echo "newuser:$(openssl passwd -6 "$PW")" >>"$T/auth.accounts"
kill -HUP "${PID[auth]}"
i=0
until grep -q "smtpd/auth-accounts: [0-9]* accounts" "$T/smtpd-auth.log"; do
    i=$((i + 1)); [ $i -gt 100 ] && fail "SIGHUP did not reread the accounts"; sleep 0.1
done
check auth --port "$PORT" --user newuser --password "$PW"
echo "ok: SIGHUP rereads the accounts file: a new account logs in"

# Memory flat in the number of messages: what 1,200 more cost after 400.
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
$PY "$TOP/test/lib/smtp_load.py" send --port "$MAIN" --count 400 --sessions 4 --record "$T/mem1" || fail "load 1"
r1=$(rss "${PID[main]}")
$PY "$TOP/test/lib/smtp_load.py" send --port "$MAIN" --count 1200 --sessions 4 --record "$T/mem2" || fail "load 2"
r2=$(rss "${PID[main]}")
[ "$(grep -c ' 250$' "$T/mem2")" -eq 1200 ] || fail "not all 1,200 queued: $(grep -vc ' 250$' "$T/mem2") refused"
case "$FARM_BIN" in
*asan*) echo "ok: 1,600 messages through farm-smtpd (its memory not judged under ASan, whose quarantine keeps what is freed)" ;;
*)  [ $((r2 - r1)) -lt 4096 ] || fail "farm-smtpd grew from $r1 to $r2 KB over 1,200 messages"
    echo "ok: farm-smtpd's memory flat: $r1 KB after 400 messages, $r2 KB after 1,600" ;;
esac

# SIGTERM: a session in the middle is told 421 4.3.2, and every instance
# stops by itself with exit 0 (under ASan: nothing leaked).
$PY - "$MAIN" >"$T/term.out" 2>&1 <<'PYEOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO t\r\n")
while f.readline()[3:4] == b"-":
    pass
print("ready", flush=True)
print("got %r" % f.readline(), flush=True)
PYEOF
py=$!
i=0; until grep -qs ready "$T/term.out"; do i=$((i + 1)); [ $i -gt 100 ] && fail "SIGTERM client"; sleep 0.1; done
for name in "${!PID[@]}"; do kill -TERM "${PID[$name]}"; done
for name in "${!PID[@]}"; do
    wait "${PID[$name]}"; rc=$?
    [ $rc -eq 0 ] || fail "farm-smtpd $name exited $rc on SIGTERM"
done
wait "$py"
grep -q "got b'421 farm.test 4.3.2" "$T/term.out" || fail "the session open at SIGTERM: $(cat "$T/term.out")"
no_sanitizer_reports
echo "ok: SIGTERM: the open session told 421 4.3.2, every instance stopped with exit 0"
# Configurations it must refuse, saying why, without starting.
bad() {   # bad WHAT-IN-THE-MESSAGE flags...
    local want=$1; shift
    "$FARM_BIN/farm-smtpd" --spool "$T/spool" --listen "127.0.0.1:$(free_port)" "$@" >"$T/bad.out" 2>&1 &&
        fail "farm-smtpd started with $*"
    grep -q "$want" "$T/bad.out" || fail "farm-smtpd $*: no '$want' in: $(cat "$T/bad.out")"
}
bad "needs smtpd/tls-cert" --auth-accounts "$T/auth.accounts"
chmod 644 "$T/auth.accounts"
bad "readable by others" --auth-accounts "$T/auth.accounts" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
echo "weak:abc123" >"$T/weak.accounts"; chmod 600 "$T/weak.accounts"
bad "not yescrypt" --auth-accounts "$T/weak.accounts" --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
bad "is not auth, xclient" --account-from "auth,passport"
bad "bad prefix length" --trusted "10.0.0.0/33"
bad "the broker's spool root" --spool "$T/nospool"
echo "ok: farm-smtpd refuses to start on AUTH without TLS, an accounts file others can read, a weak hash, a bad account order, a bad network, a spool no broker set up"
