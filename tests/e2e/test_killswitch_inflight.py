"""The kill switch stops traffic already in flight on a real `ringfence run`: a blind
CONNECT tunnel (admin API), an intercepted tunnel (SIGUSR1) and a WebSocket relay
(sentinel file) are each closed within 1 s of the flip, with a receipt, and the
denials counter counts."""
from __future__ import annotations

import asyncio
import signal
import ssl
import subprocess
import sys
import time

import aiohttp
import pytest
from aiohttp import web

from rfrun_util import Run, read_head, read_until_closed

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

BOUND_S = 1.0


def _in_flight(transport: str):
    return lambda r: (r.get("pattern") == "kill_switch" and r.get("transport") == transport
                      and "closed in flight" in r.get("intent", ""))


async def _echo_server(seen: list):
    async def handle(r, w):
        try:
            while True:
                d = await r.read(65536)
                if not d:
                    break
                seen.append(time.monotonic())
                w.write(d)
                await w.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            w.close()
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    return srv, srv.sockets[0].getsockname()[1]


async def _pump(w: asyncio.StreamWriter, sent: list) -> None:
    try:
        while True:
            w.write(b"x" * 64)
            await w.drain()
            sent.append(time.monotonic())
            await asyncio.sleep(0.02)
    except (ConnectionError, OSError, RuntimeError):
        pass


async def test_blind_tunnel_closed_by_admin_api(tmp_path):
    seen: list[float] = []
    srv, up_port = await _echo_server(seen)
    rp = Run(tmp_path, "--resolve", f"tunnel.test:{up_port}:127.0.0.1", config="")
    try:
        await asyncio.to_thread(rp.wait_admin)
        r, w = await asyncio.open_connection("127.0.0.1", rp.port)
        w.write(f"CONNECT tunnel.test:{up_port} HTTP/1.1\r\nHost: tunnel.test:{up_port}\r\n\r\n".encode())
        assert (await read_head(r))[0] == 200
        pump = asyncio.create_task(_pump(w, []))
        await asyncio.wait_for(r.readexactly(640), 10)  # echoed through the tunnel
        assert seen
        t_flip = time.monotonic()
        await asyncio.to_thread(rp.kill_switch, True)
        _, closed = await read_until_closed(r, 5.0)
        t_closed = time.monotonic()
        assert closed, "the tunnel stayed open after the kill switch"
        await asyncio.sleep(0.5)
        pump.cancel()
        last = seen[-1] - t_flip
        print(f"\nblind tunnel: last byte relayed {last * 1000:.0f} ms after the flip, "
              f"closed after {(t_closed - t_flip) * 1000:.0f} ms")
        assert last < BOUND_S and t_closed - t_flip < BOUND_S + 0.5
        rec = await asyncio.to_thread(rp.wait_receipt, _in_flight("connect"))
        assert rec["verdict"] == "block" and rec["target"] == f"tunnel.test:{up_port}"
        # new traffic is denied too, and every denial is counted
        r2, w2 = await asyncio.open_connection("127.0.0.1", rp.port)
        w2.write(f"CONNECT tunnel.test:{up_port} HTTP/1.1\r\n\r\n".encode())
        assert (await read_head(r2))[0] == 503
        w2.close()
        assert await asyncio.to_thread(rp.metric, "ringfence_kill_switch_denials_total") >= 2
        await asyncio.to_thread(rp.kill_switch, False)
        r3, w3 = await asyncio.open_connection("127.0.0.1", rp.port)
        w3.write(f"CONNECT tunnel.test:{up_port} HTTP/1.1\r\n\r\n".encode())
        assert (await read_head(r3))[0] == 200
        w3.close()
    finally:
        rp.stop()
        srv.close()


