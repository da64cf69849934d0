#!/usr/bin/env bash
# bad_input.sh: unreadable ingest files go to corrupt/ with a log line, a
# message without recipients is rejected with that reason, an oversize one
# with message-size; ordinary mail around them is delivered and nothing exits.
# A sparse file whose size line says 2 GB is refused with its head alone kept
# in reject/ (before: copied whole, 2.1 GB written on the broker's loop).
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
printf 'farm-spool: 1\nrcpt-to: <a@b.example>\nsize: 2147483648\n\n' >"$T/sparse"
hdr=$(stat -c %s "$T/sparse")
printf 'From: a@b.example\n\nx' >>"$T/sparse"
truncate -s $((hdr + 2147483648)) "$T/sparse"
mv "$T/sparse" "$in/0660d811d095645671d9acbb"
start_broker --max-size 2048
start_worker
start_worker
wait_final 107 60
sleep 0.3
[ "$(ls "$T/spool/corrupt" | wc -l)" -eq 6 ] || fail "corrupt/ holds $(ls "$T/spool/corrupt" | wc -l), expected 6"
[ "$(grep -c 'moved to corrupt/' "$T/broker.log")" -ge 6 ] || fail "no log line for each corrupt file"
[ "$(ls "$T/spool/reject" | wc -l)" -eq 12 ] || fail "reject/ holds $(ls "$T/spool/reject" | wc -l), expected 12"
[ "$(grep -l '^reason: no-recipients$' "$T/spool/reject"/* | wc -l)" -eq 10 ] || fail "no-recipients reason missing"
grep -q '^reason: message-size: 3000 bytes, limit 2048 (only its first 3000 bytes kept here)$' "$T/spool/reject/0660d811d095645671d9acba" \
    || fail "oversize message not rejected with message-size"
grep -q '^reason: message-size: 2147483648 bytes, limit 2048 (only its first 65536 bytes kept here)$' "$T/spool/reject/0660d811d095645671d9acbb" \
    || fail "the sparse 2 GB message not rejected with its head: $(grep '^reason' "$T/spool/reject/0660d811d095645671d9acbb")"
[ "$(stat -c %s "$T/spool/reject/0660d811d095645671d9acbb")" -lt 70000 ] || fail "the 2 GB message copied whole into reject/"
[ "$(ls "$T/spool/outgoing" | wc -l)" -eq 90 ] || fail "ordinary mail not delivered"
kill -0 $BROKER || fail "broker died"
for w in "${WORKERS[@]}"; do kill -0 "$w" || fail "a worker died"; done
rm -f "$T/orig/"*  # originals checked elsewhere; here only counts matter
stop_farm
no_sanitizer_reports
echo "ok: 6 corrupt, 12 rejected with reasons (a sparse 2 GB one with its head only), 90 delivered, no process died"
