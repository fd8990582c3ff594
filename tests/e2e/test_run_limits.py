"""Resource limits on a real `ringfence run`: request-body deadline and minimum rate
(408), the buffered-body budget (503), the connection cap, keep-alive idle time and
idle upstream sockets closed by a timer; and RSS under the slow-body attacks."""
from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from slowbody_attacks import partial_bodies, rss_mib, trickle
from rfrun_util import Run, read_head, read_until_closed

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


async def _echo_upstream():
    async def echo(req):
        body = await req.read()
        return web.Response(text=f"echo {len(body)}")
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


def _post_head(port: int, length: int) -> bytes:
    return (f"POST http://site.test:{port}/echo HTTP/1.1\r\nHost: site.test:{port}\r\n"
            f"Content-Type: text/plain\r\nContent-Length: {length}\r\n\r\n").encode()


async def _trickle_until_answer(rp: Run, up: int, every: float, limit: float) -> tuple[int, bytes, float]:
    r, w = await asyncio.open_connection("127.0.0.1", rp.port)
    t0 = time.monotonic()
    w.write(_post_head(up, 1000))
    try:
        while time.monotonic() - t0 < limit:
            w.write(b"x")
            try:
                st, head = await asyncio.wait_for(read_head(r), every)
                body, closed = await read_until_closed(r, 5)
                assert closed, "the connection stayed open after the 408"
                return st, body, time.monotonic() - t0
            except asyncio.TimeoutError:
                continue
        raise AssertionError("no answer to a trickling body")
    finally:
        w.close()


async def test_body_deadline_and_minimum_rate(tmp_path):
    runner, up = await _echo_upstream()
    # the overall deadline (rate check off)
    rp = Run(tmp_path, "--resolve", f"site.test:{up}:127.0.0.1", name="deadline",
             config="proxy:\n  body_timeout_s: 2\n  body_min_rate_bytes_s: 0\n")
    rp2 = None
    try:
        st, body, took = await _trickle_until_answer(rp, up, 0.2, 15)
        assert st == 408 and b"body_timeout" in body and 1.8 < took < 15, (st, body, took)
        # the default config: 1 byte/s is below the minimum rate and is cut after its grace period
        rp2 = Run(tmp_path, "--resolve", f"site.test:{up}:127.0.0.1", name="rate")
        st, body, took = await _trickle_until_answer(rp2, up, 1.0, 20)
        assert st == 408 and b"body_too_slow" in body and took < 20, (st, body, took)
        # a body that arrives in time still goes through
        r, w = await asyncio.open_connection("127.0.0.1", rp2.port)
        w.write(_post_head(up, 200_000) + b"y" * 200_000)
        assert (await read_head(r))[0] == 200
        w.close()
    finally:
        rp.stop()
        if rp2:
            rp2.stop()
        await runner.cleanup()
    assert "Traceback" not in rp.stderr()


