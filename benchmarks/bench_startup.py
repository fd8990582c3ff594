"""Start-up and memory: cold and warm `ringfence check`, proxy idle RSS and growth; prints JSON.

- cold: the first `ringfence check --text` with an empty pattern cache (XDG_CACHE_HOME
  pointed at a new directory), per direction (outbound builds the DLP databases, inbound
  the injection ones); wall and CPU seconds, peak RSS.
  A database not yet in the cache is built on a thread while a short text is matched
  without it, so a one-shot command answers before the build ends (and never fills the cache).
- cache_build: what `make setup` does to fill the cache (every database), CPU and wall.
- warm: the same command again with that cache filled (best of --reps): wall, CPU, RSS.
  Yardstick: `python -c pass` with the same interpreter, same run.
- --warm-only: just the warm figures (the user's pattern cache as it is), bytecode cached;
  --before REV adds the same warm figures for src/ringfence at git REV, rounds interleaved;
  best and median of --reps.
- --idle-only: the proxy's idle RSS only, median of --reps fresh proxies.
- --growth-only: the proxy's RSS idle, after 1,000 requests and after --requests more.
- --cold-proxy: `ringfence run` with an empty pattern cache: time to the first proxied
  page, and the peak RSS of the proxy and of any child while the databases are built.
- proxy: `ringfence run` with signed receipts: RSS when idle, after a 1,000-request
  warm-up, and after --requests more requests (pages that differ per request, c16);
  growth is reported against both.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_proxy as bp  # noqa: E402


def timed(cmd: list[str], env: dict | None = None, stdin: bytes = b"") -> dict:
    """Wall, CPU (user+sys) and peak RSS of one child process."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(stdin)
    p.stdin.close()
    out = p.stdout.read()
    p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": round(time.perf_counter() - t, 3), "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
            "rss_MB": round(ru.ru_maxrss / 1024, 1), "exit": p.returncode, "out": out[:200].decode(errors="replace")}


def best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["cpu_s"])


def median(runs: list[dict], key: str) -> float:
    vals = sorted(r[key] for r in runs)
    n = len(vals)
    return round(vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2, 3)


# the Makefile's setup step: every database built and cached
FILL = ["-m", "ringfence.core.prefill"]


def check_figures(reps: int) -> dict:
    out: dict = {}
    base = best([timed([sys.executable, "-c", "pass"]) for _ in range(reps)])
    out["python_c_pass"] = {k: base[k] for k in ("wall_s", "cpu_s", "rss_MB")}
    for direction in ("outbound", "inbound"):
        cache = tempfile.mkdtemp(prefix="rf-cold-")
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        env.pop("RINGFENCE_NO_CACHE", None)
        cmd = [sys.executable, "-m", "ringfence", "check", "--text", "-", "--direction", direction]
        cold = timed(cmd, env, b"hello world")
        fill = timed([sys.executable, *FILL], env)
        warm = best([timed(cmd, env, b"hello world") for _ in range(reps)])
        shutil.rmtree(cache, ignore_errors=True)
        out[direction] = {"cold": {k: cold[k] for k in ("wall_s", "cpu_s", "rss_MB", "exit")},
                          "cache_build": {k: fill[k] for k in ("wall_s", "cpu_s", "exit")},
                          "warm": {k: warm[k] for k in ("wall_s", "cpu_s", "rss_MB", "exit")},
                          "warm_cpu_over_python_pass": round(warm["cpu_s"] / max(base["cpu_s"], 1e-3), 1)}
    return out


