"""The stream path's request reader: core.h1's rules plus clocks, the body budget
and 100 Continue, on real asyncio streams (fed by hand)."""
from __future__ import annotations

import asyncio

import pytest

from ringfence.proxy.http1 import HttpError, RequestReader, render_head, simple_response
from ringfence.proxy.limits import BodyBudget


class Sink:
    def __init__(self) -> None:
        self.out = b""

    def write(self, data: bytes) -> None:
        self.out += data


def reader_for(data: bytes, eof: bool = True, **kw) -> tuple[RequestReader, Sink]:
    r = asyncio.StreamReader()
    r.feed_data(data)
    if eof:
        r.feed_eof()
    sink = Sink()
    args = dict(max_header_bytes=4096, max_body_bytes=100, header_timeout=0.5, body_timeout=0.5)
    args.update(kw)
    return RequestReader(r, sink, **args), sink


async def read_all(rr: RequestReader) -> list:
    out = []
    while (req := await rr.read_request()) is not None:
        out.append(req)
    return out


def test_pipelined_requests_then_clean_close():
    async def go():
        rr, _ = reader_for(b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
                           b"POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc")
        got = await read_all(rr)
        assert [(r.method, r.target, r.body) for r in got] == [("GET", b"/a", b""), ("POST", b"/b", b"abc")]
    asyncio.run(go())


def test_requests_before_a_broken_one_are_served_first():
    async def go():
        rr, _ = reader_for(b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nExpect: x\r\n\r\n")
        assert (await rr.read_request()).target == b"/a"
        with pytest.raises(HttpError) as e:
            await rr.read_request()
        assert (e.value.status, e.value.rule) == (417, "bad_expect")
    asyncio.run(go())


@pytest.mark.parametrize("data,status,rule", [
    (b"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413, "body_too_large"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" + b"a" * 101 + b"\r\n0\r\n\r\n",
     413, "body_too_large"),
    (b"POST / HTTP/1.1\r\nExpect: nope\r\n\r\n", 417, "bad_expect"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, "bad_transfer_encoding"),
    (b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "malformed_request"),
    (b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n\r\n", 414, "uri_too_long"),
    (b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 201 + b"\r\n", 431, "headers_too_large"),
    (b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc", 400, "incomplete_request"),
])
def test_refusals(data, status, rule):
    async def go():
        rr, _ = reader_for(data)
        with pytest.raises(HttpError) as e:
            await rr.read_request()
        assert (e.value.status, e.value.rule) == (status, rule)
    asyncio.run(go())


def test_slow_head_times_out_and_idle_close_is_quiet():
    async def go():
        rr, _ = reader_for(b"GET / HTTP/1.1\r\nX: ", eof=False, header_timeout=0.2)
        with pytest.raises(HttpError) as e:
            await rr.read_request()
        assert e.value.status == 408
        rr, _ = reader_for(b"", eof=False, header_timeout=0.2)
        assert await rr.read_request() is None
    asyncio.run(go())


def test_100_continue_is_sent_once_the_head_is_read():
    async def go():
        r = asyncio.StreamReader()
        sink = Sink()
        rr = RequestReader(r, sink, max_header_bytes=4096, max_body_bytes=100, header_timeout=2,
                           body_timeout=2)
        r.feed_data(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        task = asyncio.ensure_future(rr.read_request())
        await asyncio.sleep(0.05)
        assert sink.out == b"HTTP/1.1 100 Continue\r\n\r\n" and not task.done()
        r.feed_data(b"ok")
        assert (await task).body == b"ok"
    asyncio.run(go())


def test_body_budget_is_held_and_given_back():
    async def go():
        budget = BodyBudget(10)
        rr, _ = reader_for(b"POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\n12345678", budget=budget)
        req = await rr.read_request()
        assert budget.used == 8 and req.reserved == 8
        rr.release(req)
        assert budget.used == 0
        budget.take(5)
        rr, _ = reader_for(b"POST / HTTP/1.1\r\nContent-Length: 8\r\n\r\n12345678", budget=budget)
        with pytest.raises(HttpError) as e:
            await rr.read_request()
        assert (e.value.status, e.value.rule) == (503, "body_budget")
    asyncio.run(go())


def test_connect_leaves_the_tunnel_bytes():
    async def go():
        rr, _ = reader_for(b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n\x16\x03\x01rest")
        req = await rr.read_request()
        assert req.method == "CONNECT" and rr.upgraded and rr.leftover == b"\x16\x03\x01rest"
        assert await rr.read_request() is None
    asyncio.run(go())


def test_render_head_omits_an_empty_receipt_id():
    h = render_head(403, "Forbidden", [("X-Ringfence-Receipt", ""), ("A", "1")])
    assert h == b"HTTP/1.1 403 Forbidden\r\nA: 1\r\n\r\n"
    assert b"X-Ringfence-Receipt: r1" in render_head(200, "OK", [("X-Ringfence-Receipt", "r1")])
    assert simple_response(404, b"{}").startswith(b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json")
