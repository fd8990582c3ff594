"""Chaos: under load through a real `ringfence run`, the upstream and ringfence itself
are killed (SIGKILL) and restarted, and ringfence is also stopped cleanly and
restarted. Then: no byte of a planted injection reached a client, no request was
left hanging, every receipt id a client was given is in the log, the killed run's
log verifies up to its last complete receipt, and each new run starts its own
chain in the same directory that verifies and is sealed."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import aiohttp
import pytest

from chaos_upstream import MARKER
from rfrun_util import Run, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]

HERE = os.path.dirname(os.path.abspath(__file__))
DEADLINE_S = 20.0   # the longest any request may take (upstream_timeout_s is 2)
WORKERS = 6
PATHS = ["/clean", "/inj", "/slow-inj", "/sse", "/clean", "/fetch"]


class Upstream:
    def __init__(self, port: int):
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "chaos_upstream.py"), str(self.port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.proc.stdout.readline().strip() == b"ready"

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Stats:
    def __init__(self):
        self.ok = self.errors = self.blocked = 0
        self.leaks: list[str] = []
        self.hung: list[str] = []
        self.slowest = 0.0
        self.receipt_ids: set[str] = set()
        self.kinds: dict[str, int] = {}

        self.timeline: list[tuple[float, str]] = []

    def count(self, what: str) -> None:
        self.kinds[what] = self.kinds.get(what, 0) + 1
        self.timeline.append((time.monotonic(), what))


async def _one(s: aiohttp.ClientSession, proxy: str, up: int, path: str, st: Stats) -> None:
    t0 = time.monotonic()
    if path == "/fetch":
        url = f"{proxy}/fetch?url=http%3A%2F%2Fsite.test%3A{up}%2Finj"
        kw: dict = {}
    else:
        url = f"http://site.test:{up}{path}"
        kw = {"proxy": proxy}
    try:
        async with s.get(url, timeout=aiohttp.ClientTimeout(total=DEADLINE_S + 10), **kw) as r:
            rid = r.headers.get("X-Ringfence-Receipt", "")
            body = await r.read()
            if rid:
                st.receipt_ids.add(rid)
            if MARKER.encode() in body:
                st.leaks.append(f"{path} {r.status}")
            if r.status == 403 or b"ringfence_blocked" in body:
                st.blocked += 1
            elif r.status < 400:
                st.ok += 1
            else:
                st.errors += 1
            st.count(f"{path} {r.status}")
    except asyncio.TimeoutError:
        st.hung.append(path)
    except (aiohttp.ClientError, ConnectionError, OSError) as e:
        st.errors += 1  # the proxy or the upstream died under us: an error is an answer
        st.count(f"{path} {type(e).__name__}")
        await asyncio.sleep(0.05)
    took = time.monotonic() - t0
    st.slowest = max(st.slowest, took)
    if took > DEADLINE_S:
        st.hung.append(f"{path} {took:.1f}s")


async def _load(proxy: str, up: int, st: Stats, stop: asyncio.Event, n: int) -> None:
    i = n
    conn = aiohttp.TCPConnector(force_close=(n % 2 == 0))  # half keep-alive, half fresh connections
    async with aiohttp.ClientSession(connector=conn) as s:
        while not stop.is_set():
            await _one(s, proxy, up, PATHS[i % len(PATHS)], st)
            i += 1


def _wait_port(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"port {port} did not open")


async def test_chaos_kill_and_restart_under_load(tmp_path):
    up = Upstream(free_port())
    up.start()
    port = free_port()
    args = ("--resolve", f"site.test:{up.port}:127.0.0.1")
    cfg = "proxy:\n  upstream_timeout_s: 2\n"
    rp = Run(tmp_path, *args, config=cfg, port=port, name="run1")
    runs = [rp]
    st = Stats()
    stop = asyncio.Event()
    proxy = f"http://127.0.0.1:{port}"
    workers = [asyncio.create_task(_load(proxy, up.port, st, stop, n)) for n in range(WORKERS)]
    t0 = time.monotonic()

    def restart(name: str) -> Run:
        r = Run(tmp_path, *args, config=cfg, port=port, name=name, keyfile=runs[0].key)
        runs.append(r)
        return r

    try:
        await asyncio.sleep(3)
        up.kill()                                   # the upstream dies mid-load
        await asyncio.sleep(1.5)
        await asyncio.to_thread(up.start)
        await asyncio.sleep(2.5)
        rp.proc.send_signal(signal.SIGKILL)         # ringfence dies mid-load
        rp.proc.wait(10)
        await asyncio.sleep(0.5)
        rp = await asyncio.to_thread(restart, "run2")
        await asyncio.sleep(3)
        up.kill()
        await asyncio.to_thread(up.start)
        await asyncio.sleep(2)
        assert await asyncio.to_thread(rp.stop, signal.SIGTERM) == 0   # a clean stop under load
        rp = await asyncio.to_thread(restart, "run3")
        await asyncio.sleep(3)
    finally:
        stop.set()
        done, pending = await asyncio.wait(workers, timeout=DEADLINE_S + 15)
        for w in pending:
            w.cancel()
        final = await asyncio.to_thread(rp.stop, signal.SIGTERM)
        up.kill()
    took = time.monotonic() - t0
    total = st.ok + st.errors + st.blocked
    print(f"\nchaos: {took:.0f} s, {total} requests: ok {st.ok}, blocked {st.blocked}, errors {st.errors}, "
          f"slowest {st.slowest:.1f} s, leaks {len(st.leaks)}, hung {len(st.hung)}")
    print(sorted(st.kinds.items()))
    if os.environ.get("RF_CHAOS_TIMELINE"):
        for sec in range(int(took) + 1):
            row = [w for t, w in st.timeline if int(t - t0) == sec]
            print(sec, {k: row.count(k) for k in sorted(set(row))})
    assert not pending, "a load worker never finished"
    assert not st.leaks, f"planted injection reached the client: {st.leaks[:5]}"
    assert not st.hung, f"requests hung: {st.hung[:5]}"
    assert final == 0
    assert st.ok > 20 and st.blocked > 20, "the load did not exercise both paths"
    for r in runs:
        assert "Traceback" not in r.stderr(), r.stderr()[-3000:]

    # receipts: one chain per run in the same directory
    from ringfence.receipts.verify import verify_path
    res = verify_path(str(runs[0].rdir), runs[0].pub)
    assert res.valid, res.error  # every chain verifies up to its last complete receipt
    chains = {c["session"]: c for c in res.chains}
    assert len(chains) == 3, list(chains)
    by_run = sorted(chains.values(), key=lambda c: c["session"])
    assert [c["sealed"] for c in by_run] == [False, True, True], by_run  # SIGKILL, SIGTERM, SIGTERM
    logged = "".join(p.read_text(errors="replace") for p in runs[0].rdir.glob("evidence-*.jsonl"))
    missing = [rid for rid in st.receipt_ids if rid not in logged]
    assert not missing, f"receipt ids given to clients but not in the log: {missing[:5]}"
    assert MARKER not in logged
