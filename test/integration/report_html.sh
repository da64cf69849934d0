#!/usr/bin/env bash
# report_html.sh: farm-replay --html writes one self-contained page (no
# script, nothing fetched) with its four pictures, over a replay where an
# account is hijacked; Debian's chromium, headless, loads it without an
# error and takes a screenshot (kept in the test folder with KEEP=1).
. "$(dirname "$0")/../lib/farm.sh"
command -v chromium >/dev/null || fail "chromium is not installed (tools/setup.sh installs it)"
python3 "$TOP/test/lib/hijack-sample.py" "$T/sample" >/dev/null
"$FARM_BIN/farm-replay" "$T/sample" --out "$T/out" --html "$T/report.html" >"$T/replay.log" 2>&1 ||
    fail "replay: $(tail -3 "$T/replay.log")"
python3 - "$T/report.html" <<'PY' || fail "the page"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.tags = {}; self.bad = []; self.text = []
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k in ("src", "href") or tag == "script":
                self.bad.append((tag, k, v))
    def handle_data(self, d):
        self.text.append(d)
p = P(); p.feed(open(sys.argv[1]).read())
text = " ".join(p.text)
assert p.tags.get("svg") == 4, "svg: %s" % p.tags.get("svg")
assert not p.bad, "external or script: %s" % p.bad
for h in ("Spam-score distribution", "Verdicts over time", "The busiest and the flagged accounts", "Top reasons"):
    assert h in text, h
assert "quiet" in text and "held" in text, "the hijacked account is not named as held"
assert p.tags.get("circle", 0) > 0, "no hold marked"
PY
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --window-size=820,1500 \
    --screenshot="$T/report.png" "file://$T/report.html" >"$T/chromium.log" 2>&1 || fail "chromium: $(tail -3 "$T/chromium.log")"
[ "$(stat -c %s "$T/report.png" 2>/dev/null || echo 0)" -gt 20000 ] || fail "no screenshot"
grep -E "Uncaught|CONSOLE.*(error|Error)|Failed to load" "$T/chromium.log" && fail "the page had errors in chromium"
timeout 120 chromium --headless=new --no-sandbox --disable-gpu --dump-dom "file://$T/report.html" \
    2>/dev/null | grep -q "Top reasons" || fail "chromium could not read the page"
echo "ok: report with 4 pictures, self-contained, loaded by chromium without error, screenshot $(stat -c %s "$T/report.png") bytes"
