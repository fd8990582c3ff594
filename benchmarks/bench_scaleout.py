"""Scale-out figures; prints JSON. Yardsticks in the same run: direct and Envoy alone.

1. Requests/s for POST bodies of 1 KB and 10 KB: direct to the upstream, through Envoy
   alone (the same generated bootstrap without the ext_proc filter), and through Envoy
   with `ringfence envoy serve` as ext_proc (1 and 2 workers, each its own endpoint).
2. Added latency per request (p50/p99, concurrency 1, through Envoy + 1 worker with a
   rate limit and data budget on) from the shared-state backend: memory vs Redis vs NATS,
   and the latency of one SharedLimits.admit() call on each backend.
3. A model of 16 cores from the per-core figures measured here.

Load generator: wrk when installed (apt-get install wrk), else a Python keep-alive client
(slower: it then bounds the direct and Envoy-alone figures).

    python benchmarks/bench_scaleout.py [--seconds 4] [--conns 16]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "state"))
import rfengines  # noqa: E402  (finds and starts redis-server, nats-server, envoy)

BODY = {"1k": 1024, "10k": 10 * 1024}
UPSTREAM = r"""
import sys
from aiohttp import web
try:
    import uvloop; uvloop.install()
except ImportError:
    pass
async def h(req):
    b = await req.read()
    return web.json_response({"ok": True, "got": len(b)})
app = web.Application(client_max_size=1 << 24); app.router.add_route("*", "/{p:.*}", h)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


