"""Added latency of ringfence's MCP proxies per tools/call round trip, against
direct, measured in the same run. Prints JSON.

  python benchmarks/bench_mcp.py [--n 2000]

stdio: a raw JSON-RPC server (tests/fixtures/mcp_servers/raw_server.py) direct vs
`ringfence mcp proxy -- ...`. http: a minimal aiohttp JSON-RPC server direct vs
`ringfence mcp proxy --upstream ... --listen ...`. The client is a plain
keep-alive loop (no SDK) so the figure is the proxy's, not the client's.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RAW = os.path.join(ROOT, "tests", "fixtures", "mcp_servers", "raw_server.py")
PY = sys.executable
CALL = {"jsonrpc": "2.0", "method": "tools/call",
        "params": {"name": "search", "arguments": {"query": "quarterly revenue report for the sales team",
                                                   "limit": 10}}}


def _pct(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"p50_ms": round(statistics.median(xs), 4), "p99_ms": round(xs[int(len(xs) * 0.99) - 1], 4),
            "n": len(xs)}


def bench_stdio(cmd: list[str], n: int) -> dict:
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    times = []
    for i in range(n + 50):
        line = json.dumps(dict(CALL, id=i)).encode() + b"\n"
        t = time.perf_counter()
        p.stdin.write(line)
        p.stdin.flush()
        p.stdout.readline()
        if i >= 50:
            times.append((time.perf_counter() - t) * 1000)
    p.stdin.close()
    p.wait(10)
    return _pct(times)


def _http_round(c: http.client.HTTPConnection, n: int, warm: int, times: list[float]) -> None:
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    for i in range(n + warm):
        body = json.dumps(dict(CALL, id=i)).encode()
        t = time.perf_counter()
        c.request("POST", "/mcp", body, h)
        r = c.getresponse()
        r.read()
        if i >= warm:
            times.append((time.perf_counter() - t) * 1000)


def bench_http(port: int, n: int) -> dict:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    times: list[float] = []
    _http_round(c, n, 50, times)
    c.close()
    return _pct(times)


def bench_http_interleaved(direct: int, proxied: int, n: int, rounds: int = 10) -> dict:
    """Alternate short rounds direct/proxied so load from other processes on a
    shared box hits both sides alike; report overall and per-round added p50."""
    cd = http.client.HTTPConnection("127.0.0.1", direct, timeout=10)
    cp = http.client.HTTPConnection("127.0.0.1", proxied, timeout=10)
    _http_round(cd, 0, 50, [])
    _http_round(cp, 0, 50, [])
    td: list[float] = []
    tp: list[float] = []
    added = []
    per = max(1, n // rounds)
    for _ in range(rounds):
        a, b = [], []
        _http_round(cd, per, 0, a)
        _http_round(cp, per, 0, b)
        td += a
        tp += b
        added.append(statistics.median(b) - statistics.median(a))
    cd.close()
    cp.close()
    d, v = _pct(td), _pct(tp)
    return {"direct": d, "proxied": v, "added_p50_ms": round(v["p50_ms"] - d["p50_ms"], 4),
            "added_p50_ms_median_of_rounds": round(statistics.median(added), 4), "rounds": rounds}


def serve(port: int) -> None:
    from aiohttp import web

    async def handle(req):
        msg = json.loads(await req.read())
        return web.json_response({"jsonrpc": "2.0", "id": msg.get("id"),
                                  "result": {"content": [{"type": "text", "text": "3 results"}]}})
    app = web.Application()
    app.router.add_post("/mcp", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"port {port} never opened")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--serve", type=int)
    a = ap.parse_args()
    if a.serve:
        return serve(a.serve)
    rf = [PY, "-m", "ringfence", "mcp", "proxy"]
    out: dict = {"benchmark": "mcp_proxy_added_latency", "unit": "ms per tools/call round trip"}
    d = bench_stdio([PY, RAW], a.n)
    v = bench_stdio(rf + ["--", PY, RAW], a.n)
    out["stdio"] = {"direct": d, "proxied": v, "added_p50_ms": round(v["p50_ms"] - d["p50_ms"], 4)}
    up, px = _port(), _port()
    srv = subprocess.Popen([PY, __file__, "--serve", str(up)], stderr=subprocess.DEVNULL)
    prox = subprocess.Popen(rf + ["--upstream", f"http://127.0.0.1:{up}/mcp", "--listen", f"127.0.0.1:{px}"],
                            stderr=subprocess.DEVNULL)
    try:
        _wait(up)
        _wait(px)
        out["http"] = bench_http_interleaved(up, px, a.n)
    finally:
        prox.terminate()
        srv.terminate()
        prox.wait(5)
        srv.wait(5)
    out["target_added_p50_ms"] = 0.5
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
