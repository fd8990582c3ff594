"""Forward proxy (absolute-URI), explicit blocks, receipts, inbound scanning."""
from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from ringfence.config import Config

from rfproxy_util import AWS_KEY, INJECTION, curl, raw_request, routes_for

pytestmark = pytest.mark.timeout(60)


async def get(proxy, url, **kw):
    async with aiohttp.ClientSession() as s:
        async with s.request(kw.pop("method", "GET"), url, proxy=proxy.url, **kw) as r:
            return r.status, dict(r.headers), await r.read()


async def test_clean_request_is_forwarded_with_receipt(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    status, headers, body = await get(p, upstream.url("/echo?q=weather"))
    assert status == 200 and body == b"echo GET 0"
    assert headers["X-Ringfence-Decision"] == "allow"
    rid = headers["X-Ringfence-Receipt"]
    assert rid and rid in p.receipts_text()
    assert upstream.log[-1]["path"] == "/echo?q=weather"


async def test_secret_in_query_is_blocked_before_leaving(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    status, headers, body = await get(p, upstream.url(f"/echo?key={AWS_KEY}"))
    assert status == 403
    doc = json.loads(body)
    assert doc["blocked"] is True and doc["scanner"] == "dlp" and doc["rule"]
    assert headers["X-Ringfence-Decision"] == "block"
    assert headers["X-Ringfence-Receipt"] == doc["receipt_id"]
    assert doc["receipt_id"] in p.receipts_text()
    assert AWS_KEY not in p.receipts_text()  # never store a whole secret
    assert upstream.log == []  # the upstream never saw it


async def test_secret_in_header_and_body_blocked_near_miss_allowed(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, _, body = await get(p, upstream.url("/echo"), headers={"X-Api-Key": AWS_KEY})
    assert st == 403 and json.loads(body)["blocked"]
    st, _, body = await get(p, upstream.url("/echo"), method="POST", json={"note": f"key {AWS_KEY}"})
    assert st == 403 and json.loads(body)["scanner"] == "dlp"
    st, _, body = await get(p, upstream.url("/echo"), method="POST", data={"field": AWS_KEY})
    assert st == 403
    assert upstream.log == []
    # near misses: same shapes, no secret
    st, _, body = await get(p, upstream.url("/echo"), method="POST", json={"note": "AKIA is a prefix"},
                            headers={"X-Request-Id": "7f3e9a2c-41d2"})
    assert st == 200 and body.startswith(b"echo POST")
    assert upstream.log[-1]["body"] == b'{"note": "AKIA is a prefix"}'


async def test_secret_split_between_header_and_query_blocked(upstream, make_proxy):
    """The head of a token in a header, its tail in the query of the same request."""
    p = await make_proxy(routes_for(upstream))
    token = "dop_v1_" + "0b6c3f9e2a7d41c58e06f1b2d39a7c4e5f81b02d6c9e3a7f41d5b8c2e06a9f37"
    st, _, body = await get(p, upstream.url(f"/echo?s={token[30:]}"), headers={"X-Trace": token[:30]})
    assert st == 403 and json.loads(body)["scanner"] == "dlp"
    assert upstream.log == []
    st, _, _ = await get(p, upstream.url("/echo?s=order-2024-000187"), headers={"X-Trace": "build-7781"})
    assert st == 200


async def test_chunked_request_body_is_scanned(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    secret = f"token={AWS_KEY}".encode()
    half = len(secret) // 2
    req = (f"POST {upstream.url('/echo')} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
           f"Content-Type: text/plain\r\nConnection: close\r\n\r\n").encode()
    req += b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (half, secret[:half], len(secret) - half, secret[half:])
    out = await raw_request(p.port, req)
    assert out.startswith(b"HTTP/1.1 403")
    ok = (f"POST {upstream.url('/echo')} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
          f"Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").encode()
    out = await raw_request(p.port, ok)
    assert out.startswith(b"HTTP/1.1 200") and out.endswith(b"echo POST 11")


async def test_keep_alive_reuses_client_and_upstream_connections(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await asyncio.open_connection("127.0.0.1", p.port)
    try:
        for i in range(3):
            w.write(f"GET {upstream.url(f'/echo?i={i}')} HTTP/1.1\r\nHost: {upstream.port}\r\n\r\n".encode())
            head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 5)
            assert head.startswith(b"HTTP/1.1 200")
            n = int([ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length")][0].split(b":")[1])
            assert await r.readexactly(n) == b"echo GET 0"
    finally:
        w.close()
    assert len(upstream.log) == 3
    assert sum(len(q) for q in p.srv.pool.idle.values()) == 1  # one pooled upstream connection


async def test_injection_in_response_is_blocked_clean_page_passes(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, h, body = await get(p, upstream.url("/inj"))
    assert st == 403 and json.loads(body)["scanner"] == "injection"
    assert INJECTION.encode() not in body
    st, h, body = await get(p, upstream.url("/clean"))
    assert st == 200 and b"Version 2.1" in body and h["X-Ringfence-Receipt"]


async def test_gzip_response_scanned_and_bomb_refused(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, h, body = await get(p, upstream.url("/gz-clean"))
    assert st == 200 and b"Version 2.1" in body
    st, h, body = await get(p, upstream.url("/gz-bomb"))
    assert st == 403
    doc = json.loads(body)
    assert doc["blocked"] and doc["scanner"] == "content"


async def test_binary_response_relayed_with_not_inspected_receipt(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, h, body = await get(p, upstream.url("/bin"))
    assert st == 200 and body.startswith(b"\x89PNG")
    assert h["X-Ringfence-Receipt"] in p.receipts_text()


async def test_sse_clean_events_flow_before_stream_ends(upstream, make_proxy):
    upstream.app["gate"] = asyncio.Event()
    p = await make_proxy(routes_for(upstream))
    async with aiohttp.ClientSession() as s:
        async with s.get(upstream.url("/sse/clean"), proxy=p.url) as r:
            assert r.status == 200
            first = await asyncio.wait_for(r.content.readuntil(b"\n\n"), 5)
            assert first == b"data: first event\n\n"  # flushed while upstream still holds the stream
            upstream.app["gate"].set()
            rest = await asyncio.wait_for(r.content.read(), 5)
    assert b"third event" in rest


@pytest.mark.parametrize("kind", ["inj", "split"])
async def test_sse_injection_ends_stream(upstream, make_proxy, kind):
    p = await make_proxy(routes_for(upstream))
    code, out, err = await curl("-N", "-x", p.url, upstream.url(f"/sse/{kind}"))
    assert "data: hello" in out
    assert "ringfence_blocked" in out
    assert "never delivered" not in out
    assert code != 0  # the stream ends without a clean terminator: fail closed


async def test_upstream_that_never_answers_gives_504(upstream, make_proxy):
    cfg = Config.model_validate({"proxy": {"upstream_timeout_s": 1.0}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    st, h, body = await get(p, upstream.url("/hang"))
    assert st == 504
    doc = json.loads(body)
    assert doc["blocked"] is False and doc["receipt_id"]


async def test_ssrf_blocks_literal_loopback_even_with_resolve(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, h, body = await get(p, f"http://127.0.0.1:{upstream.port}/echo")
    assert st == 403 and json.loads(body)["scanner"] == "ssrf"
    assert upstream.log == []


async def test_curl_through_http_proxy_env(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    code, out, err = await curl("-i", "-x", p.url, upstream.url("/clean"))
    assert code == 0 and "200 OK" in out and "X-Ringfence-Receipt" in out
    code, out, err = await curl("-x", p.url, "-d", f"aws={AWS_KEY}", upstream.url("/echo"))
    assert '"blocked":true' in out


async def test_healthz_and_unknown_path(make_proxy):
    p = await make_proxy()
    async with aiohttp.ClientSession() as s:
        async with s.get(p.url + "/healthz") as r:
            assert r.status == 200 and (await r.json())["ok"] is True
        async with s.get(p.url + "/nope") as r:
            assert r.status == 404
