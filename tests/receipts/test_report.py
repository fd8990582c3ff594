"""`ringfence report`: a real subprocess writes the HTML; Debian chromium (Playwright) opens it."""
import json
import os
import re

import pytest
from evgen import XSS, make_key, write_run
from rhelp import run_cli

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _tamper(path):
    lines = open(path).read().splitlines(keepends=True)
    for i, line in enumerate(lines):
        if '"verdict":"block"' in line:
            lines[i] = line.replace('"verdict":"block"', '"verdict":"allow"', 1)
            break
    open(path, "w").writelines(lines)


def test_report_json_counts_and_escaping(tmp_path):
    priv, pub = make_key(tmp_path)
    write_run(tmp_path / "r", priv, n=60)
    out, js = tmp_path / "report.html", tmp_path / "report.json"
    p = run_cli("report", str(tmp_path / "r"), "-o", str(out), "--json", str(js), "--key", pub)
    assert p.returncode == 0, p.stderr
    assert "VALID AND SEALED" in p.stdout
    data = json.loads(js.read_text())
    d = data["digest"]
    assert d["blocks"] == 7 and d["verdicts"]["block"] == 7          # 6 DLP + 1 rug-pull
    assert d["block_rules"]["dlp:aws_access_key_id"] == 6
    assert d["intents"] == 54 and d["outcomes"] == 54 and data["gaps"] == []
    assert d["modes"] == {"balanced": 1}
    text = out.read_text()
    assert "<script>window.__pwned" not in text and "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text
    assert len(re.findall(r"<script", text)) == 1
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")  # nothing to fetch


def test_report_invalid_log_names_the_failure(tmp_path):
    priv, pub = make_key(tmp_path)
    w = write_run(tmp_path / "r", priv, n=30)
    _tamper(w.paths[0])
    out = tmp_path / "r.html"
    p = run_cli("report", str(tmp_path / "r"), "-o", str(out), "--json", str(tmp_path / "r.json"))
    assert p.returncode == 1 and "INVALID" in p.stdout
    log = json.loads((tmp_path / "r.json").read_text())["logs"][0]
    assert not log["valid"] and "hash mismatch" in log["error"]
    assert "INVALID" in out.read_text()


def test_report_unclosed_session_and_missing_outcome_are_gaps(tmp_path):
    from ringfence.core import Action, Decision
    priv, pub = make_key(tmp_path)
    w = write_run(tmp_path / "r", priv, n=10, close=False)
    w.record_intent(Action("fetch", "outbound", "https://lost.example/", "GET"), Decision("allow"))
    w.recorder.checkpoint()
    w.recorder.sync()
    p = run_cli("report", str(tmp_path / "r"), "-o", str(tmp_path / "r.html"), "--json", str(tmp_path / "r.json"))
    assert p.returncode == 1  # end not proven
    kinds = {g["kind"] for g in json.loads((tmp_path / "r.json").read_text())["gaps"]}
    assert kinds == {"intent_without_outcome", "session_without_close"}
    w.close()


def test_report_usage_errors(tmp_path):
    assert run_cli("report", str(tmp_path / "nope"), "-o", str(tmp_path / "x.html")).returncode == 2
    os.mkdir(tmp_path / "empty")
    p = run_cli("report", str(tmp_path / "empty"), "-o", str(tmp_path / "x.html"))
    assert p.returncode == 2 and "no evidence" in p.stderr and not (tmp_path / "x.html").exists()


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium (apt-get install -y chromium)")
def test_report_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright
    priv, pub = make_key(tmp_path)
    write_run(tmp_path / "r", priv, n=60)
    out = tmp_path / "report.html"
    assert run_cli("report", str(tmp_path / "r"), "-o", str(out), "--key", pub).returncode == 0
    shot = tmp_path / "report.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(out.as_uri())
        assert "VALID AND SEALED" in page.inner_text("#status")
        assert page.evaluate("window.__pwned") is None and not dialogs
        assert page.locator("svg#timeline rect").count() > 3
        assert "dlp:aws_access_key_id" in page.inner_text("body")
        assert page.locator("table.diff td.new").first.inner_text().startswith("description + 24 chars")
        rows = page.locator("#blocks tbody tr")
        assert rows.count() == 7
        page.fill("#q", "exfil13")
        assert page.inner_text("#shown") == "1"
        visible = [i for i in range(rows.count()) if rows.nth(i).is_visible()]
        assert len(visible) == 1 and "exfil13.example" in rows.nth(visible[0]).inner_text()
        page.fill("#q", "<script>")
        assert page.inner_text("#shown") == "1"   # the XSS target is found as text
        page.fill("#q", "")
        assert page.inner_text("#shown") == "7"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
    assert requests == [out.as_uri()]  # no other fetch: self-contained
    assert XSS  # the generator really used the hostile target
