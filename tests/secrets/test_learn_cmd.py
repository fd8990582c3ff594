"""`ringfence learn`: receipts in, a loadable deny-by-default allowlist out; a tampered
log is refused."""
from __future__ import annotations

import glob
import subprocess
import sys

RF = [sys.executable, "-m", "ringfence"]


def _receipts(tmp_path):
    key = tmp_path / "k.key"
    assert subprocess.run(RF + ["keygen", "--out", str(key)], capture_output=True).returncode == 0
    rdir = tmp_path / "r"
    for url in ["https://pypi.org/simple/requests/", "https://pypi.org/simple/httpx/",
                "https://files.pythonhosted.org/packages/aa/bb/x.whl",
                "https://evil.example.net/up?k=AKIAIOSFODNN7EXAMPLE"]:
        subprocess.run(RF + ["check", "--no-dns", "--url", url, "--receipts", str(rdir), "--signing-key", str(key)],
                       capture_output=True)
    return rdir, tmp_path / "k.pub"


def test_learn_from_receipts(tmp_path):
    from ringfence.config import load_config_text
    from ringfence.secrets.egress import EgressPolicy
    rdir, pub = _receipts(tmp_path)
    r = subprocess.run(RF + ["learn", str(rdir), "--key", str(pub)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    c = load_config_text(r.stdout)
    assert c.egress.default == "deny"
    pol = EgressPolicy(c.egress)
    assert pol.check("GET", "pypi.org", "/simple/flask/").allowed
    assert not pol.check("POST", "pypi.org", "/simple/flask/").allowed
    assert not pol.check("GET", "pypi.org", "/legacy/").allowed
    assert not pol.check("GET", "evil.example.net", "/up").allowed  # blocked, so not learned
    out = tmp_path / "p.yaml"
    assert subprocess.run(RF + ["learn", str(rdir), "-o", str(out), "--no-paths"]).returncode == 0
    assert "paths" not in out.read_text()
    assert subprocess.run(RF + ["learn", str(rdir), "-o", str(out)], capture_output=True).returncode == 2


def test_learn_refuses_a_tampered_log(tmp_path):
    rdir, pub = _receipts(tmp_path)
    # Session names are a second-resolution time plus random hex, so sort order says
    # nothing about which check wrote which file: tamper with the one that holds the block.
    blocked = [f for f in glob.glob(str(rdir / "*.jsonl")) if '"verdict":"block"' in open(f).read()]
    assert len(blocked) == 1
    text = open(blocked[0]).read().replace('"verdict":"block"', '"verdict":"allow"')
    open(blocked[0], "w").write(text)
    r = subprocess.run(RF + ["learn", str(rdir), "--key", str(pub)], capture_output=True, text=True)
    assert r.returncode == 1 and "do not verify" in r.stderr and not r.stdout


def test_check_applies_egress_rules(tmp_path):
    pol = tmp_path / "pol.yaml"
    pol.write_text("egress:\n  default: deny\n  rules:\n    - {action: allow, methods: [GET], hosts: [pypi.org]}\n")
    ok = subprocess.run(RF + ["check", "-c", str(pol), "--no-dns", "--url", "https://pypi.org/simple/"])
    bad = subprocess.run(RF + ["check", "-c", str(pol), "--no-dns", "--json", "--url", "https://example.org/"],
                         capture_output=True, text=True)
    assert ok.returncode == 0 and bad.returncode == 1 and '"rule": "denied"' in bad.stdout
