"""Cost of intent receipts on proxy throughput. Prints JSON.

    .venv/bin/python benchmarks/bench_intent.py [--n 400] [--rounds 2]

Starts a real `ringfence run` with receipts against a local upstream and sends N sequential
/fetch requests (each one: an intent receipt before the request leaves, an outcome receipt
after) with receipts.intent_durability = disabled (decision receipt only), batch (fsync within
fsync_interval_ms, the default) and fsync (an fsync per intent). Reports requests/s and the
per-request cost of intents and of the fsync.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Up(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"<html><body>ok</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one(mode: str, n: int, up_port: int, tmp: str, path_kind: str) -> float:
    from ringfence.receipts.keys import write_keypair
    key = os.path.join(tmp, f"k-{mode}-{path_kind}-{time.time_ns()}.key")
    write_keypair(key)
    cfg = os.path.join(tmp, f"c-{mode}.yaml")
    with open(cfg, "w") as f:
        f.write(f"receipts:\n  intent_durability: {mode}\n")
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "-c", cfg,
                             "--receipts", os.path.join(tmp, f"r-{mode}-{path_kind}"), "--signing-key", key,
                             "--resolve", f"site.test:{up_port}:127.0.0.1", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > end:
                    raise RuntimeError("proxy did not start")
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        url = f"http://site.test:{up_port}/page"
        q = "/fetch?url=" + urllib.parse.quote(url, safe="")
        for _ in range(20):  # warm up
            conn.request("GET", q if path_kind == "fetch" else url)
            conn.getresponse().read()
        t = time.perf_counter()
        for _ in range(n):
            conn.request("GET", q if path_kind == "fetch" else url)
            r = conn.getresponse()
            r.read()
            assert r.status == 200, r.status
        return n / (time.perf_counter() - t)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    up = ThreadingHTTPServer(("127.0.0.1", 0), _Up)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    res: dict[str, list[float]] = {"disabled": [], "batch": [], "fsync": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(a.rounds):  # interleaved: machine load hits every variant alike
            for mode in res:
                res[mode].append(one(mode, a.n, up.server_address[1], tmp, "fetch"))
    best = {k: round(max(v), 1) for k, v in res.items()}
    out = {"requests": a.n, "rounds": a.rounds, "path": "/fetch, keep-alive, sequential",
           "requests_per_s_best": best,
           "intent_cost_us_per_request_batch": round((1 / best["batch"] - 1 / best["disabled"]) * 1e6, 1),
           "intent_cost_us_per_request_fsync": round((1 / best["fsync"] - 1 / best["disabled"]) * 1e6, 1),
           "load_average": os.getloadavg()[0]}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
