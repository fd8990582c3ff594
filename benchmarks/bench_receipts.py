"""Receipt throughput on one core: signed+appended/s (batch fsync and fsync-every-receipt),
verified/s, and a SHA-256 MB/s yardstick. Prints JSON.

    .venv/bin/python benchmarks/bench_receipts.py [--n 20000]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import tempfile
import time


def _sample():
    from ringfence.core import Action, Decision, Finding
    actions = [
        Action("fetch", "outbound", "https://api.example.com/v1/items?id=42&sort=<asc>", "GET", request_id="r-1"),
        Action("forward", "outbound", "https://hooks.example.com/post", "POST"),
        Action("mcp_stdio", "outbound", "run_shell", "tools/call", kind="tool_call"),
    ]
    decisions = [
        Decision("allow"),
        Decision("block", (Finding("dlp", "aws_access_key_id", "critical", "AKIA***LE", "url.query"),),
                 "dlp:aws_access_key_id"),
    ]
    return actions, decisions


def bench_write(n: int, fsync: str, key_path: str, root: str) -> dict:
    from ringfence.config import Config
    from ringfence.config.receipts import ReceiptsConfig
    from ringfence.receipts import open_writer
    actions, decisions = _sample()
    d = os.path.join(root, f"ev-{fsync}")
    cfg = Config(receipts=ReceiptsConfig(fsync=fsync, fsync_interval_ms=50))
    w = open_writer(d, key_path, cfg, session_id="bench")
    t0 = time.perf_counter()
    for i in range(n):
        w.record(actions[i % 3], decisions[i & 1])
    w.close()
    dt = time.perf_counter() - t0
    size = sum(os.path.getsize(p) for p in w.paths)
    return {"receipts": n, "seconds": round(dt, 4), "per_second": round(n / dt),
            "us_per_receipt": round(dt / n * 1e6, 2), "bytes_per_receipt": round(size / n), "dir": d}


def bench_verify(d: str, pub: str) -> dict:
    from ringfence.receipts.verify import verify_path
    t0 = time.perf_counter()
    r = verify_path(d, pub)
    dt = time.perf_counter() - t0
    assert r.valid and r.sealed, r.error
    return {"receipts": r.count, "seconds": round(dt, 4), "per_second": round(r.count / dt)}


def bench_sha256(mb: int = 64) -> float:
    buf = os.urandom(1 << 20)
    h = hashlib.sha256()
    t0 = time.perf_counter()
    for _ in range(mb):
        h.update(buf)
    return round(mb / (time.perf_counter() - t0), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000, help="receipts for the batch-fsync run")
    ap.add_argument("--n-always", type=int, default=1000, help="receipts for the fsync-every-receipt run")
    a = ap.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
        pinned = True
    except (AttributeError, OSError):
        pinned = False
    from ringfence.receipts.keys import write_keypair
    root = tempfile.mkdtemp(prefix="rf-bench-receipts-")
    try:
        priv, _, pub = write_keypair(os.path.join(root, "bench.key"))
        batch = bench_write(a.n, "batch", priv, root)
        always = bench_write(a.n_always, "always", priv, root)
        verify = bench_verify(batch.pop("dir"), pub.hex())
        always.pop("dir")
        out = {
            "benchmark": "receipts",
            "python": platform.python_version(),
            "one_core": pinned,
            "sign_append_batch_fsync": batch,
            "sign_append_fsync_every_receipt": always,
            "verify": verify,
            "sha256_mb_per_s": bench_sha256(),
            "target_signed_per_s": 5000,
            "meets_target": batch["per_second"] >= 5000,
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