def body(n: int) -> bytes:
    words = ("the agent asks the model to summarise the quarterly report and list the open issues "
             "for the release; ").encode()
    text = (words * (n // len(words) + 1))[: n - 40]
    return b'{"model":"m","input":"' + text + b'","n":1}'.ljust(n, b" ")


def start(argv, log: Path, env=None) -> subprocess.Popen:
    return subprocess.Popen(argv, stdout=open(log, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True)


def stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


def wrk(url: str, payload: bytes, seconds: float, conns: int, tmp: Path) -> dict:
    script = tmp / f"post-{len(payload)}.lua"
    (tmp / "payload.bin").write_bytes(payload)
    script.write_text('local f = io.open("%s", "rb"); local b = f:read("*a"); f:close()\n'
                      'wrk.method = "POST"; wrk.body = b\n'
                      'wrk.headers["Content-Type"] = "application/json"\n' % (tmp / "payload.bin"))
    out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{max(1, int(round(seconds)))}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, timeout=seconds + 60)
    out = out.stdout + out.stderr
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m is None:
        return {"error": out[-400:]}
    rps = float(m.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    lat = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M)}
    return {"rps": round(rps), "p50_ms": lat.get("50"), "p99_ms": lat.get("99"),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def _ms(s: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", s)
    v, u = float(m.group(1)), m.group(2)
    return round(v / 1000 if u == "us" else v * 1000 if u == "s" else v, 3)


async def _pyload(url: str, payload: bytes, seconds: float, conns: int) -> dict:
    from urllib.parse import urlsplit
    u = urlsplit(url)
    req = (f"POST {u.path or '/'} HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Type: application/json\r\n"
           f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload
    lats: list[float] = []
    bad = 0
    end = time.monotonic() + seconds

    async def one():
        nonlocal bad
        r, w = await asyncio.open_connection(u.hostname, u.port)
        while time.monotonic() < end:
            t = time.perf_counter()
            w.write(req)
            head = await r.readuntil(b"\r\n\r\n")
            n = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
            await r.readexactly(n)
            lats.append(time.perf_counter() - t)
            if not head.startswith(b"HTTP/1.1 2"):
                bad += 1
        w.close()
    await asyncio.gather(*[one() for _ in range(conns)])
    lats.sort()
    return {"rps": round(len(lats) / seconds), "p50_ms": round(lats[len(lats) // 2] * 1000, 3),
            "p99_ms": round(lats[int(len(lats) * 0.99)] * 1000, 3), "non_2xx": bad}


def load(url, payload, seconds, conns, tmp) -> dict:
    if shutil.which("wrk"):
        return wrk(url, payload, seconds, conns, tmp)
    return asyncio.run(_pyload(url, payload, seconds, conns))


def envoy_with(tmp: Path, up_port: int, workers: list[int], ext_proc: bool) -> tuple[rfengines.Server, int]:
    from ringfence.envoy.bootstrap import build, parse_upstream, render
    lp, ap = rfengines.free_port(), rfengines.free_port()
    doc = build([parse_upstream(f"api=http://127.0.0.1:{up_port}")], [("127.0.0.1", w) for w in workers or [1]],
                ("127.0.0.1", lp), admin=("127.0.0.1", ap))
    if not ext_proc:  # Envoy alone: the same bootstrap without ringfence's filter
        for lst in doc["static_resources"]["listeners"]:
            hcm = lst["filter_chains"][0]["filters"][0]["typed_config"]
            hcm["http_filters"] = [f for f in hcm["http_filters"] if f["name"] != "envoy.filters.http.ext_proc"]
    path = tmp / f"envoy-{lp}.yaml"
    path.write_text(render(doc, "bench", [], ("127.0.0.1", lp), False))
    return rfengines.envoy_server(path, ap, tmp, lp).start(), lp


def workers_start(tmp: Path, n: int, cfg_text: str) -> list[tuple[subprocess.Popen, int]]:
    exe = str(Path(sys.executable).parent / "ringfence")
    out = []
    cfg = tmp / f"rf-{uuid.uuid4().hex[:6]}.yaml"
    cfg.write_text(cfg_text)
    for i in range(n):
        port = rfengines.free_port()
        p = start([exe, "envoy", "serve", "--listen", f"127.0.0.1:{port}", "-c", str(cfg), "-q"],
                  tmp / f"worker-{port}.log")
        rfengines.wait_tcp(port, 60, p)
        out.append((p, port))
    return out


async def admit_latency(cfg_state, n: int = 2000) -> dict:
    from ringfence.config import Config
    from ringfence.state import open_state
    from ringfence.state.limits import SharedLimits
    conf = Config().model_copy(update={"url": Config().url.model_copy(
        update={"requests_per_minute": 10**9, "bytes_per_minute": 10**12})})
    st = open_state(cfg_state)
    lim = SharedLimits(conf, st)
    for _ in range(50):
        await lim.admit("api.example.com")
    lats = []
    for _ in range(n):
        t = time.perf_counter()
        f = await lim.admit("api.example.com")
        lats.append((time.perf_counter() - t) * 1e6)
        assert f is None, f
    await st.close()
    lats.sort()
    return {"p50_us": round(lats[n // 2], 1), "p99_us": round(lats[int(n * 0.99)], 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--conns", type=int, default=16)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rf-scale-"))
    procs: list = []
    res: dict = {"machine": {"cores": os.cpu_count(), "load_generator": "wrk" if shutil.which("wrk") else "python"},
                 "seconds": args.seconds, "connections": args.conns}
    try:
        up_port = rfengines.free_port()
        up = start([sys.executable, "-c", UPSTREAM, str(up_port)], tmp / "upstream.log")
        procs.append(up)
        rfengines.wait_tcp(up_port, 30, up)
        base_cfg = "ssrf: {ip_allowlist: [127.0.0.0/8]}\n"

        # 1. throughput
        thr: dict = {}
        envs = {}
        e_alone, lp_alone = envoy_with(tmp, up_port, [], ext_proc=False)
        envs["alone"] = e_alone
        ws = workers_start(tmp, 2, base_cfg)
        procs += [p for p, _ in ws]
        e1, lp1 = envoy_with(tmp, up_port, [ws[0][1]], ext_proc=True)
        e2, lp2 = envoy_with(tmp, up_port, [w for _, w in ws], ext_proc=True)
        envs.update({"rf1": e1, "rf2": e2})
        for k, n in BODY.items():
            p = body(n)
            row = {"direct": load(f"http://127.0.0.1:{up_port}/v1/x", p, args.seconds, args.conns, tmp),
                   "envoy_alone": load(f"http://127.0.0.1:{lp_alone}/v1/x", p, args.seconds, args.conns, tmp),
                   "envoy_ringfence_1_worker": load(f"http://127.0.0.1:{lp1}/v1/x", p, args.seconds, args.conns, tmp),
                   "envoy_ringfence_2_workers": load(f"http://127.0.0.1:{lp2}/v1/x", p, args.seconds, args.conns, tmp)}
            ea = row["envoy_alone"].get("rps") or 1
            row["ratio_to_envoy_alone"] = {
                "1_worker": round(row["envoy_ringfence_1_worker"].get("rps", 0) / ea, 3),
                "2_workers": round(row["envoy_ringfence_2_workers"].get("rps", 0) / ea, 3)}
            thr[k] = row
        res["throughput"] = thr
        for e in envs.values():
            e.stop()
        for p, _ in ws:
            stop(p)

        # 2. shared-state latency
        redis = rfengines.redis_server(tmp).start()
        nats = rfengines.nats_server(tmp).start()
        try:
            from ringfence.config.state import StateConfig
            states = {"memory": StateConfig(),
                      "redis": StateConfig(backend="redis", url=f"redis://127.0.0.1:{redis.port}/0",
                                           prefix="b" + uuid.uuid4().hex[:8]),
                      "nats": StateConfig(backend="nats", url=f"nats://127.0.0.1:{nats.port}",
                                          prefix="b" + uuid.uuid4().hex[:8])}
            lat: dict = {"admit_call": {}, "per_request_through_envoy": {}}
            for name, sc in states.items():
                lat["admit_call"][name] = asyncio.run(admit_latency(sc))
            for name, sc in states.items():
                st_line = "" if name == "memory" else \
                    f"state: {{backend: {name}, url: '{sc.url}', prefix: {sc.prefix}}}\n"
                cfg = base_cfg + st_line + "url: {requests_per_minute: 100000000, bytes_per_minute: 1000000000000}\n"
                w = workers_start(tmp, 1, cfg)
                e, lp = envoy_with(tmp, up_port, [w[0][1]], ext_proc=True)
                lat["per_request_through_envoy"][name] = load(f"http://127.0.0.1:{lp}/v1/x", body(1024),
                                                              args.seconds, 1, tmp)
                e.stop()
                stop(w[0][0])
            mem = lat["per_request_through_envoy"]["memory"]
            lat["added_vs_memory_ms"] = {
                k: {"p50": round(v["p50_ms"] - mem["p50_ms"], 3), "p99": round(v["p99_ms"] - mem["p99_ms"], 3)}
                for k, v in lat["per_request_through_envoy"].items()
                if k != "memory" and "p50_ms" in v and "p50_ms" in mem}
            res["shared_state_latency"] = lat
        finally:
            redis.stop()
            nats.stop()

        # 3. the model
        t1 = thr["1k"]
        per_worker = t1["envoy_ringfence_1_worker"].get("rps", 0)
        envoy_core = t1["envoy_alone"].get("rps", 0)   # Envoy alone ran with --concurrency 1: about one core
        res["model_16_cores"] = {
            "assumptions": "ringfence worker = one Python process on one core (ext_proc per request); Envoy "
                           "with --concurrency 1 measured here on one core; cores split so neither side idles; "
                           "here the load generator, Envoy and the workers share 2 cores",
            "per_worker_rps_1k": per_worker,
            "envoy_rps_per_core_1k": envoy_core,
            "scaling_1_to_2_workers_here": round(t1["envoy_ringfence_2_workers"].get("rps", 0) / max(per_worker, 1), 2),
        }
        # c cores for Envoy, 16 - c for workers: throughput = min(envoy, workers); best split
        best = max(((min(c * envoy_core, (16 - c) * per_worker), c) for c in range(1, 16)))
        res["model_16_cores"].update({"best_envoy_cores": best[1], "workers": 16 - best[1],
                                      "predicted_rps_1k": round(best[0])})
    finally:
        for p in procs:
            stop(p)
        print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
