#!/usr/bin/env bash
# make-model.sh [MODELS]: the default Bayes model for the demo: fetches the
# SpamAssassin public corpus (tools/corpus.sh) and trains MODELS/bayes.mdb
# (default models/) on all of it. Skipped when a model this build can use is
# already there (farm-train --info).
set -eu
cd "$(dirname "$0")/.."
models=${1:-models}
build/bin/farm-train --info --models "$models" >/dev/null 2>&1 && exit 0
tools/corpus.sh corpus
build/bin/farm-train --models "$models" --ham corpus/easy-ham-1 corpus/easy-ham-2 corpus/hard-ham-1 \
    --spam corpus/spam-1 corpus/spam-2
