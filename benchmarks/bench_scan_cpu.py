"""Scan CPU time (this thread's, best of a few runs) on the figures issue 12 tracks for
the inbound injection scanner and the DLP engine path, each next to SHA-256 CPU over
1 MiB in the same run. Prints one JSON object.

    .venv/bin/python benchmarks/bench_scan_cpu.py [--only inj|dlp]

Injection: documentation pages (bench_injection.py) as HTML and markdown, 1 MB (MB/s)
and 10 KB (ms per page), and Russian / Chinese prose 1 MB. DLP: Engine.scan_body on a
10 KB JSON body and 10 KB prose (decode memo dropped per run), and scan_fields on 10
request headers and 5 URL parts (us per call).
"""
from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_dlp as bd  # noqa: E402
import bench_injection as bi  # noqa: E402


def _cpu(fn, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        c = time.thread_time()
        fn()
        best = min(best, time.thread_time() - c)
    return max(best, 1e-6)


def run(only: str = "") -> dict:
    from ringfence.config import Config
    sha_s = _cpu(lambda: hashlib.sha256(b"x" * (1 << 20)).digest(), 20)
    out: dict = {"benchmark": "scan_cpu", "sha256_MBps_cpu": round((1 << 20) / sha_s / 1e6, 1), "results": {}}
    res = out["results"]
    if only in ("", "inj"):
        from ringfence.scanners.injection import InjectionScanner
        sc = InjectionScanner(Config())
        for name, gen in (("html", bi.html_page), ("markdown", bi.markdown_page)):
            big = gen(1 << 20, 2, False)
            sc.scan(big)
            mbps = len(big.encode()) / _cpu(lambda: sc.scan(big), 3) / 1e6
            small = gen(10 * 1024, 1, False)
            ms = _cpu(lambda: [sc.scan(small) for _ in range(100)], 3) / 100 * 1000
            res[f"injection_{name}_1MB"] = {"MBps_cpu": round(mbps, 1), "ratio_to_sha256": round(mbps / out["sha256_MBps_cpu"], 4)}
            res[f"injection_{name}_10KB"] = {"ms_cpu": round(ms, 3)}
        for kind in ("russian", "chinese"):
            big = bi.prose(kind, 1 << 20, 2)
            sc.scan(big)
            mbps = len(big.encode()) / _cpu(lambda: sc.scan(big), 3) / 1e6
            res[f"injection_{kind}_1MB"] = {"MBps_cpu": round(mbps, 1), "ratio_to_sha256": round(mbps / out["sha256_MBps_cpu"], 4)}
    if only in ("", "dlp"):
        from ringfence.engine import Engine
        from ringfence.scanners.dlp import DlpScanner
        cfg = Config.model_validate({"dlp": {"scan_env": False}})
        e = Engine(cfg)
        for label, body, ct in (("json_10KB", bd.json_body(10 * 1024), "application/json"),
                                ("prose_10KB", bd.clean_text(10 * 1024).encode(), "text/plain")):
            e.scan_body(body, ct)

            def twenty(body=body, ct=ct):
                for _ in range(20):
                    bd._forget()
                    e.scan_body(body, ct)
            mbps = len(body) / (_cpu(twenty, 5) / 20) / 1e6
            res[f"dlp_scan_body_{label}"] = {"MBps_cpu": round(mbps, 1),
                                              "ratio_to_sha256": round(mbps / out["sha256_MBps_cpu"], 4)}
        s = DlpScanner(cfg)
        for label, arg in (("headers_10", bd.HEADERS), ("url_parts_5", bd.URL_PARTS)):
            s.scan_fields(arg)
            us = _cpu(lambda: [s.scan_fields(arg) for _ in range(500)], 5) / 500 * 1e6
            res[f"dlp_scan_fields_{label}"] = {"us_cpu": round(us, 1)}
    return out


if __name__ == "__main__":
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    print(json.dumps(run(only), indent=1))
