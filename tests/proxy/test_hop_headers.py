"""Hop-by-hop request headers: never forwarded, always scanned (every path)."""
from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import aiohttp
import pytest
import websockets

from rfproxy_util import AWS_KEY, UP_HOST, raw_request, routes_for

pytestmark = pytest.mark.timeout(60)

SECRET_AUTH = f"Bearer {AWS_KEY}"
CLEAN_AUTH = "Bearer demo"


def _split(out: bytes) -> tuple[bytes, dict]:
    head, _, body = out.partition(b"\r\n\r\n")
    return head, (json.loads(body) if body.startswith(b"{") else {})


def _assert_blocked(p, out: bytes) -> None:
    head, doc = _split(out)
    assert head.startswith(b"HTTP/1.1 403"), head[:80]
    assert b"X-Ringfence-Decision: block" in head
    assert doc["blocked"] is True and doc["scanner"] == "dlp"
    assert doc["receipt_id"] in p.receipts_text()
    assert AWS_KEY not in p.receipts_text()


def _forward_req(up, extra: str, chunked: bool = False) -> bytes:
    url = up.url("/echo")
    if chunked:  # a chunked body takes the stream path, not the fast path
        return (f"POST {url} HTTP/1.1\r\nHost: {UP_HOST}:{up.port}\r\n{extra}"
                "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").encode()
    return f"GET {url} HTTP/1.1\r\nHost: {UP_HOST}:{up.port}\r\n{extra}Connection: close\r\n\r\n".encode()


@pytest.mark.parametrize("chunked", [False, True], ids=["fast", "stream"])
async def test_forward_proxy_authorization_scanned_not_forwarded(upstream, make_proxy, chunked):
    p = await make_proxy(routes_for(upstream))
    out = await raw_request(p.port, _forward_req(upstream, f"Proxy-Authorization: {SECRET_AUTH}\r\n", chunked))
    _assert_blocked(p, out)
    assert upstream.log == []
    # near miss: a value with no secret passes, and still is not forwarded
    out = await raw_request(p.port, _forward_req(upstream, f"Proxy-Authorization: {CLEAN_AUTH}\r\n", chunked))
    assert out.startswith(b"HTTP/1.1 200"), out[:80]
    assert b"X-Ringfence-Decision: allow" in out
    seen = {k.lower() for k in upstream.log[-1]["headers"]}
    assert "proxy-authorization" not in seen


@pytest.mark.parametrize("chunked", [False, True], ids=["fast", "stream"])
async def test_header_named_in_connection_scanned_not_forwarded(upstream, make_proxy, chunked):
    p = await make_proxy(routes_for(upstream))
    req = _forward_req(upstream, f"X-Leak: {AWS_KEY}\r\n", chunked).replace(
        b"Connection: close", b"Connection: close, X-Leak")
    _assert_blocked(p, await raw_request(p.port, req))
    assert upstream.log == []
    req = _forward_req(upstream, "X-Trace: abc123\r\n", chunked).replace(
        b"Connection: close", b"Connection: close, X-Trace")
    out = await raw_request(p.port, req)
    assert out.startswith(b"HTTP/1.1 200"), out[:80]
    seen = {k.lower() for k in upstream.log[-1]["headers"]}
    assert "x-trace" not in seen


async def test_fetch_proxy_authorization_scanned_not_forwarded(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    url = f"{p.url}/fetch?url={quote(upstream.url('/echo'), safe='')}"
    async with aiohttp.ClientSession() as s:
        async with s.get(url, headers={"Proxy-Authorization": SECRET_AUTH}) as r:
            doc = json.loads(await r.read())
            assert r.status == 403 and r.headers["X-Ringfence-Decision"] == "block"
            assert doc["scanner"] == "dlp" and doc["receipt_id"] in p.receipts_text()
        assert upstream.log == []
        async with s.get(url, headers={"Proxy-Authorization": CLEAN_AUTH}) as r:
            doc = json.loads(await r.read())
            assert r.status == 200 and doc["content"] == "echo GET 0"
    assert "proxy-authorization" not in {k.lower() for k in upstream.log[-1]["headers"]}
    assert AWS_KEY not in p.receipts_text()


async def test_connect_request_headers_scanned(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    authority = f"{UP_HOST}:{upstream.port}"

    def connect(auth: str) -> bytes:
        # The tunnel carries a plain HTTP request to the (plain) upstream.
        return (f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\nProxy-Authorization: {auth}\r\n\r\n"
                f"GET /echo HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").encode()

    out = await raw_request(p.port, connect(SECRET_AUTH))
    _assert_blocked(p, out)
    assert upstream.log == []
    out = await raw_request(p.port, connect(CLEAN_AUTH))
    assert out.startswith(b"HTTP/1.1 200 Connection Established"), out[:80]
    assert b"echo GET 0" in out
    assert "proxy-authorization" not in {k.lower() for k in upstream.log[-1]["headers"]}


async def test_websocket_upgrade_headers_scanned(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    url = f"ws://127.0.0.1:{p.port}/ws?url={quote(upstream.url('/ws', 'ws'), safe='')}"
    with pytest.raises(websockets.InvalidStatus) as ei:
        async with websockets.connect(url, compression=None,
                                      additional_headers={"Proxy-Authorization": SECRET_AUTH}):
            pass
    resp = ei.value.response
    assert resp.status_code == 403
    doc = json.loads(resp.body)
    assert doc["scanner"] == "dlp" and doc["receipt_id"] in p.receipts_text()
    # Sec-WebSocket-Protocol is forwarded upstream, so it is scanned too.
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(url, compression=None, subprotocols=[f"k{AWS_KEY}"]):
            pass
    async with websockets.connect(url, compression=None,
                                  additional_headers={"Proxy-Authorization": CLEAN_AUTH}) as ws:
        await ws.send("hello")
        assert await asyncio.wait_for(ws.recv(), 5) == "hello"
    assert AWS_KEY not in p.receipts_text()
