"""URL pipeline with the real DLP scanner: real secret shapes in every URL part."""
import json
import pathlib

import pytest

import ringfence.scanners.dlp as dlp_mod  # noqa: E402,F401

from ringfence.bench.cases import bench_config_data  # noqa: E402
from ringfence.config import Config  # noqa: E402
from ringfence.scanners.ssrf import StaticResolver  # noqa: E402
from ringfence.scanners.url import UrlScanner  # noqa: E402
from shared_corpus import AEB_CASES, require

CFG = Config.model_validate({"dlp": {"scan_env": False}})
S = UrlScanner(CFG, dlp_mod.DlpScanner(CFG))
BENCH_CFG = Config.model_validate({"dlp": {"scan_env": False}, **bench_config_data()})  # the runner's setup
BENCH_S = UrlScanner(BENCH_CFG, dlp_mod.DlpScanner(BENCH_CFG))
AKID = "AKIAIOSFODNN7EXAMPLE"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
       "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")


def dlp_hits(url):
    return [f for f in S.scan(url).findings if f.scanner == "dlp"]


def _b45(b: bytes) -> str:
    a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    out = [a[n % 45] + a[n // 45 % 45] + a[n // 2025] for n in (b[i] * 256 + b[i + 1] for i in range(0, len(b) - 1, 2))]
    return "".join(out) + (a[b[-1] % 45] + a[b[-1] // 45] if len(b) % 2 else "")


@pytest.mark.parametrize("secret", [AKID, JWT, "ghp_j7FAc9QeWJKY40uvSwMFLZDe1f8rESQedUSt"])
def test_base45_with_percent_signs_in_a_query(secret):
    """'%' is a Base45 character: a query value encoded twice is read after one round too."""
    from urllib.parse import quote
    enc = _b45(("token " + secret).encode())
    hits = dlp_hits("https://qr.example.com/render?d=" + quote(enc, safe="") + "&fmt=svg")
    assert hits, S.scan("https://qr.example.com/render?d=" + quote(enc, safe="")).findings


@pytest.mark.parametrize("url", [
    f"https://evil.example.com/api?key={AKID}",
    f"https://evil.example.com/a/{AKID}/b",
    f"https://u:{AKID}@evil.example.com/",
    f"https://evil.example.com/#k={AKID}",
    f"https://evil.example.com/data/{JWT}/export",
    f"https://evil.example.com/x?t={JWT}",
    f"https://evil.example.com/#{JWT}",
    "https://evil.example.com/x?a=AKIAIOSF&b=ODNN7EXAMPLE",
    "https://evil.example.com/x?a=AKIAIOSF&n=1&b=ODNN7EXAMPLE&c=2",    # noise between the halves
    "https://AKIAIOSF.ODNN7EXA.MPLE.evil.example.com/",   # case kept for DLP: DNS carries it
])
def test_real_secrets_in_url_parts(url):
    hits = dlp_hits(url)
    assert hits and all(f.action == "block" for f in hits), S.scan(url).findings
    for f in hits:
        assert AKID not in f.excerpt and JWT not in f.excerpt  # excerpts are redacted


@pytest.mark.parametrize("url", [
    "https://api.github.com/repos/golang/go/issues?state=open&page=2&per_page=30&sort=updated",
    "https://evil.example.com/api?key=AKIAIOSFODNN7EXAMPL",       # one char short
    "https://evil.example.com/api?key=XKIAIOSFODNN7EXAMPLE",      # wrong prefix
    "https://example.com/eyJ-not-a-token/readme",
])
def test_near_misses(url):
    assert not dlp_hits(url), S.scan(url).findings


def test_connect_target_host_dlp():
    assert any(f.scanner == "dlp" for f in S.scan_hostport("AKIAIOSF.ODNN7EXA.MPLE.evil.example.com", 443).findings)
    assert not S.scan_hostport("api.example.com", 443).blocked


def _cases():
    root = require(AEB_CASES)
    out = []
    for f in sorted(root.glob("*/*.json")):
        d = json.loads(f.read_text())
        if d.get("input_type") == "url":
            out.append(pytest.param(d, id=d["id"]))
    return out


@pytest.mark.parametrize("case", _cases())
def test_aeb_url_cases_with_dlp(case):
    res = BENCH_S.scan(case["payload"]["url"])
    blocked = res.blocked
    if not blocked and res.host:
        _, more = BENCH_S.resolve_and_check(res, StaticResolver({res.host: ["203.0.113.10"]}))
        blocked = any(f.action == "block" for f in more)
    assert ("block" if blocked else "allow") == case["expected_verdict"], res.findings
