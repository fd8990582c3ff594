"""The sans-I/O HTTP/1 engine: both sides, caps, strict rules, rendering."""
from __future__ import annotations

import pytest

from ringfence.core.h1 import (REQUEST, RESPONSE, Parser, chunk, request_head, response_head)


def req_parser(**kw) -> Parser:
    args = dict(max_head=4096, max_fields=20, max_body=1000)
    args.update(kw)
    return Parser(REQUEST, **args)


def resp_parser(**kw) -> Parser:
    args = dict(max_head=4096, max_fields=20, max_body=1000)
    args.update(kw)
    return Parser(RESPONSE, **args)


GET = b"GET http://a.example/x?y=1 HTTP/1.1\r\nHost: a.example\r\nX-One: 1\r\n\r\n"


def test_request_head_and_fields():
    p = req_parser()
    p.feed(GET)
    m = p.take()
    assert p.error is None and m is not None and m.complete
    assert (m.method, m.target, m.version) == ("GET", b"http://a.example/x?y=1", "1.1")
    assert m.headers == [("Host", "a.example"), ("X-One", "1")]
    assert m.header("x-one") == "1" and m.keep_alive and m.body == b""


def test_lower_names_option():
    p = req_parser(lower_names=True)
    p.feed(GET)
    assert p.take().headers[0] == ("host", "a.example")


@pytest.mark.parametrize("cuts", [1, 2, 7, 13])
def test_split_anywhere_gives_the_same_request(cuts):
    data = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
    p = req_parser()
    for i in range(0, len(data), cuts):
        p.feed(data[i:i + cuts])
    m = p.take()
    assert m.body == b"hello" and m.length == 5 and m.framed and p.error is None


def test_pipelined_requests_queue_in_order():
    p = req_parser()
    p.feed(GET + b"POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
           + GET.replace(b"/x", b"/z"))
    got = [p.take() for _ in range(3)]
    assert [m.target[-4:] for m in got] == [b"?y=1", b"/b", b"?y=1"]
    assert got[1].chunked and got[1].body == b"abc" and p.take() is None


def test_http10_closes():
    p = req_parser()
    p.feed(b"GET / HTTP/1.0\r\n\r\n")
    m = p.take()
    assert m.version == "1.0" and not m.keep_alive


@pytest.mark.parametrize("te", [b"gzip", b"chunked, gzip", b"gzip, chunked", b"identity", b"x"])
def test_transfer_encoding_other_than_chunked_is_501(te):
    p = req_parser()
    p.feed(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + te + b"\r\n\r\n")
    assert p.error is not None and p.error.status in (400, 501)
    if te != b"x":
        assert p.error.rule in ("bad_transfer_encoding", "malformed_request")


def test_expect():
    p = req_parser()
    p.feed(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert p.cur.expect_continue and p.cur.head_done and p.error is None
    p = req_parser()
    p.feed(b"POST / HTTP/1.1\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\n")
    assert (p.error.status, p.error.rule) == (417, "bad_expect")


@pytest.mark.parametrize("head", [
    b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
])
def test_smuggling_shapes_are_400(head):
    p = req_parser()
    p.feed(head)
    assert (p.error.status, p.error.rule) == (400, "malformed_request")


def test_llhttp_error_overrides_an_earlier_rule():
    p = req_parser()
    p.feed(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc")
    assert p.error.status == 400


def test_caps_target_fields_and_slow_head():
    p = req_parser(max_head=64)
    p.feed(b"GET /" + b"a" * 100 + b" HTTP/1.1\r\n\r\n")
    assert (p.error.status, p.error.rule) == (414, "uri_too_long")
    p = req_parser(max_fields=3)
    p.feed(b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(4)) + b"\r\n")
    assert (p.error.status, p.error.rule) == (431, "headers_too_large")
    p = req_parser(max_fields=3)
    p.feed(b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(3)) + b"\r\n")
    assert p.error is None
    p = req_parser(max_head=100)  # an incomplete head fed a little at a time
    p.feed(b"GET / HTTP/1.1\r\nX: ")
    for _ in range(20):
        p.feed(b"aaaaa")
    assert (p.error.status, p.error.rule) == (431, "headers_too_large")


