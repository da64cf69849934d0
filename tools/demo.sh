#!/usr/bin/env bash
# demo.sh: the main job. Installs what is missing, builds, and runs two days
# of a small provider's outbound mail (tools/demo/traffic.py: eleven accounts
# of different kinds, one of them hijacked on the second afternoon, one
# sending as a domain it does not own, one sending spam) through a real
# broker and two real workers with the embedded defaults (ipc:// sockets,
# state under ./demo-out), the default Bayes model (models/bayes.mdb, trained
# on the SpamAssassin public corpus the first time), DKIM keys in ./demo-keys
# and the accounts table the traffic comes with. Says what happened in words
# (tools/demo/summary.py: the hijack caught, the spoof refused, the spam
# stopped, ordinary mail delivered and its signatures checked by dkimpy) and
# what to do next; the output spools, JSON verdicts, the HTML report and the
# logs stay in ./demo-out.
set -eu
cd "$(dirname "$0")/.."
tools/setup.sh
scons -Q -j2 >/dev/null
tools/make-model.sh models
rm -rf demo-out demo-traffic
python3 tools/demo/traffic.py demo-traffic/spool demo-traffic/accounts >/dev/null
# DKIM keys for the accounts' domains, made once (studio.example has none on
# purpose: its mail goes out unsigned with reason no-key).
for d in shop.example mail.example design.example law.example clinic.example tools.example promo.example; do
    [ -f demo-keys/$d/demo.pem ] || build/bin/farm-keygen $d demo --keys demo-keys >/dev/null
done
build/bin/farm-replay demo-traffic/spool --out demo-out --workers 2 --models models \
    --keys demo-keys --accounts demo-traffic/accounts --json demo-out/verdicts.jsonl \
    --html demo-out/report.html "$@"
python3 tools/demo/summary.py demo-out/verdicts.jsonl demo-out demo-keys
