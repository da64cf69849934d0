#!/usr/bin/env bash
# bad_input.sh: unreadable ingest files go to corrupt/ with a log line, a
# message without recipients is rejected with that reason, an oversize one
# with message-size; ordinary mail around them is delivered and nothing exits.
. "$(dirname "$0")/../lib/farm.sh"
python3 "$TOP/test/lib/spoolgen.py" "$T/spool" 100 "$T/orig" --no-rcpt-every 10
in="$T/spool/incoming"
printf 'farm-spool: 1\nsize: 100\n\nshort' >"$in/0660d811d095645671d9acb5"          # truncated
printf 'garbage without a header block' >"$in/0660d811d095645671d9acb6"            # no blank line
printf 'farm-spool: 1\nsize: x\n\n' >"$in/0660d811d095645671d9acb7"                  # bad number
head -c 4096 /dev/urandom >"$in/0660d811d095645671d9acb8"                            # noise
: >"$in/0660d811d095645671d9acb9"                                                    # empty
printf 'x' >"$in/not-a-queue-id"
big=$(head -c 3000 /dev/zero | tr '\0' a)
printf 'farm-spool: 1\nrcpt-to: <a@b.example>\nsize: %d\n\n%s' ${#big} "$big" >"$in/0660d811d095645671d9acba"
start_broker --max-size 2048
start_worker
start_worker
wait_final 106 60
sleep 0.3
[ "$(ls "$T/spool/corrupt" | wc -l)" -eq 6 ] || fail "corrupt/ holds $(ls "$T/spool/corrupt" | wc -l), expected 6"
[ "$(grep -c 'moved to corrupt/' "$T/broker.log")" -ge 6 ] || fail "no log line for each corrupt file"
[ "$(ls "$T/spool/reject" | wc -l)" -eq 11 ] || fail "reject/ holds $(ls "$T/spool/reject" | wc -l), expected 11"
[ "$(grep -l '^reason: no-recipients$' "$T/spool/reject"/* | wc -l)" -eq 10 ] || fail "no-recipients reason missing"
grep -q '^reason: message-size: 3000 bytes, limit 2048$' "$T/spool/reject/0660d811d095645671d9acba" \
    || fail "oversize message not rejected with message-size"
[ "$(ls "$T/spool/outgoing" | wc -l)" -eq 90 ] || fail "ordinary mail not delivered"
kill -0 $BROKER || fail "broker died"
for w in "${WORKERS[@]}"; do kill -0 "$w" || fail "a worker died"; done
rm -f "$T/orig/"*  # originals checked elsewhere; here only counts matter
stop_farm
no_sanitizer_reports
echo "ok: 6 corrupt, 11 rejected with reasons, 90 delivered, no process died"
