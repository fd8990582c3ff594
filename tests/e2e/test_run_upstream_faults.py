"""An upstream that resets or stalls after sending its head gets the client a 502 or a
504 (never an empty reply), on the stream path and the fast path of a real
`ringfence run`, and no traceback is logged."""
from __future__ import annotations

import asyncio
import socket
import struct

import pytest

from rfrun_util import Run, read_head, read_until_closed

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n" + b"partial..."


async def _faulty_upstream():
    async def handle(r, w):
        try:
            head = await r.readuntil(b"\r\n\r\n")
            if b"chunked" in head.lower():
                await r.readuntil(b"0\r\n\r\n")
            w.write(HEAD)
            await w.drain()
            if b"/reset" in head.split(b"\r\n", 1)[0]:
                sock = w.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                w.transport.abort()  # RST after the head
                return
            await asyncio.sleep(30)  # stall after the head
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        w.close()
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    return srv, srv.sockets[0].getsockname()[1]


async def _ask(rp: Run, up: int, path: str, stream_path: bool) -> tuple[int, bytes]:
    r, w = await asyncio.open_connection("127.0.0.1", rp.port)
    if stream_path:  # a chunked request body takes the stream path
        w.write(f"POST http://site.test:{up}{path} HTTP/1.1\r\nHost: site.test:{up}\r\n"
                f"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".encode())
    else:
        w.write(f"GET http://site.test:{up}{path} HTTP/1.1\r\nHost: site.test:{up}\r\n\r\n".encode())
    try:
        st, head = await read_head(r, 20)
        body, _ = await read_until_closed(r, 5)
        return st, body
    finally:
        w.close()


@pytest.mark.parametrize("stream_path", [True, False], ids=["stream", "fast"])
async def test_reset_and_stall_after_head(tmp_path, stream_path):
    srv, up = await _faulty_upstream()
    rp = Run(tmp_path, "--resolve", f"site.test:{up}:127.0.0.1", config="proxy:\n  upstream_timeout_s: 1.5\n")
    try:
        st, body = await _ask(rp, up, "/reset", stream_path)
        assert st == 502 and b"partial..." not in body, body
        st, body = await _ask(rp, up, "/stall", stream_path)
        assert st == 504 and b"upstream_timeout" in body and b"partial..." not in body, body
    finally:
        rp.stop()
        srv.close()
    err = rp.stderr()
    assert "connection handler failed" not in err and "Traceback" not in err, err[-3000:]