async def test_websocket_relay_closed_by_sentinel_file(tmp_path):
    seen: list[float] = []

    async def ws(req):
        sock = web.WebSocketResponse()
        await sock.prepare(req)
        async for msg in sock:
            seen.append(time.monotonic())
            await sock.send_str(msg.data)
        return sock

    app = web.Application()
    app.router.add_get("/ws", ws)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    up_port = runner.addresses[0][1]
    sentinel = tmp_path / "STOP"
    rp = Run(tmp_path, "--resolve", f"ws.test:{up_port}:127.0.0.1",
             config=f"kill_switch:\n  sentinel_file: {sentinel}\n")
    try:
        await asyncio.to_thread(rp.wait_admin)
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(f"{rp.url}/ws?url=ws://ws.test:{up_port}/ws") as c:
                await c.send_str("hello")
                assert (await c.receive(timeout=10)).data == "hello"

                async def pump():
                    try:
                        while True:
                            await c.send_str("tick")
                            await asyncio.sleep(0.02)
                    except (ConnectionError, RuntimeError):
                        pass
                p = asyncio.create_task(pump())
                await asyncio.sleep(0.3)
                t_flip = time.monotonic()
                sentinel.write_text("")  # nothing else happens: the watcher must notice
                closed_at = None
                while True:
                    m = await c.receive(timeout=5)
                    if m.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                        closed_at = time.monotonic()
                        break
                p.cancel()
                assert c.close_code == 1008, c.close_code
        await asyncio.sleep(0.5)
        last = seen[-1] - t_flip
        print(f"\nwebsocket: last message relayed {last * 1000:.0f} ms after the flip, "
              f"closed after {(closed_at - t_flip) * 1000:.0f} ms")
        assert last < BOUND_S and closed_at - t_flip < BOUND_S + 0.5
        await asyncio.to_thread(rp.wait_receipt, _in_flight("websocket"))
        assert await asyncio.to_thread(rp.metric, "ringfence_kill_switch_denials_total") >= 1
        st, body = await asyncio.to_thread(rp.admin, "GET", "/v1/killswitch")
        assert body["active"] and body["sources"]["sentinel"]
    finally:
        rp.stop()
        await runner.cleanup()


