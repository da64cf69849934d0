#!/usr/bin/env python3
"""scenario-score.py TRUTH.jsonl VERDICTS.jsonl [--svg FILE]: how well the
farm caught the hijacked accounts of a tools/bench/scenario.py run.

Reports: hijacked accounts held (the account flagged, or its attacker's mail
held for compromise); the leak of each (attacker's messages delivered, in
time order, before the first compromise hold); legitimate messages held,
split into compromise holds (the figure the target is about) and content
(Bayes) holds; the owner's own mail held after a hijack (by design, until an
operator acts) is counted apart. Exit 0 when the targets are met (every
hijacked account held, median leak <= 10, worst <= 20 (a hijack only the
delivery feedback sees, FEEDBACK_ONLY, held at all), at most 0.1% of
legitimate mail held for compromise), 1 otherwise. With --svg, a picture of
each hijacked and busy account's messages per 10 minutes, hold marked."""
import json
import statistics
import sys


# Hijacks that only what comes back can give away (provider.py's shop that
# mails a bought list receipts of its own kind at its own rate): they must be
# held, and their leak is reported apart from the targets of the others.
FEEDBACK_ONLY = {"bought list"}


def compromise_hold(v):
    return v["verdict"] == "hold" and any(r.startswith(("compromise:", "account-flagged:"))
                                          for r in v.get("reasons", []))


def blocked(v):
    """Held or rejected for compromise or for a flag."""
    return v["verdict"] in ("hold", "reject") and any(
        r.startswith(("compromise:", "account-flagged:", "domain-flagged:")) for r in v.get("reasons", []))


def slowed(v):
    """Deferred, on its way, by the pace of a new account or of a suspect one."""
    return v.get("deferred_by") in ("new-account", "slowed")


def by_kind(msgs, accounts, verdicts, by_acc):
    """The per-kind report of a provider.py run; True when its targets are met."""
    types = sorted({a["type"] for a in accounts.values()})
    ok = True
    print("  per kind of account (legitimate mail; the owners' mail after a hijack apart):")
    print("    %-11s %7s %9s %8s %8s %9s" % ("kind", "legit", "blocked", "share", "slowed", "would"))
    for ty in types:
        n = blk = slw = would = 0
        for f, m in msgs.items():
            acc = accounts[m["account"]]
            if acc["type"] != ty or m["kind"] != "legit" or f not in verdicts:
                continue
            if acc["role"] == "hijacked" and m["t"] >= acc["hijack_at"]:
                continue
            v = verdicts[f]
            n += 1
            blk += blocked(v)
            slw += slowed(v)
            would += bool(v.get("would"))
        share = 100.0 * blk / n if n else 0
        ok &= share <= 0.1
        print("    %-11s %7d %9d %7.3f%% %8d %9d" % (ty, n, blk, share, slw, would))
    cases = {}
    for f, m in msgs.items():
        if m.get("case") and f in verdicts:
            c = cases.setdefault(m["case"], [0, 0, set()])
            c[0] += 1
            if blocked(verdicts[f]):
                c[1] += 1
                c[2].add(m["account"])
    print("  legitimate hard cases:")
    for name, (n, blk, accs) in sorted(cases.items()):
        ok &= blk == 0
        print("    %-12s %5d messages, %d held for compromise%s" % (name, n, blk,
              (" (" + ", ".join(sorted(accs)) + ")") if accs else ""))
    print("  hijacks, by kind of account and style (leak: the attacker's mail delivered before the hold):")
    leaks = []
    for a in sorted((a for a in accounts.values() if a["role"] == "hijacked"), key=lambda a: a["account"]):
        first, leak, total = None, 0, 0
        for t, f, m in by_acc[a["account"]]:
            v = verdicts.get(f)
            if not v or t < a["hijack_at"]:
                continue
            total += m["kind"] == "hijack"
            if compromise_hold(v) and first is None:
                first = t
            elif m["kind"] == "hijack" and v["verdict"] == "deliver" and first is None:
                leak += 1
        # Held, or every message of it stopped (content holds): what counts
        # is what reached strangers. A hijack only the delivery feedback can
        # see (FEEDBACK_ONLY) must be held, its leak apart from the targets.
        late = a["style"] in FEEDBACK_ONLY
        ok &= first is not None if late else leak <= 20
        if not late:
            leaks.append(leak)
        print("    %-12s %-10s %-16s spam %.1f  %4d msgs: %s, leak %d%s" % (
            a["account"], a["type"], a["style"], a["spam_share"], total,
            "held" if first is not None else "not held (content stopped the rest)" if leak <= 20 and not late
            else "NOT HELD", leak, " (seen by its refusals alone: held at all, not in the targets)" if late else ""))
    med = statistics.median(leaks) if leaks else 0
    ok &= med <= 10
    print("  hijacks: median leak %g, worst %d (targets 10 and 20; %s apart)" % (
        med, max(leaks) if leaks else 0, ", ".join(sorted(FEEDBACK_ONLY))))
    return ok


