#!/usr/bin/env bash
# docs.sh: the documentation a newcomer reads is there and holds together.
# README.md is short and opens with the two commands; every room has a
# README.md; every relative link in them points at something that exists;
# every program has a man page made from its --help (build/man/); and every
# include in shared/ names a header of its own layer or one below (what the
# build enforces with its include paths, checked here on the sources too).
. "$(dirname "$0")/../lib/farm.sh"
cd "$TOP"
n=$(wc -l <README.md)
[ "$n" -le 250 ] || fail "README.md has $n lines (at most 250)"
head -6 README.md | grep -q '^tools/demo.sh ' || fail "README.md does not open with tools/demo.sh"
head -6 README.md | grep -q '^test/run ' || fail "README.md does not open with test/run"
rooms="broker worker shared models tools tools/bench test"
for d in $rooms; do [ -s "$d/README.md" ] || fail "$d/ has no README.md"; done
python3 - README.md $(for d in $rooms; do echo "$d/README.md"; done) <<'PY' || fail "broken links"
import os, re, sys
bad = 0
for f in sys.argv[1:]:
    for target in re.findall(r'\]\(([^)#]+)(?:#[^)]*)?\)', open(f).read()):
        if re.match(r'[a-z]+:', target):
            continue
        if not os.path.exists(os.path.join(os.path.dirname(f), target)):
            print("%s: link to %s: no such file" % (f, target)); bad += 1
sys.exit(1 if bad else 0)
PY
man="$FARM_BIN/../man"
progs=0
for p in "$FARM_BIN"/farm-*; do
    name=$(basename "$p")
    [ -s "$man/$name.8" ] || fail "no man page $man/$name.8"
    MANWIDTH=80 man -l "$man/$name.8" 2>/dev/null | grep -q "^NAME" || fail "$name.8 does not render"
    # --help and -h alike: the usage on standard output, exit 0.
    for h in --help -h; do
        out=$("$p" $h 2>/dev/null) || fail "$name $h: exit $?"
        grep -qi "usage" <<<"$out" || fail "$name $h: no usage on standard output"
    done
    progs=$((progs + 1))
done
python3 - <<'PY' || fail "an include across layers"
import glob, os, re, sys
layers = ["util", "spool", "wire", "mime", "stat", "sender"]
where = {os.path.basename(h): h.split("/")[1] for h in glob.glob("shared/*/*.h")}
bad = 0
for f in glob.glob("shared/*/*.[ch]"):
    mine = layers.index(f.split("/")[1])
    for inc in re.findall(r'^#include "([^"]+)"', open(f).read(), re.M):
        if inc not in where or layers.index(where[inc]) > mine:
            print("%s includes %s (%s)" % (f, inc, where.get(inc, "not in shared/"))); bad += 1
sys.exit(1 if bad else 0)
PY
echo "ok: README.md $n lines, 7 room READMEs, links resolve, $progs man pages render, --help and -h alike, shared/ includes follow the layers"
