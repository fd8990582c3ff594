"""The Protocol fast path: same answers as the stream path, and a clean hand-over
to it (with every unanswered byte) for whatever it does not handle."""
from __future__ import annotations

import asyncio
import json

import pytest

from ringfence.config import Config
from rfproxy_util import AWS_KEY, UP_HOST, routes_for

pytestmark = pytest.mark.timeout(60)


def get_req(upstream, path: str, method: str = "GET", extra: str = "") -> bytes:
    return (f"{method} {upstream.url(path)} HTTP/1.1\r\nHost: {UP_HOST}:{upstream.port}\r\n{extra}\r\n").encode()


async def read_response(r: asyncio.StreamReader, head_only: bool = False) -> tuple[int, dict, bytes]:
    head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 15)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    hdrs = {}
    for ln in lines[1:]:
        if ln:
            k, _, v = ln.partition(":")
            hdrs[k.strip().lower()] = v.strip()
    if head_only:
        return status, hdrs, b""
    if hdrs.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await asyncio.wait_for(r.readuntil(b"\r\n"), 5)).strip(), 16)
            chunk = await asyncio.wait_for(r.readexactly(size + 2), 5)
            if size == 0:
                break
            body += chunk[:-2]
        return status, hdrs, body
    n = int(hdrs.get("content-length", "0"))
    return status, hdrs, await asyncio.wait_for(r.readexactly(n), 5)


async def open_conn(p):
    return await asyncio.open_connection("127.0.0.1", p.port)


async def test_keep_alive_requests_stay_on_fast_path_with_receipts(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        rids = []
        for i in range(3):
            w.write(get_req(upstream, f"/echo?i={i}"))
            st, h, body = await read_response(r)
            assert st == 200 and body == b"echo GET 0"
            assert h["x-ringfence-decision"] == "allow"
            rids.append(h["x-ringfence-receipt"])
        assert len(p.srv.fast_conns) == 1  # never handed to the stream path
    finally:
        w.close()
    text = p.receipts_text()
    assert all(rid in text for rid in rids)
    # per request: the outbound decision (its intent), the outcome, the inbound decision
    assert text.count('"type":"action_receipt"') == 9
    assert text.count('"intent":"egress-intent') == 3 and text.count('"layer":"outcome"') == 3


async def test_block_then_clean_on_one_connection(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, f"/echo?k={AWS_KEY}"))
        st, h, body = await read_response(r)
        assert st == 403 and json.loads(body)["scanner"] == "dlp"
        w.write(get_req(upstream, "/inj"))
        st, h, body = await read_response(r)
        assert st == 403 and json.loads(body)["scanner"] == "injection"
        w.write(get_req(upstream, "/clean"))
        st, h, body = await read_response(r)
        assert st == 200 and b"Version 2.1" in body
    finally:
        w.close()
    assert len(upstream.log) == 1  # the secret never left


async def test_pipelined_requests_answered_in_order(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/echo?n=1") + get_req(upstream, "/echo", "POST",
                                                          "Content-Length: 3\r\n") + b"abc"
                + get_req(upstream, "/size/10"))
        got = [await read_response(r) for _ in range(3)]
    finally:
        w.close()
    assert [g[2] for g in got] == [b"echo GET 0", b"echo POST 3", b"lorem ipsu"]
    assert [u["path"] for u in upstream.log] == ["/echo?n=1", "/echo"]


