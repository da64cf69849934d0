#!/usr/bin/env bash
# bench_smoke.sh: the benchmarks run (small, no timing judged), so that they
# cannot rot: the whole farm with RSA and Ed25519 signing over the sample
# spool (every message signed and delivered); the two DKIM signers on
# made-up messages (and they must agree byte for byte); the sender state at
# a thousand accounts; bench-mta's two farm runs (SMTP in to SMTP out, and
# spool to spool), without its Postfix runs.
. "$(dirname "$0")/../lib/farm.sh"
out=$(SMOKE=1 FARM_BIN="$FARM_BIN" "$TOP/tools/bench/bench-farm.sh" 60 1 2>&1) || fail "bench-farm: $out"
grep -q "rsa .* (60 signed; deliver 60)" <<<"$out" || fail "bench-farm rsa: $out"
grep -q "ed25519 .* (60 signed; deliver 60)" <<<"$out" || fail "bench-farm ed25519: $out"
out=$("$FARM_BIN/farm-bench" dkim --corpus "$T/none" --count 200 2>&1) || fail "farm-bench dkim: $out"
grep -q "differ between the two (relaxed/relaxed and relaxed/simple): rsa 0 of 400, ed25519 0 of 400" <<<"$out" ||
    fail "the signers disagree: $out"
out=$("$FARM_BIN/farm-bench" accounts --count 1000 --dir "$T" 2>&1) || fail "farm-bench accounts: $out"
grep -q "^ *1000 " <<<"$out" || fail "farm-bench accounts: $out"
out=$(NO_POSTFIX=1 FARM_BIN="$FARM_BIN" "$TOP/tools/bench/bench-mta.sh" 100 4 2>&1) || fail "bench-mta: $out"
grep -q "smtpd direct *[0-9]* msg/s" <<<"$out" && grep -q "spool to spool *[0-9]* msg/s" <<<"$out" &&
    grep -q "CPU a message, SMTP in to SMTP out: broker [0-9]*" <<<"$out" || fail "bench-mta: $out"
echo "ok: bench-farm (RSA, Ed25519), farm-bench dkim (signers agree on 400+400), farm-bench accounts, bench-mta (the farm's runs) ran"
