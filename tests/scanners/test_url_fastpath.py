"""The URL pipeline's DLP fast path (one pre-filter pass proves a URL's parts clean)
gives exactly the findings of the full per-part scan: every URL in the three bench
case sets, and every DLP rule's examples placed in each part of a URL."""
import json
import random
from pathlib import Path
from urllib.parse import quote

import pytest
from shared_corpus import AEB_CASES, require

from ringfence.config import Config
from ringfence.rules.dlp import RULES
from ringfence.scanners.dlp import DlpScanner
from ringfence.scanners.url import UrlScanner

ROOT = Path(__file__).resolve().parents[2]
CASE_DIRS = [require(AEB_CASES), ROOT / "tests" / "bench" / "extra_cases",
             ROOT / "tests" / "bench" / "extra_cases2"]
CLEAN = [
    "https://api.github.com/repos/golang/go/issues?state=open&page=2&per_page=30&sort=updated",
    "https://www.google.com/search?q=how+to+fix+%22permission+denied%22+error+in+golang+test&hl=en&num=10",
    "https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.21/lodash.min.js",
    "https://docs.python.org/3/library/urllib.parse.html#urllib.parse.urlsplit",
    "https://registry.npmjs.org/@types/node/-/node-20.11.5.tgz",
    "https://en.wikipedia.org/wiki/Server-side_request_forgery",
]


def _strings(obj, out):
    if isinstance(obj, dict):
        for v in obj.values():
            _strings(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _strings(v, out)
    elif isinstance(obj, str) and obj.startswith(("http://", "https://", "ws://", "wss://")) and len(obj) < 8000:
        out.append(obj)


def case_urls():
    out: list[str] = []
    for d in CASE_DIRS:
        for p in sorted(d.rglob("*.json")) if d.is_dir() else []:
            try:
                _strings(json.loads(p.read_text()), out)
            except (ValueError, UnicodeDecodeError):
                continue
    return out


def rule_urls():
    rnd = random.Random(5)
    out = []
    for r in RULES:
        for t in r.tp + r.tn:
            q = quote(t, safe="")
            cut = rnd.randint(1, max(1, len(q) - 1))
            out += [f"https://h.example.com/api?v={q}", f"https://h.example.com/a/{q}/b",
                    f"https://h.example.com/x?a={q[:cut]}&n=1&b={q[cut:]}",
                    f"https://h.example.com/p#{q}", f"https://h.example.com/?{r.id[:6]}_key={q}"]
            label = "".join(c for c in t if c.isalnum())[:60]
            if label:
                out.append(f"https://{label}.exfil.example.net/health")
    return out


@pytest.fixture(scope="module")
def pair():
    cfg = Config.model_validate({"dlp": {"scan_env": False, "canaries": ["rf-canary-7f3a9c1e"]}})
    fast, slow = DlpScanner(cfg), DlpScanner(cfg)
    slow._clean_small = lambda fields: False
    slow._hot_fields = lambda fields, ctx=(): None
    slow._join_needed = lambda text, crosses: True
    return UrlScanner(cfg, fast), UrlScanner(cfg, slow), fast


def _key(scan):
    return sorted((f.scanner, f.rule, f.excerpt, f.where) for f in scan.findings)


def test_case_urls_found():
    assert len(case_urls()) >= 50  # the case sets are where they should be


@pytest.mark.parametrize("source", ["cases", "rules", "clean"])
def test_fast_equals_full(pair, source):
    fast, slow, _ = pair
    urls = {"cases": case_urls, "rules": rule_urls, "clean": lambda: CLEAN}[source]()
    for u in urls:
        assert _key(fast.scan(u)) == _key(slow.scan(u)), u


def test_clean_urls_take_the_fast_path(pair):
    fast, _, dlp = pair
    taken = []
    real = dlp._clean_small
    dlp._clean_small = lambda fields: taken.append(real(fields)) or taken[-1]
    try:
        for u in CLEAN:
            assert fast.scan(u).findings == []
        assert taken and all(taken)
        taken.clear()
        # near misses of clean: a key, a decodable blob, a canary each defeat the proof
        for u in ("https://api.github.com/repos?key=AKIAIOSFODNN7EXAMPLE",
                  "https://api.github.com/repos/c29tZSByZWFkYWJsZSB0ZXh0IGhlcmU=/x",
                  "https://api.github.com/repos?x=rf-canary-7f3a9c1e"):
            fast.scan(u)
            assert taken and not taken[-1], u
    finally:
        del dlp._clean_small