def warm_figures(reps: int, before: str = "") -> dict:
    """Warm `ringfence check` per direction, bytecode cached (one priming run first); with
    `before`, the same for src/ringfence at that git revision, rounds interleaved."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    srcs = {"after": ""}
    tmp = tempfile.mkdtemp(prefix="rf-warm-")
    try:
        if before:
            repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            tar = subprocess.run(["git", "-C", repo, "archive", before, "src/ringfence"],
                                 capture_output=True, check=True, timeout=120).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=tar, check=True, timeout=120)
            srcs["before"] = os.path.join(tmp, "src")
        runs: dict = {}
        for rep in range(reps + 1):
            for label, src in srcs.items():
                e = dict(env, PYTHONPATH=src) if src else env
                for direction in ("outbound", "inbound"):
                    cmd = [sys.executable, "-m", "ringfence", "check", "--text", "-", "--direction", direction]
                    r = timed(cmd, e, b"hello world")
                    if rep:  # the first round writes the bytecode caches
                        runs.setdefault(f"{label}_{direction}", []).append(r)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = best([timed([sys.executable, "-c", "pass"], env) for _ in range(reps)])
    out = {"python_c_pass_cpu_s": base["cpu_s"], "before_rev": before or None}
    for k, rs in runs.items():
        w = best(rs)
        out[k] = {"cpu_s": w["cpu_s"], "wall_s": w["wall_s"], "rss_MB": w["rss_MB"], "exit": w["exit"],
                  "median_cpu_s": median(rs, "cpu_s"), "median_wall_s": median(rs, "wall_s"),
                  "median_rss_MB": median(rs, "rss_MB"), "runs": len(rs)}
    return out


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def drive(port: int, up: int, n: int, conc: int = 16) -> float:
    _, req = bp._reqs(up, "1k")
    done = [0]
    t = time.perf_counter()

    async def one():
        r, w = await asyncio.open_connection("127.0.0.1", port)
        before, after = req
        try:
            while done[0] < n:
                done[0] += 1
                w.write(before + str(done[0]).encode() + after)
                head = await r.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                await r.readexactly(length)
        finally:
            w.close()
    await asyncio.gather(*(one() for _ in range(conc)))
    return time.perf_counter() - t


def proxy_idle(reps: int) -> dict:
    """Idle RSS of `ringfence run` (receipts on, pattern cache as it is), `reps` fresh
    proxies one after another: median and spread."""
    from ringfence.receipts.keys import write_keypair
    vals = []
    for _ in range(reps):
        port = bp.free_port()
        tmp = tempfile.mkdtemp(prefix="rf-idle-")
        key = os.path.join(tmp, "k", "bench.key")
        write_keypair(key)
        proxy = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "-q", "--listen", f"127.0.0.1:{port}",
                                  "--receipts", os.path.join(tmp, "r"), "--signing-key", key],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            bp.wait_port(port, 180.0)
            time.sleep(1.0)
            vals.append(rss_mb(proxy.pid))
        finally:
            proxy.terminate()
            try:
                proxy.wait(10)
            except subprocess.TimeoutExpired:
                proxy.kill()
            shutil.rmtree(tmp, ignore_errors=True)
    vals.sort()
    return {"idle_rss_MB_median": vals[len(vals) // 2], "idle_rss_MB_min": vals[0], "idle_rss_MB_max": vals[-1],
            "runs": len(vals)}


def _status_kb(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def cold_proxy(settle_s: float = 300.0) -> dict:
    """`ringfence run` on a fresh machine (an empty pattern cache, receipts on): seconds
    from spawn to the listening port and to the first proxied page (10 KB, scanned
    inbound), then, until the background compiles end (the proxy and its children idle
    for 3 s), the proxy's peak RSS (VmHWM) and the largest peak of any child process."""
    import urllib.request
    up, port = bp.free_port(), bp.free_port()
    tmp = tempfile.mkdtemp(prefix="rf-coldproxy-")
    from ringfence.receipts.keys import write_keypair
    key = os.path.join(tmp, "k", "bench.key")
    write_keypair(key)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
    env.pop("RINGFENCE_NO_CACHE", None)
    upstream = subprocess.Popen([sys.executable, "-c", bp.UPSTREAM_CODE, str(up)])
    bp.wait_port(up)
    t0 = time.perf_counter()
    proxy = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "-q", "--listen", f"127.0.0.1:{port}",
                              "--resolve", f"bench.test:{up}:127.0.0.1", "--receipts", os.path.join(tmp, "r"),
                              "--signing-key", key], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    res: dict = {"receipts": "on"}
    child_peak = [0]
    done = threading.Event()

    def sample() -> None:   # children come and go: look twice a second
        while not done.is_set():
            for c in _children(proxy.pid):
                child_peak[0] = max(child_peak[0], _status_kb(c, "VmHWM"))
            done.wait(0.5)
    threading.Thread(target=sample, daemon=True).start()
    try:
        bp.wait_port(port, 300.0)
        res["listen_s"] = round(time.perf_counter() - t0, 2)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{port}"}))
        with opener.open(f"http://bench.test:{up}/10k", timeout=300) as r:
            assert r.status == 200 and len(r.read()) >= 10_000
        res["first_page_s"] = round(time.perf_counter() - t0, 2)
        res["rss_at_first_page_MB"] = round(_status_kb(proxy.pid, "VmRSS") / 1024, 1)
        idle, last = 0, bp.proc_cpu_s(proxy.pid)
        end = time.monotonic() + settle_s
        while idle < 3 and time.monotonic() < end:
            time.sleep(1.0)
            kids = _children(proxy.pid)
            cpu = bp.proc_cpu_s(proxy.pid)
            busy = cpu - last > 0.05 or bool(kids)
            idle, last = (0 if busy else idle + 1), cpu
        res["compiled_s"] = round(time.perf_counter() - t0 - idle, 1)
        res["proxy_peak_rss_MB"] = round(_status_kb(proxy.pid, "VmHWM") / 1024, 1)
        res["child_peak_rss_MB"] = round(child_peak[0] / 1024, 1)
        res["rss_after_compile_MB"] = round(_status_kb(proxy.pid, "VmRSS") / 1024, 1)
        res["cpu_s"] = round(bp.proc_cpu_s(proxy.pid), 1)
    finally:
        done.set()
        for p in (proxy, upstream):
            p.terminate()
        for p in (proxy, upstream):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def proxy_memory(requests: int) -> dict:
    up, port = bp.free_port(), bp.free_port()
    tmp = tempfile.mkdtemp(prefix="rf-mem-")
    from ringfence.receipts.keys import write_keypair
    key = os.path.join(tmp, "k", "bench.key")
    write_keypair(key)
    procs = [subprocess.Popen([sys.executable, "-c", bp.UPSTREAM_CODE, str(up)])]
    proxy = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "-q", "--listen", f"127.0.0.1:{port}",
                              "--resolve", f"bench.test:{up}:127.0.0.1", "--receipts", os.path.join(tmp, "r"),
                              "--signing-key", key], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(proxy)
    try:
        bp.wait_port(up)
        bp.wait_port(port, 180.0)
        time.sleep(1.0)
        idle = rss_mb(proxy.pid)
        asyncio.run(drive(port, up, 1000))
        warmed = rss_mb(proxy.pid)
        secs = asyncio.run(drive(port, up, requests // 2))
        half = rss_mb(proxy.pid)   # the bounded caches fill early: flat from here is no leak
        secs += asyncio.run(drive(port, up, requests - requests // 2))
        after = rss_mb(proxy.pid)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return {"receipts": "on", "idle_rss_MB": idle, "after_1000_warmup_rss_MB": warmed,
            f"after_{requests // 2}_more_rss_MB": half, f"after_{requests}_more_rss_MB": after,
            "growth_second_half": round(after / half - 1, 3), "requests": requests, "seconds": round(secs, 1),
            "growth_vs_idle": round(after / idle - 1, 3), "growth_vs_warmed": round(after / warmed - 1, 3)}


def main() -> int:
    quick = bool(os.environ.get("RINGFENCE_BENCH_QUICK"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--requests", type=int, default=10_000 if quick else 100_000)
    ap.add_argument("--no-proxy", action="store_true", help="skip the proxy memory run")
    ap.add_argument("--warm-only", action="store_true", help="only warm `ringfence check` (see --before)")
    ap.add_argument("--before", metavar="REV", default="", help="with --warm-only: also src/ringfence at git REV")
    ap.add_argument("--idle-only", action="store_true", help="only the proxy's idle RSS, --reps fresh proxies")
    ap.add_argument("--cold-proxy", action="store_true", help="only `ringfence run` with an empty pattern cache")
    ap.add_argument("--growth-only", action="store_true", help="only the proxy's RSS growth over --requests")
    args = ap.parse_args()
    if args.growth_only:
        print(json.dumps({"benchmark": "proxy_growth", "machine_cores": os.cpu_count(),
                          "load_avg_1m": round(os.getloadavg()[0], 2), "proxy": proxy_memory(args.requests),
                          "target_growth_max": 0.10}, indent=2))
        return 0
    if args.cold_proxy:
        print(json.dumps({"benchmark": "cold_proxy", "machine_cores": os.cpu_count(),
                          "load_avg_1m": round(os.getloadavg()[0], 2), "proxy": cold_proxy(),
                          "target_first_page_s": 5.0}, indent=2))
        return 0
    if args.idle_only:
        print(json.dumps({"benchmark": "proxy_idle", "machine_cores": os.cpu_count(),
                          "load_avg_1m": round(os.getloadavg()[0], 2), "receipts": "on",
                          "proxy": proxy_idle(args.reps), "target_MB": 60}, indent=2))
        return 0
    if args.warm_only:
        print(json.dumps({"benchmark": "warm_check", "machine_cores": os.cpu_count(),
                          "load_avg_1m": round(os.getloadavg()[0], 2),
                          "yardstick": "`python -c pass` (same interpreter, same run)",
                          "warm": warm_figures(args.reps, args.before), "target_cpu_s": 0.150}, indent=2))
        return 0
    res = {"benchmark": "startup_memory", "machine_cores": os.cpu_count(),
           "load_avg_1m": round(os.getloadavg()[0], 2),
           "yardstick": "`python -c pass` (same interpreter, same run) for check; proxy RSS vs its own idle RSS",
           "check": check_figures(args.reps)}
    if not args.no_proxy:
        res["proxy"] = proxy_memory(args.requests)
    res["targets"] = {"cold_first_scan_s": 5.0, "warm_check_s": 0.150, "proxy_idle_MB": 60,
                      "proxy_growth_max": 0.10}
    chk = res["check"]
    res["met"] = {f"{d}_cold_ok": chk[d]["cold"]["wall_s"] <= 5.0 for d in ("outbound", "inbound")}
    res["met"].update({f"{d}_warm_cpu_ok": chk[d]["warm"]["cpu_s"] <= 0.150 for d in ("outbound", "inbound")})
    if "proxy" in res:
        res["met"]["proxy_idle_ok"] = res["proxy"]["idle_rss_MB"] <= 60
        res["met"]["proxy_growth_ok"] = res["proxy"]["growth_vs_warmed"] <= 0.10
    print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