async def test_intercepted_tunnel_closed_by_sigusr1(tmp_path):
    from ringfence.bench.testca import TestCA
    host = "tls.test"
    (tmp_path / "upca").mkdir()
    upca = TestCA(str(tmp_path / "upca"))
    seen: list[float] = []

    async def ok(req):
        return web.Response(text="fine", content_type="text/plain")

    async def stream(req):
        resp = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await resp.prepare(req)
        try:
            for _ in range(1500):
                await resp.write(b"y" * 256)
                seen.append(time.monotonic())
                await asyncio.sleep(0.02)
        except (ConnectionError, OSError):
            pass
        return resp

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/stream", stream)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=upca.leaf_context(host))
    await site.start()
    up_port = runner.addresses[0][1]
    ca_dir = tmp_path / "ca"
    assert subprocess.run([sys.executable, "-m", "ringfence", "tls", "init", "--dir", str(ca_dir)],
                          capture_output=True).returncode == 0
    rp = Run(tmp_path, "--intercept", "--ca-dir", str(ca_dir), "--upstream-ca", upca.ca_path,
             "--resolve", f"{host}:{up_port}:127.0.0.1", config="")
    ctx = ssl.create_default_context(cafile=str(ca_dir / "ca.pem"))

    async def tunnel():
        r, w = await asyncio.open_connection("127.0.0.1", rp.port)
        w.write(f"CONNECT {host}:{up_port} HTTP/1.1\r\nHost: {host}:{up_port}\r\n\r\n".encode())
        st, _ = await read_head(r)
        assert st == 200
        await w.start_tls(ctx, server_hostname=host)
        return r, w

    try:
        await asyncio.to_thread(rp.wait_admin)
        r, w = await tunnel()
        w.write(f"GET /ok HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        st, head = await read_head(r)
        assert st == 200
        n = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        assert await r.readexactly(n) == b"fine"
        # a long streamed response inside the same tunnel
        w.write(f"GET /stream HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        assert (await read_head(r))[0] == 200
        await r.read(4096)
        await asyncio.sleep(0.3)
        t_flip = time.monotonic()
        rp.send(signal.SIGUSR1)
        got = b""
        _, closed = await read_until_closed(r, 5.0)
        t_closed = time.monotonic()
        assert closed, "the intercepted tunnel stayed open after SIGUSR1"
        await asyncio.sleep(0.5)
        last = seen[-1] - t_flip
        print(f"\nintercepted tunnel: last upstream write {last * 1000:.0f} ms after SIGUSR1, "
              f"client closed after {(t_closed - t_flip) * 1000:.0f} ms")
        assert t_closed - t_flip < BOUND_S + 0.5 and last < BOUND_S + 0.5
        assert rp.proc.poll() is None, "SIGUSR1 killed the process"
        # the receipt names what was in flight inside the tunnel
        rec = await asyncio.to_thread(rp.wait_receipt, _in_flight("intercept"))
        assert rec["target"] == f"https://{host}:{up_port}/"  # the origin only, never a path or query
        # toggled back on by a second SIGUSR1: traffic flows again
        rp.send(signal.SIGUSR1)
        for _ in range(50):
            st, body = await asyncio.to_thread(rp.admin, "GET", "/v1/killswitch")
            if not body["active"]:
                break
            await asyncio.sleep(0.1)
        assert not body["active"]
        r, w = await tunnel()
        w.write(f"GET /ok HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert (await read_head(r))[0] == 200
        w.close()
        del got
    finally:
        rp.stop()
        await runner.cleanup()


async def test_sse_stream_closed_when_config_flag_reloaded(tmp_path):
    seen: list[float] = []

    async def sse(req):
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(req)
        try:
            for i in range(1500):
                await resp.write(f"data: tick {i}\n\n".encode())
                seen.append(time.monotonic())
                await asyncio.sleep(0.02)
        except (ConnectionError, OSError):
            pass
        return resp

    app = web.Application()
    app.router.add_get("/sse", sse)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    up_port = runner.addresses[0][1]
    rp = Run(tmp_path, "--resolve", f"sse.test:{up_port}:127.0.0.1", config="")
    try:
        await asyncio.to_thread(rp.wait_admin)
        r, w = await asyncio.open_connection("127.0.0.1", rp.port)
        w.write(f"GET http://sse.test:{up_port}/sse HTTP/1.1\r\nHost: sse.test:{up_port}\r\n\r\n".encode())
        assert (await read_head(r))[0] == 200
        assert b"tick" in await r.read(4096)
        await asyncio.sleep(0.3)
        rp.config_path.write_text(rp.config_path.read_text() + "kill_switch:\n  active: true\n")
        t_flip = time.monotonic()
        st, body = await asyncio.to_thread(rp.admin, "POST", "/v1/reload")
        assert st == 200, body
        _, closed = await read_until_closed(r, 5.0)
        t_closed = time.monotonic()
        assert closed, "the event stream stayed open after the config flag"
        await asyncio.sleep(0.5)
        last = seen[-1] - t_flip
        print(f"\nSSE: last event relayed {last * 1000:.0f} ms after the reload, "
              f"closed after {(t_closed - t_flip) * 1000:.0f} ms")
        assert t_closed - t_flip < BOUND_S + 0.5 and last < BOUND_S + 0.5
        await asyncio.to_thread(rp.wait_receipt, _in_flight("forward"))
        st, body = await asyncio.to_thread(rp.admin, "GET", "/v1/killswitch")
        assert body["sources"]["config"]
    finally:
        rp.stop()
        await runner.cleanup()


async def test_request_waiting_on_upstream_gets_503_at_the_flip(tmp_path):
    async def slow(req):
        await asyncio.sleep(8)
        return web.Response(text="too late", content_type="text/plain")

    app = web.Application()
    app.router.add_get("/slow", slow)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    up_port = runner.addresses[0][1]
    rp = Run(tmp_path, "--resolve", f"slow.test:{up_port}:127.0.0.1", config="")
    try:
        await asyncio.to_thread(rp.wait_admin)
        r, w = await asyncio.open_connection("127.0.0.1", rp.port)
        w.write(f"GET http://slow.test:{up_port}/slow HTTP/1.1\r\nHost: slow.test:{up_port}\r\n\r\n".encode())
        await asyncio.sleep(0.5)  # the request is waiting on the upstream
        t_flip = time.monotonic()
        await asyncio.to_thread(rp.kill_switch, True)
        st, head = await read_head(r, 5)
        took = time.monotonic() - t_flip
        body, closed = await read_until_closed(r, 5)
        assert st == 503 and b"kill_switch_active" in body and b"too late" not in body and closed
        assert took < BOUND_S + 0.5
        rid = head.split(b"X-Ringfence-Receipt: ")[1].split(b"\r\n")[0].decode()
        rec = await asyncio.to_thread(rp.wait_receipt, lambda x: x.get("action_id") == rid)
        assert rec["pattern"] == "kill_switch" and "closed in flight" in rec["intent"]
        w.close()
    finally:
        rp.stop()
        await runner.cleanup()
