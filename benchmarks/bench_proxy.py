"""Throughput, added latency and proxy CPU per request of `ringfence run` on loopback; prints JSON.

Processes: a fast upstream (aiohttp on uvloop, TCP_NODELAY), two `ringfence run` (full
scanning: URL pipeline, headers, response injection scan; "proxy_receipts" writes a signed
receipt per decision, "proxy" writes none), and this load generator (keep-alive raw sockets
on uvloop, a separate process). Every page differs per request: the upstream puts a random
word in the middle of the body, and every request URL carries a counter, so neither the
URL nor the body verdict cache can hit. Each (size, concurrency) cell is measured direct
and through both proxies in the same run; the yardstick is the direct rate to the same
upstream. Proxy CPU ms per request comes from /proc/<pid>/stat (utime+stime, all threads).
One extra cell ("10k_c16_repeated") requests one identical page, so it DOES hit the
verdict caches: it is labelled so and kept apart from the targets.

    python benchmarks/bench_proxy.py [--seconds 3] [--no-receipts] [--conc 16 64]
        [--variant NAME='receipts: {queue_max: 4096}'] [--before REV]

--variant adds one more receipts proxy with that extra config (repeatable), and --before
one running src/ringfence as it was at git revision REV (git archive into a temp dir), so
before/after and config variants are measured in the same run, against the same yardstick.
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
import asyncio, os, random, sys
from aiohttp import web
try:
    import uvloop; uvloop.install()
except ImportError:
    pass
sizes = {"1k": 1024, "10k": 10240, "100k": 102400}
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa".split()
base = b"The quick brown fox jumps over the lazy dog. "
halves = {k: ((base * (n // 90 + 1))[: n // 2 - 8], (base * (n // 90 + 1))[: n - n // 2 - 8]) for k, n in sizes.items()}
fixed = {k: (base * (n // 45 + 1))[:n] for k, n in sizes.items()}
rnd = random.Random(os.getpid())
async def h(req):
    k = req.match_info["k"]
    if req.query.get("same"):
        return web.Response(body=fixed[k], content_type="text/plain")
    a, b = halves[k]
    w = (rnd.choice(words) + str(rnd.randrange(10**6))).encode()[:16].ljust(16)
    return web.Response(body=a + w + b, content_type="text/plain")
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


_COUNTER = [0]


async def worker(port: int, req: tuple[bytes, bytes], until: float, lat: list[float]) -> None:
    """Keep-alive client; req = (before, after) the per-request counter in the URL
    (after empty: `before` is the whole, fixed request)."""
    r, w = await asyncio.open_connection("127.0.0.1", port)
    sock = w.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    loop = asyncio.get_running_loop()
    before, after = req
    vary = bool(after)
    try:
        while loop.time() < until:
            _COUNTER[0] += 1
            t0 = time.perf_counter()
            w.write(before + str(_COUNTER[0]).encode() + after if vary else before)
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


def proc_cpu_s(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure_once(port: int, req: tuple[bytes, bytes], conc: int, seconds: float,
                       pid: int | None, acc: dict) -> None:
    """One slice of load; adds requests, elapsed, latencies and CPU seconds to `acc`."""
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(worker(port, req, loop.time() + 0.2, []) for _ in range(conc)))  # warm-up
    lat: list[float] = []
    cpu0 = proc_cpu_s(pid) if pid else 0.0
    own0 = time.process_time()
    start = time.perf_counter()
    until = loop.time() + seconds
    await asyncio.gather(*(worker(port, req, until, lat) for _ in range(conc)))
    acc["elapsed"] = acc.get("elapsed", 0.0) + time.perf_counter() - start
    acc["own_cpu"] = acc.get("own_cpu", 0.0) + time.process_time() - own0
    acc["cpu"] = acc.get("cpu", 0.0) + (proc_cpu_s(pid) - cpu0 if pid else 0.0)
    acc.setdefault("lat", []).extend(lat)


def summary(acc: dict, pid: int | None) -> dict:
    lat = sorted(acc["lat"])
    elapsed = acc["elapsed"]
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else 0.0  # noqa: E731
    res = {"requests": len(lat), "rps": round(len(lat) / elapsed, 1), "p50_ms": round(q(0.50), 3),
           "p99_ms": round(q(0.99), 3), "loadgen_cpu_share": round(acc["own_cpu"] / elapsed, 2)}
    if pid and lat:
        res["proxy_cpu_ms_per_req"] = round(acc["cpu"] * 1000 / len(lat), 3)
        res["proxy_cpu_share"] = round(acc["cpu"] / elapsed, 2)
    return res


HEADERS = "User-Agent: python-agent/1.0\r\nAccept: */*\r\nAccept-Encoding: identity\r\n"


def _cell(d: dict, p: dict) -> dict:
    return dict(p, throughput_ratio=round(p["rps"] / d["rps"], 3) if d["rps"] else None,
                added_p50_ms=round(p["p50_ms"] - d["p50_ms"], 3), added_p99_ms=round(p["p99_ms"] - d["p99_ms"], 3))


def _reqs(up_port: int, name: str, same: bool = False) -> tuple[tuple[bytes, bytes], tuple[bytes, bytes]]:
    q = "same=1&n=" if same else "n="
    tail = f" HTTP/1.1\r\nHost: {{h}}\r\n{HEADERS}\r\n"
    direct = (f"GET /{name}?{q}".encode(), tail.format(h=f"127.0.0.1:{up_port}").encode())
    host = f"bench.test:{up_port}"
    proxied = (f"GET http://{host}/{name}?{q}".encode(), tail.format(h=host).encode())
    if same:  # one identical request every time: the verdict caches hit
        direct, proxied = (direct[0] + b"1" + direct[1], b""), (proxied[0] + b"1" + proxied[1], b"")
    return direct, proxied


async def run(args, up_port: int, proxies: dict[str, tuple[int, int]]) -> dict:
    out = {}
    cells = [(name, conc, False) for name in SIZES for conc in args.conc] + [("10k", 16, True)]
    for name, conc, same in cells:
        direct_req, proxy_req = _reqs(up_port, name, same)
        # Interleaved slices (direct, proxy, proxy, direct, ...): other load on a shared
        # machine then hits the yardstick and the proxies alike.
        accs: dict[str, dict] = {"direct": {}, **{label: {} for label in proxies}}
        for r in range(args.rounds):
            order = [("direct", up_port, None, direct_req)] + [(lb, pt, pd, proxy_req)
                                                               for lb, (pt, pd) in proxies.items()]
            for label, port, pid, req in (order if r % 2 == 0 else order[::-1]):
                await measure_once(port, req, conc, args.seconds / args.rounds, pid, accs[label])
        d = summary(accs["direct"], None)
        cell = {"direct": d}
        for label, (port, pid) in proxies.items():
            cell[label] = _cell(d, summary(accs[label], pid))
        if same:
            cell["note"] = "identical page and URL each time: served from the verdict caches (not a target)"
        out[f"{name}_c{conc}" + ("_repeated" if same else "")] = cell
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    quick = bool(os.environ.get("RINGFENCE_BENCH_QUICK"))
    ap.add_argument("--seconds", type=float, default=1.0 if quick else 3.0)
    ap.add_argument("--rounds", type=int, default=2 if quick else 4, help="interleaved slices per cell")
    ap.add_argument("--conc", type=int, nargs="+", default=[16, 64])
    ap.add_argument("--no-receipts", action="store_true", help="skip the proxy that writes signed receipts")
    ap.add_argument("--receipts-only", action="store_true", help="only the proxy that writes signed receipts")
    ap.add_argument("--receipts-yaml", default="", metavar="YAML",
                    help="extra config for the receipts proxy, e.g. 'receipts: {queue_max: 0}'")
    ap.add_argument("--receipts", action="store_true", help=argparse.SUPPRESS)  # old flag: now the default
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=YAML",
                    help="one more receipts proxy, with this extra config (repeatable)")
    ap.add_argument("--before", metavar="REV", help="one more receipts proxy running src/ringfence at git REV")
    args = ap.parse_args()
    up_port = free_port()
    labels = ["proxy_receipts"] if args.receipts_only else ["proxy"] + ([] if args.no_receipts else ["proxy_receipts"])
    yamls = {"proxy_receipts": args.receipts_yaml}
    for v in args.variant:
        name, _, yaml_text = v.partition("=")
        labels.append(name)
        yamls[name] = yaml_text
    if args.before:
        labels.append("before_receipts")
        yamls["before_receipts"] = args.receipts_yaml
    ports = {label: free_port() for label in labels}
    procs, pids = [], {}
    tmp = tempfile.mkdtemp(prefix="rf-bench-")
    try:
        if args.before:
            repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            tar = subprocess.run(["git", "-C", repo, "archive", args.before, "src/ringfence"],
                                 capture_output=True, check=True, timeout=120).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=tar, check=True, timeout=120)
        procs.append(subprocess.Popen([sys.executable, "-c", UPSTREAM_CODE, str(up_port)]))
        for label, port in ports.items():
            cmd = [sys.executable, "-m", "ringfence", "run", "-q", "--listen", f"127.0.0.1:{port}",
                   "--resolve", f"bench.test:{up_port}:127.0.0.1"]
            env = dict(os.environ, PYTHONPATH=os.path.join(tmp, "src")) if label == "before_receipts" else None
            if label != "proxy":
                from ringfence.receipts.keys import write_keypair
                key = os.path.join(tmp, "k", f"{label}.key")
                write_keypair(key)
                cmd += ["--receipts", os.path.join(tmp, f"receipts-{label}"), "--signing-key", key]
                if yamls.get(label):
                    cfg = os.path.join(tmp, f"{label}.yaml")
                    with open(cfg, "w") as f:
                        f.write(yamls[label] + "\n")
                    cmd += ["--config", cfg]
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            procs.append(p)
            pids[label] = p.pid
        wait_port(up_port)
        for port in ports.values():
            wait_port(port, 180.0)  # start-up may compile rule databases (not measured)
        try:
            import uvloop
            uvloop.install()
        except ImportError:
            pass
        proxies = {label: (ports[label], pids[label]) for label in labels}
        results = asyncio.run(run(args, up_port, proxies))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    targets = {"throughput_ratio_min": 0.40, "proxy_cpu_ms_per_10k_req_max": 0.25}
    met = {}
    for label in labels:
        m = {}
        for key, cell in results.items():
            if key.endswith("_repeated"):
                continue
            m[f"{key}_ratio_ok"] = (cell[label]["throughput_ratio"] or 0) >= 0.40
            if key.startswith("10k_"):
                m[f"{key}_cpu_ok"] = cell[label].get("proxy_cpu_ms_per_req", 1e9) <= 0.25
        met[label] = m
    print(json.dumps({"benchmark": "proxy", "machine_cores": os.cpu_count(), "seconds_per_cell": args.seconds, "rounds": args.rounds,
                      "load_avg_1m": round(os.getloadavg()[0], 2),
                      "scanning": "url+headers+response injection",
                      "verdict_cache": "misses: every body and URL differ (except the *_repeated cell)",
                      "yardstick": "direct requests/s to the same upstream, same run, same load generator",
                      "proxies": {"proxy": "no receipt log", "proxy_receipts": "signed receipt per decision",
                                  **{k: f"signed receipts, config {v!r}" for k, v in yamls.items()
                                     if k not in ("proxy_receipts", "before_receipts")},
                                  **({"before_receipts": f"signed receipts, src at {args.before}"}
                                     if args.before else {})},
                      "results": results, "targets": targets, "met": met}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