def test_body_caps():
    p = req_parser(max_body=10)
    p.feed(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n")
    assert p.cur.too_large and p.error is None
    p = req_parser(max_body=10)
    p.feed(b"POST / HTTP/1.1\r\nContent-Length: 1234567890123456789\r\n\r\n")
    assert p.cur.too_large
    p = req_parser(max_body=10)  # chunked: counted as it arrives, no longer stored
    p.feed(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
    m = p.take()
    assert m.too_large and m.size == 16 and m.body == b""


def test_connect_and_upgrade_keep_the_bytes_after_the_head():
    p = req_parser()
    p.feed(b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n\x16\x03\x01")
    m = p.take()
    assert p.upgraded and m.method == "CONNECT" and p.leftover == b"\x16\x03\x01"
    p = req_parser()
    p.feed(b"GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00")
    m = p.take()
    assert p.upgraded and m.upgrade and p.leftover == b"\x81\x00"


def test_response_side():
    p = resp_parser()
    p.feed(b"HTTP/1.1 200 Fine\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhel")
    m = p.msg
    assert m.head_done and not m.complete and (m.status, m.reason) == (200, "Fine") and m.framed
    p.feed(b"lo")
    assert m.complete and b"".join(m.chunks) == b"hello" and m.keep_alive


def test_response_until_close_and_chunked():
    p = resp_parser()
    p.feed(b"HTTP/1.1 200 OK\r\n\r\nabc")
    assert not p.msg.framed and p.msg.chunks == [b"abc"]
    p = resp_parser()
    p.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
    assert p.msg.framed and p.msg.complete and p.msg.chunks == [b"abc"]


def test_interim_responses_skipped_or_kept():
    data = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
    p = resp_parser(skip_interim=True)
    p.feed(data)
    assert [m.status for m in p.done] == [204]
    p = resp_parser()
    p.feed(data)
    assert [m.status for m in p.done] == [100, 204]


def test_response_errors_are_502():
    p = resp_parser(max_fields=2)
    p.feed(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")
    assert (p.error.status, p.error.rule, str(p.error)) == (502, "upstream_error", "upstream sent too many headers")
    p = resp_parser(max_head=50)
    p.feed(b"HTTP/1.1 200 OK\r\nA: " + b"x" * 100)
    assert str(p.error) == "upstream response head too large"
    p = resp_parser()
    p.feed(b"HTTP/1.1 abc\r\n\r\n")
    assert p.error.status == 502 and str(p.error).startswith("malformed upstream response")


def test_response_transfer_encoding_is_llhttps_business():
    p = resp_parser()
    p.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nabc")
    assert p.error is None


def test_rendering():
    h = response_head(200, None, [("A", "1"), ("B", "x\r\nInjected: 1"), ("C", "3")])
    assert h == b"HTTP/1.1 200 OK\r\nA: 1\r\nC: 3\r\n\r\n"
    assert response_head(404, "Gone Fishing", []) == b"HTTP/1.1 404 Gone Fishing\r\n\r\n"
    assert response_head(599, None, []) == b"HTTP/1.1 599 Status\r\n\r\n"
    assert request_head("GET", "/x", [("Host", "h")]) == b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n"
    assert chunk(b"abc") == b"3\r\nabc\r\n" and chunk(b"") == b"0\r\n\r\n"
    # what render produces, the engine reads back
    p = resp_parser()
    p.feed(response_head(201, None, [("Content-Length", "2")]) + b"ok")
    assert p.msg.status == 201 and p.msg.chunks == [b"ok"]


def test_field_lookup_is_case_insensitive_and_first_wins():
    from ringfence.core.h1 import field
    h = [("Content-Type", "a"), ("content-type", "b")]
    assert field(h, "CONTENT-TYPE") == "a" and field(h, "x", "d") == "d"
