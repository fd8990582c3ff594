"""Cost of intent receipts on proxy throughput. Prints JSON.

    .venv/bin/python benchmarks/bench_intent.py [--n 600] [--rounds 3] [--paths forward,fetch]

Starts a real `ringfence run` with receipts on against a local upstream that serves
non-repeating 10 KB text pages (every request a new URL and a new body, so no memo
helps), and sends N sequential keep-alive requests through the forward proxy (and /fetch)
with receipts.intent_durability = disabled (the yardstick: decision receipts only),
batch (intent written before the request leaves, fsync'd within fsync_interval_ms; the
default) and fsync (an fsync per intent before the request leaves). The variants run
interleaved in the same invocation, so machine load hits each alike. Reports requests/s
(best round), the proxy's CPU per request (utime + stime of the ringfence process from
/proc, median round) and the cost of intents against the yardstick.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = 10 * 1024
_WORDS = ("river stone garden window paper orange signal market winter candle harbor violet engine "
          "meadow silver basket ladder thunder pocket canvas forest mirror lantern pepper").split()


def page(seed: str) -> bytes:
    """A 10 KB HTML page, different for every seed (plain prose: nothing to block)."""
    rng = random.Random(seed)
    out, n = [b"<html><body><p>"], 15
    while n < PAGE - 20:
        w = rng.choice(_WORDS).encode() + (b". " if rng.random() < 0.1 else b" ")
        out.append(w)
        n += len(w)
    out.append(b"</p></body></html>")
    return b"".join(out)[:PAGE - 18] + b"</p></body></html>"


class _Up(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # head and body are two writes: no 40 ms delayed-ACK stall

    def do_GET(self):
        body = page(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def one(mode: str, n: int, up_port: int, tmp: str, path_kind: str, window_ms: int, rnd: int) -> dict:
    from ringfence.receipts.keys import write_keypair
    tag = f"{mode}-{path_kind}-{rnd}"
    key = os.path.join(tmp, f"k-{tag}.key")
    write_keypair(key)
    cfg = os.path.join(tmp, f"c-{tag}.yaml")
    with open(cfg, "w") as f:
        f.write(f"receipts:\n  intent_durability: {mode}\n  fsync_interval_ms: {window_ms}\n")
    port = _port()
    rdir = os.path.join(tmp, f"r-{tag}")
    proc = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "-c", cfg,
                             "--receipts", rdir, "--signing-key", key,
                             "--resolve", f"site.test:{up_port}:127.0.0.1", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > end or proc.poll() is not None:
                    raise RuntimeError("proxy did not start")
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def target(i: int) -> str:
            url = f"http://site.test:{up_port}/{tag}/{i}"
            return "/fetch?url=" + urllib.parse.quote(url, safe="") if path_kind == "fetch" else url

        for i in range(30):  # warm up
            conn.request("GET", target(-1 - i))
            conn.getresponse().read()
        cpu0, t = _cpu_s(proc.pid), time.perf_counter()
        for i in range(n):
            conn.request("GET", target(i))
            r = conn.getresponse()
            body = r.read()
            assert r.status == 200 and len(body) >= PAGE // 2, (r.status, len(body))
        wall, cpu = time.perf_counter() - t, _cpu_s(proc.pid) - cpu0
        conn.close()
        return {"rps": n / wall, "cpu_us_per_request": cpu / n * 1e6}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


def writer_cost(tmp: str, n: int = 3000) -> dict:
    """CPU per call of the writer itself (process time, independent of the proxy and the load):
    a decision receipt, the same as an intent (batch), and an intent plus its outcome."""
    from ringfence.core import Action, Decision
    from ringfence.receipts.keys import load_private_key, write_keypair
    from ringfence.receipts.writer import ReceiptWriter
    write_keypair(os.path.join(tmp, "wk.key"))
    w = ReceiptWriter(os.path.join(tmp, "wr"), load_private_key(os.path.join(tmp, "wk.key")),
                      policy_hash="sha256:bench", session_id="bench")
    a = Action("forward", "outbound", "http://site.test:8080/some/path/123", "GET", meta={"egress": True})
    d = Decision("allow")
    out = {}
    for name, fn in (("decision_receipt", lambda: w.record(a, d)), ("intent_receipt", lambda: w.record_intent(a, d)),
                     ("intent_and_outcome", lambda: w.record_outcome(w.record_intent(a, d), "status=200 bytes=10240"))):
        t = time.process_time()
        for _ in range(n):
            fn()
        out[name] = round((time.process_time() - t) / n * 1e6, 1)
    w.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--paths", default="forward,fetch")
    ap.add_argument("--window-ms", type=int, default=50, help="receipts.fsync_interval_ms")
    a = ap.parse_args()
    up = ThreadingHTTPServer(("127.0.0.1", 0), _Up)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    modes = ("disabled", "batch", "fsync")
    out: dict = {"requests_per_round": a.n, "rounds": a.rounds, "page_bytes": PAGE,
                 "client": "sequential, keep-alive, non-repeating URLs and pages, receipts on",
                 "fsync_interval_ms": a.window_ms, "yardstick": "disabled (decision receipts only)", "paths": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for path_kind in a.paths.split(","):
            res: dict[str, list[dict]] = {m: [] for m in modes}
            for rnd in range(a.rounds):  # interleaved, the order rotated each round: load and order hit all alike
                for mode in modes[rnd % 3:] + modes[:rnd % 3]:
                    res[mode].append(one(mode, a.n, up.server_address[1], tmp, path_kind, a.window_ms, rnd))
            best = {m: max(r["rps"] for r in v) for m, v in res.items()}
            cpu = {m: statistics.median(r["cpu_us_per_request"] for r in v) for m, v in res.items()}
            out["paths"][path_kind] = {
                "requests_per_s_best": {m: round(v, 1) for m, v in best.items()},
                "requests_per_s_all": {m: [round(r["rps"], 1) for r in v] for m, v in res.items()},
                "cpu_us_per_request_median": {m: round(v, 1) for m, v in cpu.items()},
                "throughput_cost_pct": {m: round((1 - best[m] / best["disabled"]) * 100, 1)
                                        for m in ("batch", "fsync")},
                "cpu_cost_us_per_request": {m: round(cpu[m] - cpu["disabled"], 1) for m in ("batch", "fsync")},
            }
        out["writer_cpu_us_per_call"] = writer_cost(tmp)
    out["load_average"] = os.getloadavg()[0]
    out["cpus"] = os.cpu_count()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
