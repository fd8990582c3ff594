"""Whole-process `ringfence check --text FILE` throughput per corpus and direction; prints JSON.

Each corpus (benchmarks/corpora.py: English prose, source code, minified JS, JSON API
responses, HTML, base64-heavy, non-Latin prose) is written to an 8,000,000-byte file and
checked by a fresh `ringfence check` process, outbound and inbound (warm pattern cache,
no verdict cache: a new process has none). The yardstick is SHA-256 over the same bytes in
this process, in the same run, right before. Each figure is the best of `--reps` runs
(the machine is shared), measured both as wall clock and as the child's CPU time
(user+sys, less sensitive to other load); the ratio is ringfence MB/s / SHA-256 MB/s.
The CPU of checking an empty file (start-up) is measured too, and each rate is also
given net of it (the scan's own throughput).

    python benchmarks/bench_check.py [--size 8000000] [--reps 2] [--corpus english ...]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpora import NAMES, corpus, source_of  # noqa: E402

TARGET_MBPS = 100.0


def sha256_rate(data: bytes) -> dict:
    best_w = best_c = float("inf")
    for _ in range(3):
        t, c = time.perf_counter(), time.process_time()
        hashlib.sha256(data).digest()
        best_w = min(best_w, time.perf_counter() - t)
        best_c = min(best_c, time.process_time() - c)
    return {"wall_MBps": round(len(data) / best_w / 1e6, 1), "cpu_MBps": round(len(data) / max(best_c, 1e-4) / 1e6, 1)}


def run_check(path: str, direction: str) -> tuple[float, float, int, str]:
    """(wall s, cpu s, max RSS KB, verdict) of one `ringfence check` process."""
    cmd = [sys.executable, "-m", "ringfence", "check", "--text", path, "--direction", direction, "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    try:
        verdict = json.loads(p.stdout)["verdict"]
    except (ValueError, KeyError):
        verdict = f"error exit {p.returncode}: {p.stderr[-200:]}"
    return wall, cpu, after.ru_maxrss, verdict


def main() -> int:
    ap = argparse.ArgumentParser()
    quick = bool(os.environ.get("RINGFENCE_BENCH_QUICK"))
    ap.add_argument("--size", type=int, default=1_000_000 if quick else 8_000_000)
    ap.add_argument("--reps", type=int, default=1 if quick else 2)
    ap.add_argument("--corpus", nargs="*", default=list(NAMES), choices=NAMES)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="rf-check-")
    # one empty check first so the pattern cache is warm (cold start is bench_startup's job)
    empty = os.path.join(tmp, "empty.txt")
    open(empty, "w").close()
    run_check(empty, "inbound")
    # what a process costs before it scans a byte (start-up, pattern databases loaded),
    # per direction: the scan's own rate is reported net of it too
    startup = {d: min(run_check(empty, d)[1] for _ in range(2)) for d in ("outbound", "inbound")}
    results: dict = {}
    for name in args.corpus:
        data = corpus(name, args.size)
        path = os.path.join(tmp, name + ".txt")
        with open(path, "wb") as f:
            f.write(data)
        cell: dict = {"bytes": len(data), "source": source_of(name)}
        for direction in ("outbound", "inbound"):
            sha = sha256_rate(data)
            best = None
            for _ in range(args.reps):
                wall, cpu, rss, verdict = run_check(path, direction)
                if best is None or cpu < best[1]:
                    best = (wall, cpu, rss, verdict)
            wall, cpu, rss, verdict = best
            w_rate, c_rate = len(data) / wall / 1e6, len(data) / max(cpu, 1e-3) / 1e6
            cell[direction] = {"verdict": verdict, "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                               "wall_MBps": round(w_rate, 1), "cpu_MBps": round(c_rate, 1),
                               "sha256": sha,
                               "ratio_to_sha256_wall": round(w_rate / sha["wall_MBps"], 4),
                               "ratio_to_sha256_cpu": round(c_rate / sha["cpu_MBps"], 4),
                               "net_of_startup_cpu_MBps": round(len(data) / max(cpu - startup[direction], 1e-3) / 1e6, 1)}
        os.unlink(path)
        results[name] = cell
    flat = [(results[n][d]["cpu_MBps"], n, d) for n in results for d in ("outbound", "inbound")]
    worst = min(flat) if flat else None
    print(json.dumps({
        "benchmark": "check_process", "what": "whole `ringfence check --text FILE` process per corpus",
        "verdict_cache": "none (fresh process per run)", "size_bytes": args.size, "reps": args.reps,
        "machine_cores": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
        "yardstick": "SHA-256 (hashlib) over the same bytes, same run",
        "startup_cpu_s": {d: round(v, 3) for d, v in startup.items()},
        "results": results,
        "worst": {"corpus": worst[1], "direction": worst[2], "cpu_MBps": worst[0]} if worst else None,
        "target_MBps": TARGET_MBPS,
        "met": {f"{n}_{d}": results[n][d]["cpu_MBps"] >= TARGET_MBPS for _, n, d in flat},
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
