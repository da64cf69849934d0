#!/usr/bin/env bash
# fuzz.sh [SECONDS] [TARGET...]: build the libFuzzer targets (scons fuzz=1,
# clang with ASan + UBSan) and run each for SECONDS (default 60) from its
# seeds in test/fuzz/seeds/TARGET, growing a corpus in /tmp/farm-fuzz/TARGET
# (kept between runs). A crash leaves crash-* in the current folder and
# fails; make it a regression seed in test/fuzz/seeds/TARGET and a unit test.
# Targets: content (MIME + tokenizer), envelope, spoolfile, wire, snapshot,
# smtp (farm-relay against a hostile smarthost, and its bounces), maillog
# (farm-ctl learn's Postfix maillog reader), bounce (a remote reply's kind), arf
# (feedback-loop reports), smtpd (farm-smtpd against a hostile client: its
# session and command parser).
# Long runs: tools/fuzz.sh 3600
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=${*:-"content envelope spoolfile wire snapshot smtp maillog bounce arf smtpd"}
scons -Q -j2 fuzz=1 >/tmp/farm-build-fuzz.log 2>&1 ||
    { echo "fuzz build: FAILED (scons fuzz=1)"; tail -20 /tmp/farm-build-fuzz.log; exit 1; }
rc=0
for t in $targets; do
    mkdir -p "/tmp/farm-fuzz/$t"
    if build-fuzz/fuzz/fuzz_$t -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "/tmp/farm-fuzz/$t" "test/fuzz/seeds/$t" >"/tmp/farm-fuzz/$t.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "/tmp/farm-fuzz/$t.log")
        echo "fuzz $t: ${runs:-?} runs in ${secs}s, no crash"
    else
        echo "fuzz $t: FAILED (see /tmp/farm-fuzz/$t.log)"
        grep -E "ERROR|SUMMARY|Test unit written" "/tmp/farm-fuzz/$t.log" | head -5
        rc=1
    fi
done
exit $rc