async def test_buffered_body_budget_and_connection_cap(tmp_path):
    runner, up = await _echo_upstream()
    mib = 1024 * 1024
    rp = Run(tmp_path, "--resolve", f"site.test:{up}:127.0.0.1",
             config=f"proxy:\n  max_body_bytes: {mib}\n  max_buffered_body_bytes: {2 * mib}\n"
                    f"  max_connections: 6\n")
    conns = []
    try:
        for _ in range(2):  # two partial 1 MiB bodies hold the whole budget
            r, w = await asyncio.open_connection("127.0.0.1", rp.port)
            w.write(_post_head(up, mib) + b"z" * 1000)
            conns.append((r, w))
        await asyncio.sleep(1.5)  # they leave the fast path for the stream path, which holds them
        r, w = await asyncio.open_connection("127.0.0.1", rp.port)
        w.write(_post_head(up, mib) + b"z" * 1000)
        st, _ = await read_head(r, 10)
        body, _ = await read_until_closed(r, 5)
        assert st == 503 and b"body_budget" in body
        w.close()
        # even a small body waits for room; a request without one still goes through
        r2, w2 = await asyncio.open_connection("127.0.0.1", rp.port)
        w2.write(_post_head(up, 10) + b"0123456789")
        assert (await read_head(r2))[0] == 503
        w2.close()
        r2, w2 = await asyncio.open_connection("127.0.0.1", rp.port)
        w2.write(f"GET http://site.test:{up}/x HTTP/1.1\r\nHost: site.test:{up}\r\n\r\n".encode())
        assert (await read_head(r2))[0] == 200
        w2.close()
        # one partial body goes away: its share comes back
        conns.pop()[1].close()
        await asyncio.sleep(1.0)
        r3, w3 = await asyncio.open_connection("127.0.0.1", rp.port)
        w3.write(_post_head(up, mib) + b"q" * mib)
        assert (await read_head(r3, 20))[0] == 200
        w3.close()
        # the connection cap: fill up to 6, the 7th is turned away with 503
        await asyncio.sleep(0.5)
        idle = []
        for _ in range(5):
            idle.append(await asyncio.open_connection("127.0.0.1", rp.port))
        await asyncio.sleep(0.3)
        r4, w4 = await asyncio.open_connection("127.0.0.1", rp.port)
        st, _ = await read_head(r4, 10)
        body, closed = await read_until_closed(r4, 5)
        assert st == 503 and b"too_many_connections" in body and closed
        for _, w in idle:
            w.close()
    finally:
        for _, w in conns:
            w.close()
        rp.stop()
        await runner.cleanup()


async def test_idle_keepalive_and_idle_upstream_closed_by_timer(tmp_path):
    events: list[tuple[str, float]] = []

    async def handle(r, w):
        events.append(("open", time.monotonic()))
        try:
            while True:
                head = await r.readuntil(b"\r\n\r\n")
                if not head:
                    break
                w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
                await w.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        events.append(("closed", time.monotonic()))
        w.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    up = srv.sockets[0].getsockname()[1]
    rp = Run(tmp_path, "--resolve", f"site.test:{up}:127.0.0.1",
             config="proxy:\n  idle_timeout_s: 1\n  upstream_idle_timeout_s: 1\n")
    try:
        r, w = await asyncio.open_connection("127.0.0.1", rp.port)
        w.write(f"GET http://site.test:{up}/a HTTP/1.1\r\nHost: site.test:{up}\r\n\r\n".encode())
        st, _ = await read_head(r)
        assert st == 200 and await r.readexactly(2) == b"ok"
        t_done = time.monotonic()
        _, closed = await read_until_closed(r, 6)
        assert closed and time.monotonic() - t_done < 4, "the idle keep-alive connection stayed open"
        # the pooled upstream socket is closed by the timer, with no traffic at all
        for _ in range(60):
            if any(e == "closed" for e, _ in events):
                break
            await asyncio.sleep(0.1)
        closed_at = [t for e, t in events if e == "closed"]
        assert closed_at and closed_at[0] - t_done < 4, events
        w.close()
    finally:
        rp.stop()
        srv.close()


async def test_rss_under_slow_body_attacks(tmp_path):
    rp = Run(tmp_path, receipts=False)
    try:
        await asyncio.sleep(1.0)
        before = rss_mib(rp.proc.pid)
        conns = await partial_bodies(rp.port, n=40)
        await asyncio.sleep(1.0)
        peak = rss_mib(rp.proc.pid)
        refused = sum(1 for r, _ in conns if r._buffer and bytes(r._buffer[:12]) == b"HTTP/1.1 503")
        for _, w in conns:
            w.close()
        print(f"\n40 partial 10 MB bodies: RSS {before:.0f} -> {peak:.0f} MiB, {refused} refused with 503")
        assert peak - before < 150, (before, peak)
        assert refused >= 30
        res = await trickle(rp.port, n=300, seconds=10.0)
        print(f"300 one-byte-per-second bodies after 10 s: {res}; RSS {rss_mib(rp.proc.pid):.0f} MiB")
        assert res.get("HTTP/1.1 408", 0) >= 290, res
        assert rp.proc.poll() is None
    finally:
        rp.stop()
