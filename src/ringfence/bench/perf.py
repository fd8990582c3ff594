"""`ringfence bench perf`: run every benchmark script and merge their JSON, with the
machine's yardsticks (SHA-256 MB/s, direct loopback requests/s) measured in the same run."""
from __future__ import annotations

import hashlib
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def sha256_mbps(size: int = 1 << 20, rounds: int = 64) -> float:
    data = os.urandom(size)
    t = time.perf_counter()
    for _ in range(rounds):
        hashlib.sha256(data).digest()
    return round(size * rounds / (time.perf_counter() - t) / 1e6, 1)


def loopback_rps(seconds: float = 1.0) -> float:
    """Direct loopback HTTP/1.1 keep-alive requests per second, one client, one tiny server."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    def serve():
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf = b""
        while True:
            data = conn.recv(65536)
            if not data:
                break
            buf += data
            while b"\r\n\r\n" in buf:
                _, buf = buf.split(b"\r\n\r\n", 1)
                conn.sendall(resp)
        conn.close()

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    c = socket.create_connection(("127.0.0.1", port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    n, end = 0, time.perf_counter() + seconds
    t0 = time.perf_counter()
    while time.perf_counter() < end:
        c.sendall(req)
        got = b""
        while not got.endswith(b"ok"):
            got += c.recv(65536)
        n += 1
    rate = n / (time.perf_counter() - t0)
    c.close()
    srv.close()
    return round(rate, 1)


def _get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def headline(b: dict) -> dict:
    """The figures issue 12 asks about, each next to its yardstick (None when a benchmark
    did not run). Proxy cells: pages differ per request (no verdict cache hit), receipts on."""
    out: dict = {}
    px = _get(b, "bench_proxy", "results") or {}
    for key, cell in px.items():
        rc = cell.get("proxy_receipts") if isinstance(cell, dict) else None
        if rc:
            out[f"proxy_{key}"] = {"ratio_to_direct": rc.get("throughput_ratio"),
                                   "proxy_cpu_ms_per_req": rc.get("proxy_cpu_ms_per_req"),
                                   "verdict_cache": "hit" if key.endswith("_repeated") else "miss"}
    chk = _get(b, "bench_check")
    if isinstance(chk, dict) and "results" in chk:
        out["check_worst_corpus"] = chk.get("worst")
        out["check_ratio_to_sha256_cpu"] = {f"{n}_{d}": _get(c, d, "ratio_to_sha256_cpu")
                                            for n, c in chk["results"].items() for d in ("outbound", "inbound")}
    st = _get(b, "bench_startup")
    if isinstance(st, dict) and "check" in st:
        out["cold_first_scan_s"] = {d: _get(st, "check", d, "cold", "wall_s") for d in ("outbound", "inbound")}
        out["cold_first_scan_cpu_s"] = {d: _get(st, "check", d, "cold", "cpu_s") for d in ("outbound", "inbound")}
        out["warm_check_cpu_s"] = {d: _get(st, "check", d, "warm", "cpu_s") for d in ("outbound", "inbound")}
        out["warm_check_rss_MB"] = {d: _get(st, "check", d, "warm", "rss_MB") for d in ("outbound", "inbound")}
        out["proxy_memory"] = st.get("proxy")
    return out


def run_all(out: str, quick: bool = False) -> int:
    root = Path(__file__).resolve().parents[3] / "benchmarks"
    scripts = sorted(root.glob("bench_*.py")) if root.is_dir() else []
    result: dict = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "yardsticks": {"sha256_MBps": sha256_mbps(), "direct_loopback_rps_c1": loopback_rps()},
        "benchmarks": {},
    }
    if not scripts:
        print(f"no benchmark scripts found under {root} (run from a source checkout)", file=sys.stderr)
    for i, s in enumerate(scripts, 1):
        print(f"[{i}/{len(scripts)}] {s.name} ...", file=sys.stderr, flush=True)
        env = dict(os.environ, RINGFENCE_BENCH_QUICK="1" if quick else "")
        try:
            p = subprocess.run([sys.executable, str(s)], capture_output=True, text=True, timeout=900, env=env)
            txt = p.stdout.strip()
            result["benchmarks"][s.stem] = json.loads(txt[txt.index("{"):]) if p.returncode == 0 and "{" in txt \
                else {"error": (p.stderr or p.stdout)[-500:], "exit": p.returncode}
        except (subprocess.TimeoutExpired, ValueError) as e:
            result["benchmarks"][s.stem] = {"error": str(e)[:300]}
    result["headline"] = headline(result["benchmarks"])
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result["yardsticks"]), file=sys.stderr)
    print(json.dumps(result["headline"], indent=1), file=sys.stderr)
    print(f"wrote {out}", file=sys.stderr)
    return 0
