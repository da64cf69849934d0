#!/usr/bin/env bash
# smtpd.sh: farm-smtpd as clients meet it (test/lib/smtpd_check.py says what
# each check tries): ESMTP with pipelining, DSN parameters kept in the
# envelope, limits answered at the right moment, hostile clients (a 1 MB
# command line, bare LF and smuggling, 10,000 RCPT, a client that never
# sends, 1,000 idle sessions, too many sessions), XFORWARD, XCLIENT and the
# account header believed from trusted clients only, and AUTH PLAIN and
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
N=0
smtpd() {   # smtpd NAME [flags]: start one on a free port, its port in $PORT
    local name=$1; shift
    PORT=$(free_port)
    "$FARM_BIN/farm-smtpd" --spool "$T/spool" --listen "127.0.0.1:$PORT" --hostname farm.test "$@" \
        >>"$T/smtpd-$name.log" 2>&1 &
    EXTRA+=($!)
    local i=0
    until $PY -c "import socket,sys; socket.create_connection(('127.0.0.1',$PORT)).close()" 2>/dev/null; do
        i=$((i + 1)); [ $i -gt 100 ] && fail "farm-smtpd $name did not listen: $(tail -3 "$T/smtpd-$name.log")"
        sleep 0.1
    done
}
ulimit -n 4096 2>/dev/null || true   # the idle check holds 1,000 sockets
check() { $PY "$TOP/test/lib/smtpd_check.py" "$@" --spool "$T/spool" || fail "smtpd_check $1"; }

smtpd main --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"
check basics --port "$PORT"
check hostile --port "$PORT" --tls-port "$PORT"
check trusted --port "$PORT"
smtpd limits --max-size 20000 --max-rcpt 50 --max-headers 30 --max-line-length 1000
check limits --port "$PORT"
smtpd idle --session-timeout-s 2 --max-sessions 1100
check idle --port "$PORT"
smtpd busy --max-sessions 20
check busy --port "$PORT"
smtpd untrusted --trusted 192.0.2.0/24 --auth-required=false
check untrusted --port "$PORT"
smtpd auth --trusted 192.0.2.0/24 --tls-cert "$T/tls.crt" --tls-key "$T/tls.key" \
    --auth-accounts "$T/auth.accounts"
check auth --port "$PORT" --user shopuser --password "$PW"
if grep -q '^yesuser:' "$T/auth.accounts"; then
    check auth --port "$PORT" --user yesuser --password "$PW"
fi
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