async def test_body_sent_after_head_still_forwarded(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/echo", "POST", "Content-Type: text/plain\r\nContent-Length: 11\r\n"))
        await asyncio.sleep(0.1)
        w.write(b"hello")
        await asyncio.sleep(0.1)
        w.write(b" world")
        st, h, body = await read_response(r)
        assert st == 200 and body == b"echo POST 11"
        # a secret in a late body is still caught
        w.write(get_req(upstream, "/echo", "POST", f"Content-Length: {len(AWS_KEY) + 4}\r\n"))
        await asyncio.sleep(0.1)
        w.write(f"key={AWS_KEY}".encode())
        st, h, body = await read_response(r)
        assert st == 403
    finally:
        w.close()
    assert upstream.log[0]["body"] == b"hello world" and len(upstream.log) == 1


async def test_stream_responses_after_fast_requests_then_fast_again(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/clean"))
        assert (await read_response(r))[0] == 200
        w.write(get_req(upstream, "/sse/clean"))  # SSE: relayed event by event on streams
        st, h, body = await read_response(r)
        assert st == 200 and b"data: third event" in body
        w.write(get_req(upstream, "/bin"))  # binary: relayed, not inspected
        st, h, body = await read_response(r)
        assert st == 200 and body.startswith(b"\x89PNG")
        w.write(get_req(upstream, "/echo?after=stream"))
        st, h, body = await read_response(r)
        assert st == 200 and body == b"echo GET 0"
    finally:
        w.close()


async def test_origin_form_after_fast_request_is_handed_over(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/echo"))
        assert (await read_response(r))[0] == 200
        w.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        st, h, body = await read_response(r)
        assert st == 200 and json.loads(body)["ok"] is True
        assert not p.srv.fast_conns
        w.write(b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await read_response(r))[0] == 404
    finally:
        w.close()


async def test_head_and_oversized_response(upstream, make_proxy):
    cfg = Config.model_validate({"proxy": {"max_body_bytes": 4096}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/size/5000", "HEAD"))
        st, h, _ = await read_response(r, head_only=True)
        assert st == 200 and h["content-length"] == "5000"
        w.write(get_req(upstream, "/size/4000"))
        st, h, body = await read_response(r)
        assert st == 200 and len(body) == 4000
        w.write(get_req(upstream, "/size/5000"))
        st, h, body = await read_response(r)
        assert st == 403 and json.loads(body)["rule"] == "response_too_large"
        assert h.get("connection") == "close"
        assert await asyncio.wait_for(r.read(), 5) == b""
    finally:
        w.close()


async def test_idle_fast_connection_closed_but_not_one_waiting_upstream(upstream, make_proxy):
    cfg = Config.model_validate({"proxy": {"header_timeout_s": 0.5, "idle_timeout_s": 0.5,
                                           "upstream_timeout_s": 1.5}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    loop = asyncio.get_running_loop()
    r, w = await open_conn(p)
    try:
        # waiting on a slow upstream is not idleness: the 504 comes at the upstream timeout
        t0 = loop.time()
        w.write(get_req(upstream, "/hang"))
        st, h, body = await read_response(r)
        assert st == 504 and 1.2 < loop.time() - t0 < 10
    finally:
        w.close()
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/echo"))
        assert (await read_response(r))[0] == 200
        assert await asyncio.wait_for(r.read(), 10) == b""  # idle: closed by the proxy
    finally:
        w.close()


async def test_client_gone_mid_request_does_not_leak(upstream, make_proxy):
    cfg = Config.model_validate({"proxy": {"upstream_timeout_s": 1.0}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    for _ in range(5):
        r, w = await open_conn(p)
        w.write(get_req(upstream, "/hang"))
        await asyncio.sleep(0.05)
        w.close()
    loop = asyncio.get_running_loop()
    end = loop.time() + 5
    while p.srv.fast_conns and loop.time() < end:
        await asyncio.sleep(0.1)
    assert not p.srv.fast_conns
    # and the proxy still answers
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/echo"))
        assert (await read_response(r))[0] == 200
    finally:
        w.close()


# -- the per-config decision memo -------------------------------------------

async def test_rate_limit_still_counts_every_request(upstream, make_proxy):
    cfg = Config.model_validate({"url": {"requests_per_minute": 2}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    assert p.srv.state.engine.repeatable is False  # a stateful URL pipeline: verdicts are not reused
    r, w = await open_conn(p)
    try:
        got = []
        for _ in range(3):
            w.write(get_req(upstream, "/echo?same=1"))
            got.append((await read_response(r))[0])
    finally:
        w.close()
    assert got == [200, 200, 403]


async def test_reload_starts_from_an_empty_memo(upstream, make_proxy):
    from ringfence.engine import Engine
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/clean"))
        assert (await read_response(r))[0] == 200
        seen = p.srv.state.engine.verdicts.stats()
        assert seen["entries"] and {"request", "text"} <= set(seen["misses"])
        # the new config blocks the host the memo saw allowed
        cfg = Config.model_validate({"url": {"blocklist": [UP_HOST]}})
        p.srv.swap(cfg, Engine(cfg))
        w.write(get_req(upstream, "/clean"))
        st, h, body = await read_response(r)
        assert st == 403 and h["x-ringfence-decision"] == "block"
    finally:
        w.close()


async def test_memo_hits_get_own_receipts_and_same_stripped_or_blocked_body(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        seen = []
        for _ in range(3):
            w.write(get_req(upstream, "/inj"))
            st, h, body = await read_response(r)
            seen.append((st, json.loads(body)["scanner"], h["x-ringfence-receipt"]))
    finally:
        w.close()
    assert [s[:2] for s in seen] == [(403, "injection")] * 3
    assert len({s[2] for s in seen}) == 3  # a fresh receipt each time
    assert all(s[2] in p.receipts_text() for s in seen)


def test_internal_errors_are_never_memoized():
    from ringfence.core import Finding, decide, fail_closed
    from ringfence.proxy.forward import _cacheable
    assert _cacheable(decide([]))
    assert _cacheable(decide([Finding("dlp", "aws", "high", "AKIA...", "", "block")]))
    assert not _cacheable(fail_closed(RuntimeError("transient")))
    assert not _cacheable(decide([Finding("internal", "scan_error", "high", "x", "", "block")]))


async def test_kill_switch_flip_forgets_cached_verdicts(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        w.write(get_req(upstream, "/clean"))
        assert (await read_response(r))[0] == 200
    finally:
        w.close()
    eng = p.srv.state.engine
    gen = eng.verdicts.generation
    assert len(eng.verdicts)
    ks = p.srv.hooks.killswitch
    ks.set_api(True)
    try:
        assert len(eng.verdicts) == 0 and eng.verdicts.generation != gen
    finally:
        ks.set_api(False)
