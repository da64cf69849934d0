#!/usr/bin/env bash
# notify.sh: the compromise detector's events reach a webhook and a command
# (notify/webhook, notify/command): a flag is POSTed as JSON with an
# HMAC-SHA256 signature the receiver checks (test/lib/hookd.py), retried
# while the receiver answers 500, and run through the command with the same
# JSON on its input. A receiver that is down, or one too slow, costs the
# mail nothing: every message has its verdict as soon as without one, the
# event is retried and then dropped with a log line. Bad settings (a secret
# others may read, a webhook without a secret) stop the broker with a reason.
. "$(dirname "$0")/../lib/farm.sh"
printf 'a-secret-of-the-provider\n' >"$T/secret"
chmod 600 "$T/secret"
# Three days of an account's notes to five friends, then 60 strangers in ten
# minutes (the hijack), and a second account likewise.
python3 - "$T/mail" <<'PY'
import os, sys
out, t0 = sys.argv[1], 1767225600
os.makedirs(out)
n = 0
def msg(acc, t, rcpt):
    global n
    n += 1
    with open("%s/%05d.eml" % (out, n), "w") as f:
        f.write("From: %s <%s@%s.example>\nTo: %s\nSubject: hello\n\nJust a note.\n" % (acc, acc, acc, rcpt))
    with open("%s/%05d.env" % (out, n), "w") as f:
        f.write("account: %s\nmail-from: <%s@%s.example>\nrcpt-to: <%s>\nreceived-at: %d\n" % (acc, acc, acc, rcpt, t))
for acc in ("quiet", "other"):
    for d in range(3):
        for h in (9, 11, 13, 15):
            for k in (0, 1):
                msg(acc, t0 + d * 86400 + h * 3600 + k * 1500, "friend%d@%s-friends.example" % ((h + k) % 5, acc))
    for i in range(60):
        msg(acc, t0 + 3 * 86400 + 36000 + i * 10 + (acc == "other") * 7200, "x%d@far%d.example" % (i, i % 9))
PY
replay() {   # replay NAME CONFIG: the mail through a farm with that farm.cfg
    "$FARM_BIN/farm-replay" "$T/mail" --out "$T/$1" --workers 1 --json "$T/$1.json" --config "$2" \
        >"$T/$1.log" 2>&1 || fail "replay $1: $(tail -3 "$T/$1.log")"
}
hook() {   # hook NAME [hookd options]: a receiver; its URL in HOOK_URL
    python3 "$TOP/test/lib/hookd.py" "$T/$1.port" "$T/secret" "$T/$1.events" "${@:2}" &
    EXTRA+=($!)
    local i=0
    until [ -s "$T/$1.port" ]; do i=$((i + 1)); [ $i -gt 100 ] && fail "hookd did not start"; sleep 0.1; done
    HOOK_URL="http://127.0.0.1:$(cat "$T/$1.port")/hook"
}
# Bad settings first: a secret others may read; a webhook without one.
chmod 644 "$T/secret"
"$FARM_BIN/farm-broker" --spool "$T/bad" --endpoint "ipc://$T/bad.sock" --notify-webhook http://127.0.0.1:9/x \
    --notify-secret "$T/secret" >"$T/bad.out" 2>&1 && fail "a secret others may read accepted"
grep -q "readable by others" "$T/bad.out" || fail "the refusal: $(cat "$T/bad.out")"
chmod 600 "$T/secret"
"$FARM_BIN/farm-broker" --spool "$T/bad" --endpoint "ipc://$T/bad.sock" --notify-webhook http://127.0.0.1:9/x \
    >"$T/bad.out" 2>&1 && fail "a webhook without a secret accepted"
grep -q "notify/secret-file is not" "$T/bad.out" || fail "the refusal: $(cat "$T/bad.out")"

# 1. A receiver that fails twice, then takes the events; and a command.
hook flaky --fail 2
cat >"$T/flaky.cfg" <<EOF2
notify
    webhook = "$HOOK_URL"
    secret-file = "$T/secret"
    retries = 4
    command = 'cat >>$T/command.events; echo " \$FARM_EVENT" >>$T/command.events'
EOF2
replay flaky "$T/flaky.cfg"
grep -c '^ok 200 flag ' "$T/flaky.events" | grep -q '^2$' ||
    fail "not both flags reached the webhook: $(cut -c1-60 "$T/flaky.events" 2>/dev/null)"
[ "$(grep -c '^ok 500 flag' "$T/flaky.events")" -eq 2 ] || fail "not retried twice: $(cut -c1-80 "$T/flaky.events")"
grep -q "^bad-signature" "$T/flaky.events" && fail "a signature the receiver could not check"
grep '^ok 200 flag' "$T/flaky.events" | grep -q '"account":"quiet","reason":"compromise: score .*"score":[0-9.]*,"counts":{"messages_1h":[0-9]*' ||
    fail "the event's JSON: $(grep '^ok 200' "$T/flaky.events" | cut -c1-300)"
# A few queue ids of the burst: the deciding one first, then the account's latest.
grep -q '"queue_ids":\["[0-9a-f]\{24\}"\(,"[0-9a-f]\{24\}"\)\{2,7\}\]' "$T/flaky.events" ||
    fail "not a few queue ids in the event: $(grep -o '"queue_ids":[^]]*]' "$T/flaky.events" | head -2)"
grep -q ' flag$' "$T/command.events" || fail "the command did not run: $(cat "$T/command.events" 2>/dev/null)"
grep -q '"event":"flag","account":"other"' "$T/command.events" || fail "the command's input: $(head -c 300 "$T/command.events")"

# 2. A receiver that is not there: the mail is not slowed; each event is
#    dropped after its retries with a line in the log.
cat >"$T/down.cfg" <<EOF2
notify
    webhook = "http://127.0.0.1:9/nothing-listens"
    secret-file = "$T/secret"
    retries = 1
    timeout-ms = 1000
EOF2
start=$(date +%s)
replay down "$T/down.cfg"
[ $(($(date +%s) - start)) -lt 60 ] || fail "mail waited for a receiver that is down"
[ "$(grep -c '"verdict"' "$T/down.json")" -eq "$(grep -c '"verdict"' "$T/flaky.json")" ] || fail "not every message has its verdict"
[ "$(grep -c '"verdict":"hold"' "$T/down.json")" -eq "$(grep -c '"verdict":"hold"' "$T/flaky.json")" ] ||
    fail "a receiver down changed the verdicts"
grep -q "notify: flag event dropped after 2 attempt(s)" "$T/down/log/broker.log" ||
    fail "no log line for the dropped event: $(grep notify "$T/down/log/broker.log")"
no_sanitizer_reports
echo "ok: flags POSTed, signed, retried past two 500s; the command got the same JSON; a receiver down cost the mail nothing, the events dropped and logged; a readable secret and a webhook without one refused"
