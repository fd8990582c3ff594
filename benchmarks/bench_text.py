"""Throughput of the text layer and PatternSet, with SHA-256 as the yardstick.

    .venv/bin/python benchmarks/bench_text.py   -> prints one JSON object
"""
from __future__ import annotations

import hashlib
import json
import time

from ringfence.match import I, PatternSet
from ringfence.text.decode import decode_layers
from ringfence.text.normalize import fold
from ringfence.text.views import views

PATTERNS = [
    ("aws", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", 0), ("ghp", r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b", 0),
    ("sk", r"(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,200}", 0), ("slack", r"xox[abprs]-[0-9A-Za-z-]{10,200}", 0),
    ("pem", r"-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----", 0),
    ("ignore", r"ignore\s+(?:all\s+)?(?:previous|prior|above)\s+instructions", I),
    ("sysprompt", r"(?:reveal|print|show)\s+(?:your\s+)?system\s+prompt", I),
    ("you_are", r"\byou\s+are\s+now\b", I), ("pw", r"(?i:password|passwd)\s*[=:]\s*\S{6,64}", 0),
]


def body(n: int) -> str:
    base = ('<div class="post"><h2>Release notes</h2><p>We fixed a bug in the parser &amp; improved '
            '<a href="https://example.com/docs/intro?lang=en">the docs</a>. Thanks to everyone who '
            'reported issues, café owners included.</p></div>\n'
            'The quick brown fox jumps over the lazy dog while the server returns JSON data.\n')
    return (base * (1 + n // len(base)))[:n]


def rate(fn, data: str, nbytes: int, min_time: float = 0.3) -> dict:
    fn(data)
    reps, t0 = 0, time.perf_counter()
    while True:
        fn(data)
        reps += 1
        el = time.perf_counter() - t0
        if el >= min_time:
            break
    per = el / reps
    return {"ms": round(per * 1000, 4), "MBps": round(nbytes / per / 1e6, 1)}


def main() -> None:
    out: dict = {}
    sets = {"hyperscan": PatternSet(PATTERNS, engine="hyperscan"), "re2": PatternSet(PATTERNS, engine="re2")}
    for label, n in (("10KB", 10 * 1024), ("1MB", 1 << 20)):
        text = body(n)
        raw = text.encode()
        r: dict = {"sha256": rate(lambda s: hashlib.sha256(raw).digest(), text, len(raw))}
        r["fold"] = rate(fold, text, len(raw))
        r["decode_layers"] = rate(decode_layers, text, len(raw))
        r["views_injection"] = rate(lambda s: views(s, "injection"), text, len(raw))
        for e, ps in sets.items():
            r["scan_" + e] = rate(ps.scan, text, len(raw))
        r["inbound_views+scan_hyperscan"] = rate(
            lambda s: [sets["hyperscan"].scan(v.text) for v in views(s, "injection")], text, len(raw))
        sha = r["sha256"]["MBps"]
        r["ratio_to_sha256"] = {k: round(v["MBps"] / sha, 3) for k, v in r.items() if k != "sha256" and isinstance(v, dict) and "MBps" in v}
        out[label] = r
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
