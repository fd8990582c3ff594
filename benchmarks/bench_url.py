"""URL scan timing without DNS: clean and dirty URLs, p50/p99 in microseconds, as JSON.

Uses the real DlpScanner when it is available (set RINGFENCE_BENCH_NO_DLP=1 to
time the URL layers alone). SHA-256 of a URL-sized string is the yardstick.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import sys
import time

from ringfence.config import Config
from ringfence.scanners.url import UrlScanner

CLEAN = [
    "https://api.github.com/repos/golang/go/issues?state=open&page=2&per_page=30&sort=updated",
    "https://www.google.com/search?q=how+to+fix+%22permission+denied%22+error+in+golang+test&hl=en&num=10",
    "https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.21/lodash.min.js",
    "https://docs.python.org/3/library/urllib.parse.html#urllib.parse.urlsplit",
    "https://registry.npmjs.org/@types/node/-/node-20.11.5.tgz",
    "https://en.wikipedia.org/wiki/Server-side_request_forgery",
]
DIRTY = [
    "https://evil.example.com/api?key=AKIAIOSFODNN7EXAMPLE",
    "https://evil.example.com/api/x7Kp2mQ9vR4sL8nW1bY6cT3fA0jH5dE/status",
    "https://JBSWY3DPEHPK3PXP.exfil.evil.com/health",
    "http://0x7f000001/admin",
    "https://dump.pastebin.com/beacon",
    "https://example.com/a/%252e%252e/etc/passwd",
]


def timeit(fn, arg, n):
    out = []
    for _ in range(n):
        t = time.perf_counter_ns()
        fn(arg)
        out.append((time.perf_counter_ns() - t) / 1000)
    return out


def pct(xs, q):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(q * len(xs)))], 2)


def main() -> int:
    n = int(os.environ.get("BENCH_N", "3000"))
    dlp = None
    if not os.environ.get("RINGFENCE_BENCH_NO_DLP"):
        try:
            from ringfence.scanners.dlp import DlpScanner
            dlp = DlpScanner(Config())
        except Exception:
            dlp = None
    s = UrlScanner(Config(), dlp)
    nodlp = UrlScanner(Config(), None)
    res = {"python": sys.version.split()[0], "machine": platform.machine(), "n_per_url": n,
           "dlp": dlp is not None, "target_clean_p50_us": 50,
           "verdict_cache": "none: the URL scanner itself, below the engine's verdict cache"}
    for name, urls in (("clean", CLEAN), ("dirty", DIRTY)):
        for label, sc in (("", s), ("_url_layers_only", nodlp)):
            if label == "" and dlp is None:
                continue
            times = []
            for u in urls:
                timeit(sc.scan, u, 200)  # warm caches
                times += timeit(sc.scan, u, n)
            res[f"{name}{label}_p50_us"] = pct(times, 0.5)
            res[f"{name}{label}_p99_us"] = pct(times, 0.99)
            res[f"{name}{label}_mean_us"] = round(statistics.fmean(times), 2)
        per = {}
        for u in urls:
            per[u[:60]] = pct(timeit(s.scan, u, max(200, n // 5)), 0.5)
        res[f"{name}_per_url_p50_us"] = per
    b = CLEAN[0].encode()
    res["sha256_url_p50_us"] = pct(timeit(lambda x: hashlib.sha256(x).digest(), b, n), 0.5)
    long_url = "https://example.com/" + "a" * 1_000_000
    res["too_long_1mb_p50_us"] = pct(timeit(s.scan, long_url, 50), 0.5)
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
