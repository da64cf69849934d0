#!/usr/bin/env python3
"""check_spool.py SPOOL ORIGINALS [--allow-pending]: the invariant of not losing mail.

Every message in ORIGINALS is in exactly one final spool of SPOOL (outgoing, hold,
reject, deferred), none twice; the message part of every output is byte-identical
to the original apart from header lines prepended to outgoing/ copies; no output
exists that was not submitted. With --allow-pending, a message may instead still be
in incoming/ or active/; and a crash may leave a message both in a final spool and
in active/ (its output was committed, its active/ entry not yet removed: recovery
removes it at the next start), which then counts as final. Prints one line and exits
non-zero on any violation."""
import os
import sys

FINAL = ("outgoing", "hold", "reject", "deferred")
PENDING = ("incoming", "active")


def body_of(path):
    data = open(path, "rb").read()
    end = data.index(b"\n\n") + 2
    header = data[:end].decode()
    size = int([l for l in header.split("\n") if l.startswith("size: ")][0][6:])
    assert len(data) - end == size, "%s: size line %d, %d bytes" % (path, size, len(data) - end)
    return data[end:]


def main():
    spool, orig = sys.argv[1], sys.argv[2]
    allow_pending = "--allow-pending" in sys.argv
    wanted = set(os.listdir(orig))
    where = {}
    problems = []
    dirs = FINAL + (PENDING if allow_pending else ()) + ("corrupt",)
    for d in dirs:
        p = os.path.join(spool, d)
        for name in os.listdir(p) if os.path.isdir(p) else []:
            if name.startswith("."):
                continue
            where.setdefault(name, []).append(d)
    for name, places in where.items():
        if name not in wanted:
            problems.append("%s in %s was never submitted" % (name, places))
        elif len(places) == 2 and allow_pending and "active" in places and \
                [p for p in places if p != "active"][0] in FINAL:
            places.remove("active")
        elif len(places) != 1:
            problems.append("%s is in %s" % (name, places))
    counts = {}
    for name in sorted(wanted):
        places = where.get(name, [])
        if not places:
            problems.append("%s is lost: in no spool" % name)
            continue
        d = places[0]
        counts[d] = counts.get(d, 0) + 1
        if d == "corrupt":
            problems.append("%s went to corrupt/" % name)
            continue
        original = open(os.path.join(orig, name), "rb").read()
        got = body_of(os.path.join(spool, d, name))
        if d == "outgoing":
            ok = got.endswith(original)
        else:
            ok = got == original
        if not ok:
            problems.append("%s in %s/ differs from what was submitted" % (name, d))
    for p in problems[:20]:
        print("  " + p)
    summary = " ".join("%s=%d" % kv for kv in sorted(counts.items()))
    print("%s: %d submitted, %s, %d problem(s)" % ("FAIL" if problems else "ok", len(wanted),
                                                   summary, len(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
