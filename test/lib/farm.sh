# farm.sh: sourced by integration and fault tests. Starts real brokers and
# workers in a private folder, waits for outcomes, checks sanitizer reports,
# and cleans up whatever happens.
set -u
FARM_BIN=${FARM_BIN:-build/bin}
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/farm-test.XXXXXX")
EP="ipc://$T/broker.sock"
BROKER=0
WORKERS=()
EXTRA=()   # other processes a test starts (killed at the end, like the farm)
HB="--heartbeat-ms 200"
VG=""      # a command to run broker and workers under (valgrind.sh sets it)

cleanup() {
    local p
    # Quiet: the shell's "Killed" notices for what is killed here would stand
    # in for the test's last line.
    exec 2>/dev/null
    for p in $BROKER "${WORKERS[@]}" "${EXTRA[@]}"; do
        [ "$p" -gt 0 ] 2>/dev/null && kill -9 "$p" 2>/dev/null
    done
    wait 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    local f
    for f in "$T"/*.log; do
        [ -f "$f" ] && { echo "--- $(basename "$f") (last lines)"; tail -n 8 "$f"; }
    done
    exit 1
}

start_broker() {
    # The transport tests send floods from few accounts, which compromise
    # detection rightly holds: they run without it unless WATCH=true. They
    # count one output a message, so rejects are not bounced unless
    # NOTIFY=sender.
    $VG "$FARM_BIN/farm-broker" --spool "$T/spool" --endpoint "$EP" --verdict-log "$T/verdicts.jsonl" \
        --watch="${WATCH:-false}" --reject-notify "${NOTIFY:-none}" --control "ipc://$T/control.sock" \
        $HB "$@" >>"$T/broker.log" 2>&1 &
    BROKER=$!
    # Until the spool is set up (farm-submit writes only into a spool a
    # broker has set up), unless the test gave a spool of its own.
    case " $* " in *" --spool "*) return ;; esac
    local i=0
    until [ -e "$T/spool/broker.lock" ]; do
        i=$((i + 1))
        [ $i -gt 200 ] && fail "the broker did not set up $T/spool in 20 s"
        kill -0 "$BROKER" 2>/dev/null || return 0
        sleep 0.1
    done
}

# start_worker [options]: appends the pid to WORKERS
start_worker() {
    local n=${#WORKERS[@]}
    $VG "$FARM_BIN/farm-worker" --endpoint "$EP" $HB "$@" >>"$T/worker-$n.log" 2>&1 &
    WORKERS+=($!)
}

# tiny_model: a Bayes model in $T/models trained on a few of test/sample's
# messages (ham msg-00*, msg-01*; spam spam-001, spam-002), for tests that
# need the content stage to run
tiny_model() {
    mkdir -p "$T/ham" "$T/spam" "$T/models"
    cp "$TOP"/test/sample/msg-0[01]*.eml "$T/ham/"
    cp "$TOP"/test/sample/spam-00[12].eml "$T/spam/"
    "$FARM_BIN/farm-train" --ham "$T/ham" --spam "$T/spam" --models "$T/models" >/dev/null 2>&1 || fail "train"
}

# submit_note [N]: one ordinary note from carol@shop.example (account carol)
# into $T/spool through farm-submit, as an MTA would hand it over
submit_note() {
    printf 'From: carol@shop.example\nTo: x@y.example\nSubject: note %s\n\nthe meeting notes\n' "${1:-}" \
        | "$FARM_BIN/farm-submit" --spool "$T/spool" -f carol@shop.example -a carol x@y.example >/dev/null \
        || fail "submit"
}

# need_dkimpy: the independent DKIM verifier (Debian's python3-dkim), run by PY
PY=/usr/bin/python3
# tmpfs_spool SIZE: $T/spool on a tmpfs of SIZE (8m), unmounted at the end,
# for the tests of a full disk; says skipped and exits 0 where mounting
# needs a root it does not have.
tmpfs_spool() {
    mkdir -p "$T/spool"
    if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size="$1" tmpfs "$T/spool" 2>/dev/null; then
        echo "skipped: mounting a tmpfs needs root (run test/run as root to include it)"
        exit 0
    fi
    trap 'umount_spool' EXIT
}
umount_spool() { local k=${KEEP:-}; KEEP=1; cleanup; umount "$T/spool" 2>/dev/null; [ -n "$k" ] || rm -rf "$T"; }

wait_control() {   # wait_control: until the broker's control socket answers (10 s)
    local i=0
    until "$FARM_BIN/farm-ctl" --control "ipc://$T/control.sock" --timeout-ms 2000 stats >/dev/null 2>&1; do
        i=$((i+1)); [ $i -gt 100 ] && fail "no control socket"
        kill -0 "$BROKER" 2>/dev/null || fail "the broker died: $(tail -3 "$T/broker.log")"
        sleep 0.1
    done
}

verdict_of() {   # verdict_of ACCOUNT RECEIVED-AT: the verdicts of its mail received then
    grep "\"account\":\"$1\".*\"received_at\":$2" "$T/verdicts.jsonl" 2>/dev/null |
        sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p'
}

wait_verdicts() {   # wait_verdicts ACCOUNT RECEIVED-AT N: until N verdicts of that mail (20 s)
    local i=0
    until [ "$(verdict_of "$1" "$2" | wc -l)" -ge "$3" ]; do
        i=$((i+1)); [ $i -gt 200 ] && fail "no verdict for $1 at $2"; sleep 0.1
    done
}

need_dkimpy() {
    $PY -c "import dkim" 2>/dev/null || fail "python3-dkim is not installed (tools/setup.sh installs it)"
}

# fixture_keys DIR: the keys test/dkim's fixtures are signed with (RSA-2048 and
# Ed25519 for shop.example, RSA-1024 for news.sub.example)
fixture_keys() {
    "$FARM_BIN/farm-keygen" shop.example s2048 --keys "$1" >/dev/null || fail "keygen rsa"
    "$FARM_BIN/farm-keygen" shop.example ed1 --ed25519 --keys "$1" >/dev/null || fail "keygen ed25519"
    "$FARM_BIN/farm-keygen" news.sub.example n1024 --rsa 1024 --keys "$1" >/dev/null || fail "keygen rsa 1024"
}

# final_count: messages in the final spools
final_count() {
    local n=0 d
    for d in outgoing hold reject deferred corrupt; do
        [ -d "$T/spool/$d" ] && n=$((n + $(ls "$T/spool/$d" | wc -l)))
    done
    echo $n
}

# wait_final N SECONDS [dirs]: until N messages are in final spools
wait_final() {
    local want=$1 secs=$2 i=0
    while [ "$(final_count)" -lt "$want" ]; do
        i=$((i + 1))
        [ $i -gt $((secs * 10)) ] && fail "only $(final_count) of $want finished in ${secs}s"
        [ "$BROKER" -gt 0 ] && ! kill -0 "$BROKER" 2>/dev/null && fail "the broker died"
        sleep 0.1
    done
}

# stop_farm: SIGTERM everything and wait
stop_farm() {
    local p
    for p in $BROKER "${WORKERS[@]}" "${EXTRA[@]}"; do
        [ "$p" -gt 0 ] 2>/dev/null && kill "$p" 2>/dev/null
    done
    wait 2>/dev/null
    BROKER=0
    WORKERS=()
    EXTRA=()
}

# no_sanitizer_reports: fail if any process reported memory or UB errors
no_sanitizer_reports() {
    if grep -l -E "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T"/*.log 2>/dev/null; then
        fail "sanitizer report in the logs above"
    fi
}

# wait_empty DIR SECONDS: until DIR holds no file (an output is renamed into
# place a moment before its active/ entry is unlinked, in the same commit)
wait_empty() {
    local i=0
    while [ -n "$(ls "$1")" ]; do
        i=$((i + 1))
        [ $i -gt $(($2 * 10)) ] && fail "$1 still holds $(ls "$1" | wc -l) file(s)"
        sleep 0.1
    done
}