def svg(path, rows):
    """rows: (label, [(t, kind, held)], t_hold or None, t0)"""
    W, H, pad = 900, 70, 140
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
           'font-size="11">' % (W + pad + 20, H * len(rows) + 40),
           '<text x="10" y="16" font-size="13">messages per 10 minutes around the event '
           '(blue: the owner, red: the attacker; grey bars held; line: the first compromise hold)</text>']
    for i, (label, msgs, t_hold, t0) in enumerate(rows):
        y0 = 30 + i * H
        lo, hi = t0 - 6 * 3600, t0 + 6 * 3600
        bins = {}
        for t, kind, held in msgs:
            if lo <= t < hi:
                b = int((t - lo) // 600)
                key = (b, kind, held)
                bins[key] = bins.get(key, 0) + 1
        top = max([c for c in bins.values()] + [1])
        out.append('<text x="10" y="%d">%s</text>' % (y0 + H / 2, label))
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#999"/>' % (pad, y0 + H - 8, pad + W, y0 + H - 8))
        bw = W / 72.0
        stack = {}
        for (b, kind, held), c in sorted(bins.items()):
            h = (H - 14) * c / top
            base = stack.get(b, 0)
            color = "#bbb" if held else ("#c33" if kind == "hijack" else "#36c")
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>' %
                       (pad + b * bw, y0 + H - 8 - base - h, bw - 1, h, color))
            stack[b] = base + h
        if t_hold is not None and lo <= t_hold < hi:
            x = pad + (t_hold - lo) / 600.0 * bw
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#000" stroke-width="2"/>' %
                       (x, y0, x, y0 + H - 8))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    truth_path, verdict_path = sys.argv[1], sys.argv[2]
    svg_path = sys.argv[sys.argv.index("--svg") + 1] if "--svg" in sys.argv else None
    msgs, accounts = {}, {}
    for line in open(truth_path):
        r = json.loads(line)
        if "file" in r:
            msgs[r["file"]] = r
        else:
            accounts[r["account"]] = r
    verdicts = {}
    for line in open(verdict_path):
        v = json.loads(line)
        name = v["file"].rsplit("/", 1)[-1]
        verdicts[name] = v
    missing = [f for f in msgs if f not in verdicts]
    by_acc = {}
    for f, m in msgs.items():
        by_acc.setdefault(m["account"], []).append((m["t"], f, m))
    for lst in by_acc.values():
        lst.sort()

    legit = legit_comp = legit_bayes = owner_after = 0
    leaks, caught, rows = [], 0, []
    hijacked = [a for a in accounts.values() if a["role"] == "hijacked"]
    lines = []
    for a in hijacked:
        start = a["hijack_at"]
        first_hold, leak = None, 0
        for t, f, m in by_acc[a["account"]]:
            v = verdicts.get(f)
            if not v or t < start:
                continue
            if compromise_hold(v):
                if first_hold is None:
                    first_hold = t
            elif m["kind"] == "hijack" and v["verdict"] == "deliver" and first_hold is None:
                leak += 1
        after = sum(1 for t, f, m in by_acc[a["account"]] if m["kind"] == "hijack"
                    and verdicts.get(f, {}).get("verdict") == "deliver")
        ok = first_hold is not None
        caught += ok
        leaks.append(leak if ok else after)
        lines.append("  %-8s %-5s %4d attacker msgs, spam share %.1f: %s, leak %d%s" % (
            a["account"], a["style"], sum(1 for _, _, m in by_acc[a["account"]] if m["kind"] == "hijack"),
            a["spam_share"], "held" if ok else "NOT HELD", leak if ok else after,
            "" if after == leak else " (%d delivered in all)" % after))
        rows.append(("%s (%s)" % (a["account"], a["style"]),
                     [(t, m["kind"], verdicts.get(f, {}).get("verdict") in ("hold", "reject"))
                      for t, f, m in by_acc[a["account"]]], first_hold, start))
    for f, m in msgs.items():
        if m["kind"] != "legit" or f not in verdicts:
            continue
        acc = accounts[m["account"]]
        v = verdicts[f]
        if acc["role"] == "hijacked" and m["t"] >= acc["hijack_at"]:
            owner_after += v["verdict"] == "hold"
            continue
        legit += 1
        if compromise_hold(v):
            legit_comp += 1
        elif v["verdict"] in ("hold", "reject"):
            legit_bayes += 1
    for a in accounts.values():
        if a["role"] in ("busy", "hard"):
            rows.append(("%s (%s)" % (a["account"], a.get("case", "busy hour")),
                         [(t, m["kind"], compromise_hold(verdicts.get(f, {"verdict": ""})))
                          for t, f, m in by_acc.get(a["account"], [])],
                         None, a.get("busy_at", a.get("case_at", 0)) + 1800))
    busy_held = sorted({msgs[f]["account"] for f in msgs if accounts[msgs[f]["account"]]["role"] == "busy"
                        and f in verdicts and compromise_hold(verdicts[f])})
    med = statistics.median(leaks) if leaks else 0
    worst = max(leaks) if leaks else 0
    share = 100.0 * legit_comp / legit if legit else 0.0
    print("scenario-score: %d messages, %d verdicts missing" % (len(msgs), len(missing)))
    print("  hijacked accounts held: %d of %d" % (caught, len(hijacked)))
    print("  leak (attacker's messages delivered before the hold): median %g, worst %d" % (med, worst))
    print("\n".join(lines))
    print("  legitimate messages held for compromise: %d of %d (%.3f%%); accounts with a busy hour "
          "held: %d of %d%s" % (legit_comp, legit, share, len(busy_held),
                                sum(1 for a in accounts.values() if a["role"] == "busy"),
                                (" (" + ", ".join(busy_held) + ")") if busy_held else ""))
    print("  legitimate messages held or rejected for content (Bayes): %d (%.3f%%)" %
          (legit_bayes, 100.0 * legit_bayes / legit if legit else 0.0))
    print("  the owners' own mail held after their account was hijacked (until an operator "
          "releases it): %d" % owner_after)
    met = caught == len(hijacked) and med <= 10 and worst <= 20 and share <= 0.1 and not missing
    if any("type" in a for a in accounts.values()):
        # provider.py's targets, per kind (they replace the totals above).
        met = by_kind(msgs, accounts, verdicts, by_acc) and not missing
    print("  targets (all held, median leak <= 10, worst <= 20, <= 0.1%% held): %s" %
          ("met" if met else "NOT met"))
    if svg_path:
        svg(svg_path, rows)
        print("  picture: %s" % svg_path)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
