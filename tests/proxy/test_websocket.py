"""WebSocket relay: /ws?url=, scanning both ways, strict framing, 1008 on block."""
from __future__ import annotations

import asyncio
import base64
import os
import struct
from urllib.parse import quote

import pytest
import websockets

from ringfence.proxy.websocket import encode_frame

from rfproxy_util import AWS_KEY, INJECTION, routes_for

pytestmark = pytest.mark.timeout(60)


def ws_url(p, up, path="/ws"):
    return f"ws://127.0.0.1:{p.port}/ws?url={quote(up.url(path, 'ws'), safe='')}"


async def test_clean_messages_echo_both_types(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    async with websockets.connect(ws_url(p, upstream), compression=None) as ws:
        await ws.send("hello there")
        assert await asyncio.wait_for(ws.recv(), 5) == "hello there"
        await ws.send(b"\x00\x01binary")
        assert await asyncio.wait_for(ws.recv(), 5) == b"\x00\x01binary"
    assert {"ws": "hello there"} in upstream.log


async def test_secret_message_closes_1008_not_delivered(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    async with websockets.connect(ws_url(p, upstream), compression=None) as ws:
        await ws.send(f"my key is {AWS_KEY}")
        with pytest.raises(websockets.ConnectionClosed) as ei:
            await asyncio.wait_for(ws.recv(), 5)
    assert ei.value.rcvd.code == 1008 and "dlp" in ei.value.rcvd.reason
    assert not any(AWS_KEY in str(e.get("ws", "")) for e in upstream.log)


async def test_inbound_injection_closes_1008(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    async with websockets.connect(ws_url(p, upstream, "/ws-inj"), compression=None) as ws:
        with pytest.raises(websockets.ConnectionClosed) as ei:
            await asyncio.wait_for(ws.recv(), 5)
    assert ei.value.rcvd.code == 1008 and "injection" in ei.value.rcvd.reason


class RawWs:
    """A raw client that can send any frame (fragments, RSV bits, bad masks)."""

    def __init__(self, r, w):
        self.r, self.w = r, w

    @classmethod
    async def open(cls, port: int, target: str):
        r, w = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        w.write((f"GET /ws?url={quote(target, safe='')} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                 f"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n").encode())
        head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101"), head
        assert b"extensions" not in head.lower()  # permessage-deflate is refused
        return cls(r, w)

    def send(self, opcode: int, payload: bytes, fin: bool = True, rsv1: bool = False, masked: bool = True):
        frame = bytearray(encode_frame(opcode, payload, masked=masked, fin=fin))
        if rsv1:
            frame[0] |= 0x40
        self.w.write(bytes(frame))

    async def recv_frame(self):
        b0, b1 = await asyncio.wait_for(self.r.readexactly(2), 5)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", await self.r.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", await self.r.readexactly(8))[0]
        return b0 & 0x0F, await self.r.readexactly(n)

    async def expect_close(self) -> tuple[int, str]:
        while True:
            op, payload = await self.recv_frame()
            if op == 8:
                return struct.unpack("!H", payload[:2])[0], payload[2:].decode()

    def close(self):
        self.w.close()


@pytest.mark.parametrize("case", ["rsv1", "unmasked", "bad_opcode", "orphan_continuation"])
async def test_protocol_violations_close_with_receipt(upstream, make_proxy, case):
    p = await make_proxy(routes_for(upstream))
    ws = await RawWs.open(p.port, upstream.url("/ws", "ws"))
    try:
        if case == "rsv1":
            ws.send(1, b"plain text pretending to be compressed", rsv1=True)
        elif case == "unmasked":
            ws.send(1, b"hello", masked=False)
        elif case == "bad_opcode":
            ws.send(3, b"hello")
        else:
            ws.send(0, b"hello")
        code, reason = await ws.expect_close()
    finally:
        ws.close()
    assert code == 1008 and "websocket:" in reason
    rid = reason.rsplit(" ", 1)[-1]
    assert rid and rid in p.receipts_text()
    assert not [e for e in upstream.log if "ws" in e]


async def test_secret_split_across_fragments_is_blocked(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    ws = await RawWs.open(p.port, upstream.url("/ws", "ws"))
    try:
        ws.send(1, f"key={AWS_KEY[:9]}".encode(), fin=False)
        ws.send(0, AWS_KEY[9:].encode(), fin=True)
        code, reason = await ws.expect_close()
    finally:
        ws.close()
    assert code == 1008 and "dlp" in reason


async def test_secret_split_across_messages_is_blocked(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    ws = await RawWs.open(p.port, upstream.url("/ws", "ws"))
    try:
        ws.send(1, f"aws_access_key_id={AWS_KEY[:10]}".encode())
        op, payload = await ws.recv_frame()
        assert op == 1  # the first half alone is clean and delivered
        ws.send(1, AWS_KEY[10:].encode())
        code, reason = await ws.expect_close()
    finally:
        ws.close()
    assert code == 1008 and "dlp" in reason


async def test_binary_frame_is_scanned(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    ws = await RawWs.open(p.port, upstream.url("/ws", "ws"))
    try:
        ws.send(2, b"\x00\x01" + f"secret {AWS_KEY}".encode())
        code, reason = await ws.expect_close()
    finally:
        ws.close()
    assert code == 1008


async def test_ws_to_blocked_url_is_403(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    with pytest.raises(websockets.InvalidStatus) as ei:
        async with websockets.connect(ws_url(p, upstream, f"/ws?k={AWS_KEY}"), compression=None):
            pass
    assert ei.value.response.status_code == 403
