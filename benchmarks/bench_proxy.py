"""Throughput and added latency of the ringfence HTTP proxy on loopback; prints JSON.

Processes: an upstream (aiohttp, TCP_NODELAY, uvloop), two `ringfence run`
(full scanning: URL pipeline, headers, response injection scan; one without a
receipt log, one writing signed receipts), and this load generator (keep-alive
raw sockets on uvloop). Each (size, concurrency) cell is measured direct and
through both proxies in the same run. Requests carry agent-like headers.

    python benchmarks/bench_proxy.py [--seconds 3] [--no-receipts]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

SIZES = {"1k": 1024, "10k": 10 * 1024, "100k": 100 * 1024}
UPSTREAM_CODE = r"""
import asyncio, sys
from aiohttp import web
try:
    import uvloop; uvloop.install()
except ImportError:
    pass
sizes = {"1k": 1024, "10k": 10240, "100k": 102400}
bodies = {k: (b"The quick brown fox jumps over the lazy dog. " * (n // 45 + 1))[:n] for k, n in sizes.items()}
async def h(req):
    return web.Response(body=bodies[req.match_info["k"]], content_type="text/plain")
app = web.Application(); app.router.add_get("/{k}", h)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} did not open")


async def worker(port: int, request: bytes, until: float, lat: list[float]) -> None:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    sock = w.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    loop = asyncio.get_running_loop()
    try:
        while loop.time() < until:
            t0 = time.perf_counter()
            w.write(request)
            head = await r.readuntil(b"\r\n\r\n")
            n = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    n = int(line[15:])
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head[:200])
            await r.readexactly(n)
            lat.append(time.perf_counter() - t0)
    finally:
        w.close()


async def measure(port: int, request: bytes, conc: int, seconds: float) -> dict:
    loop = asyncio.get_running_loop()
    # warm-up
    await asyncio.gather(*(worker(port, request, loop.time() + 0.3, []) for _ in range(conc)))
    lat: list[float] = []
    start = time.perf_counter()
    until = loop.time() + seconds
    await asyncio.gather(*(worker(port, request, until, lat) for _ in range(conc)))
    elapsed = time.perf_counter() - start
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000  # noqa: E731
    return {"requests": len(lat), "rps": round(len(lat) / elapsed, 1), "p50_ms": round(q(0.50), 3),
            "p99_ms": round(q(0.99), 3)}


HEADERS = "User-Agent: python-agent/1.0\r\nAccept: */*\r\nAccept-Encoding: identity\r\n"


def _cell(d: dict, p: dict) -> dict:
    return {"rps": p["rps"], "p50_ms": p["p50_ms"], "p99_ms": p["p99_ms"], "requests": p["requests"],
            "throughput_ratio": round(p["rps"] / d["rps"], 3) if d["rps"] else None,
            "added_p50_ms": round(p["p50_ms"] - d["p50_ms"], 3),
            "added_p99_ms": round(p["p99_ms"] - d["p99_ms"], 3)}


async def run(args, up_port: int, proxies: dict[str, int]) -> dict:
    out = {}
    for name in SIZES:
        for conc in (1, 32):
            direct_req = f"GET /{name} HTTP/1.1\r\nHost: 127.0.0.1:{up_port}\r\n{HEADERS}\r\n".encode()
            proxy_req = (f"GET http://bench.test:{up_port}/{name} HTTP/1.1\r\nHost: bench.test:{up_port}\r\n"
                         f"{HEADERS}\r\n").encode()
            d = await measure(up_port, direct_req, conc, args.seconds)
            cell = {"direct": d}
            for label, port in proxies.items():
                cell[label] = _cell(d, await measure(port, proxy_req, conc, args.seconds))
            out[f"{name}_c{conc}"] = cell
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--no-receipts", action="store_true", help="skip the proxy that writes signed receipts")
    ap.add_argument("--receipts", action="store_true", help=argparse.SUPPRESS)  # old flag: now the default
    args = ap.parse_args()
    up_port = free_port()
    proxies = {"proxy": free_port()}
    if not args.no_receipts:
        proxies["proxy_receipts"] = free_port()
    procs = []
    tmp = tempfile.mkdtemp(prefix="rf-bench-")
    try:
        procs.append(subprocess.Popen([sys.executable, "-c", UPSTREAM_CODE, str(up_port)]))
        for label, port in proxies.items():
            cmd = [sys.executable, "-m", "ringfence", "run", "-q", "--listen", f"127.0.0.1:{port}",
                   "--resolve", f"bench.test:{up_port}:127.0.0.1"]
            if label == "proxy_receipts":
                from ringfence.receipts.keys import write_keypair
                key = os.path.join(tmp, "k", "bench.key")
                write_keypair(key)
                cmd += ["--receipts", os.path.join(tmp, "receipts"), "--signing-key", key]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(up_port)
        for port in proxies.values():
            wait_port(port, 180.0)  # start-up may compile rule databases (not measured)
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
        results = asyncio.run(run(args, up_port, proxies))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    targets = {
        "throughput_ratio_1k_c32_min": 0.40, "throughput_ratio_10k_c32_min": 0.40, "added_p50_100k_max_ms": 1.0,
    }
    met = {}
    for label in proxies:
        met[label] = {
            "1k_c32_ratio_ok": results["1k_c32"][label]["throughput_ratio"] >= 0.40,
            "10k_c32_ratio_ok": results["10k_c32"][label]["throughput_ratio"] >= 0.40,
            "100k_added_p50_ok": results["100k_c1"][label]["added_p50_ms"] <= 1.0,
        }
    print(json.dumps({"benchmark": "proxy", "machine_cores": os.cpu_count(), "seconds_per_cell": args.seconds,
                      "load_avg_1m": round(os.getloadavg()[0], 2),
                      "scanning": "url+headers+response injection",
                      "proxies": {"proxy": "no receipt log", "proxy_receipts": "signed receipts written"},
                      "results": results, "targets": targets, "met": met}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
