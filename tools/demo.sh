#!/usr/bin/env bash
# demo.sh: the main job. Installs what is missing, builds, and runs the bundled
# sample spool (test/sample/) through a real broker and two real workers with
# the embedded defaults (ipc:// sockets, state under ./demo-out) and the default
# Bayes model (models/bayes.mdb, trained on the SpamAssassin public corpus the
# first time), DKIM keys in ./demo-keys and the accounts table
# test/sample.accounts. Prints the summary; the output spools, JSON verdicts
# and logs stay in ./demo-out.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
scons -Q -j2 >/dev/null
tools/make-model.sh models
# DKIM keys for the sample's domains, made once (studio.example has none on
# purpose: its mail goes out unsigned with reason no-key).
for d in shop.example invoices.example mail.example letters.example; do
    [ -f demo-keys/$d/demo.pem ] || build/bin/farm-keygen $d demo --keys demo-keys >/dev/null
done
rm -rf demo-out
build/bin/farm-replay test/sample --out demo-out --workers 2 --models models \
    --keys demo-keys --accounts test/sample.accounts --json demo-out/verdicts.jsonl \
    --html demo-out/report.html "$@"
echo "verdicts: demo-out/verdicts.jsonl; pictures: demo-out/report.html; spools: demo-out/{outgoing,hold,reject,deferred}/"
