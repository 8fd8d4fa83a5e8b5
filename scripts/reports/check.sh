#!/usr/bin/env bash
# The reports as their real consumers see them:
#   - junit.xml read by junitparser (PyPI; the parser CI result publishers use), its counts
#     checked against conformance.json;
#   - conformance.html rendered by Debian's Chromium, headless: the rendered DOM must hold every
#     case id, and a screenshot is taken.
#   - the page's "failing only" switch driven in that Chromium (chromedriver and Selenium): a
#     passing group shown, then hidden once the switch is on, the failing case shown throughout;
#     the same at the #failing-only-view address.
# The run is the whole suite and the whole generated set (thousands of checks over NetApp's
# imported API) plus the fixture cases of tests/fixtures/report-cases (one failing on purpose,
# one skipped), so the page shows a failure section, every kind of matrix cell, and its size at
# the size of the API.
#
# Usage: scripts/reports/check.sh [--screenshot]   (--screenshot updates docs/conformance.png)
# Installs chromium with apt-get when it is missing (as CI does on a fresh machine).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
update_screenshot=0
[[ "${1:-}" == "--screenshot" ]] && update_screenshot=1

cargo build --quiet --bin ontap-conform
bin="${CARGO_TARGET_DIR:-$root/target}/debug/ontap-conform"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM

mkdir -p "$work/cases"
cp -r cases/* "$work/cases/"
cp -r tests/fixtures/report-cases/demo "$work/cases/demo"
set +e
"$bin" run --no-builtin-cases --generated --cases "$work/cases" --report-dir "$work/reports" >"$work/run.log" 2>&1
rc=$?
set -e
if [[ $rc -ne 1 ]]; then
  echo "expected exit 1 (one fixture case fails on purpose), got $rc"; cat "$work/run.log"; exit 1
fi
tail -n 1 "$work/run.log"

# --- junit.xml through junitparser
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "junitparser==3.2.0"
"$work/venv/bin/python" - "$work/reports" <<'PY'
import json, sys
from junitparser import JUnitXml, Failure, Skipped

d = sys.argv[1]
report = json.load(open(f"{d}/conformance.json"))
xml = JUnitXml.fromfile(f"{d}/junit.xml")
cases = [(s.name, c) for s in xml for c in s]
ids = sorted(c.name for _, c in cases)
assert ids == sorted(c["id"] for c in report["cases"]), "junit case names != json ids"
failed = [c.name for _, c in cases if any(isinstance(r, Failure) for r in c.result)]
skipped = [c.name for _, c in cases if any(isinstance(r, Skipped) for r in c.result)]
s = report["summary"]
assert len(cases) == s["total"], (len(cases), s)
assert len(failed) == s["failed"] and len(skipped) == s["skipped"], (failed, skipped, s)
assert failed == ["demo-chap-wrong-expectation"], failed
for suite, c in cases:
    assert c.time is not None and c.time >= 0, c.name
    assert c.classname.startswith(suite + "."), c.classname
print(f"junitparser: {len(cases)} test cases in {len(list(xml))} suites, "
      f"{len(failed)} failed, {len(skipped)} skipped: agrees with conformance.json")
PY

# --- conformance.html in Chromium
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
fi
chrome_flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$work/profile")
page="file://$work/reports/conformance.html"
chromium "${chrome_flags[@]}" --dump-dom "$page" >"$work/dom.html" 2>"$work/chromium.log"
python3 - "$work/reports/conformance.json" "$work/dom.html" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
dom = open(sys.argv[2]).read()
missing = [c["id"] for c in report["cases"] if c["id"] not in dom]
assert not missing, f"case ids missing from the rendered page: {missing}"
assert "<script" not in dom.lower(), "the page must not carry scripts"
print(f"chromium: rendered conformance.html ({len(dom)} bytes of DOM), all {len(report['cases'])} case ids present")
PY
chromium "${chrome_flags[@]}" --window-size=1280,1500 --screenshot="$work/conformance.png" "$page" \
  >>"$work/chromium.log" 2>&1
[[ -s "$work/conformance.png" ]] || { echo "no screenshot"; cat "$work/chromium.log"; exit 1; }
echo "chromium: screenshot $(stat -c %s "$work/conformance.png") bytes"
echo "conformance.html: $(stat -c %s "$work/reports/conformance.html") bytes for $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["cases"]))' "$work/reports/conformance.json") cases"

# --- the failing-only switch, clicked in the same Chromium
if ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing chromedriver (Debian package chromium-driver)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium-driver >/dev/null
fi
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "selenium==4.27.1"
"$work/venv/bin/python" - "$page" "$(command -v chromedriver)" <<'PY'
import sys
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

page, driver_path = sys.argv[1], sys.argv[2]
opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for f in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
    opts.add_argument(f)
d = webdriver.Chrome(service=Service(driver_path), options=opts)
try:
    d.get(page)
    clean = d.find_elements(By.CSS_SELECTOR, "div.groups details.group.clean")
    assert len(clean) > 10, f"{len(clean)} passing groups: the generated set is grouped by tag"
    assert all(g.is_displayed() for g in clean), "passing groups are shown by default"
    assert all(g.get_attribute("open") is None for g in clean), "passing groups are folded"
    bad = d.find_elements(By.CSS_SELECTOR, "div.groups details.group:not(.clean)")
    assert bad and all(g.get_attribute("open") is not None for g in bad), "failing groups are open"
    d.find_element(By.CSS_SELECTOR, "label[for=failing-only]").click()
    assert not any(g.is_displayed() for g in clean), "failing only hides every passing group"
    assert all(g.is_displayed() for g in bad), "failing only keeps the failing groups"
    rows = bad[0].find_elements(By.CSS_SELECTOR, "tr")
    shown = [r.text for r in rows if r.is_displayed()]
    assert any("demo-chap-wrong-expectation" in t for t in shown), shown
    assert not any(r.is_displayed() for r in bad[0].find_elements(By.CSS_SELECTOR, "tr.clean")), "passing rows hidden"
    d.get(page + "#failing-only-view")
    clean = d.find_elements(By.CSS_SELECTOR, "div.groups details.group.clean")
    assert not any(g.is_displayed() for g in clean), "#failing-only-view hides passing groups"
    print(f"chromium: the failing-only switch hides {len(clean)} passing groups and keeps {len(bad)} failing")
finally:
    d.quit()
PY
if [[ $update_screenshot == 1 ]]; then
  mkdir -p docs
  cp "$work/conformance.png" docs/conformance.png
  echo "updated docs/conformance.png"
fi
echo "report check passed"
