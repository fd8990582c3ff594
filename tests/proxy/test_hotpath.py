"""The proxy's hot path shortcuts keep behaviour: metrics still count every
decision, repeated requests keep their verdicts, the --resolve warning is
logged once per host (not per request)."""
from __future__ import annotations

import asyncio
import logging

import pytest

from ringfence.proxy.http1 import read_within
from rfproxy_util import AWS_KEY, UP_HOST, raw_request, routes_for

pytestmark = pytest.mark.timeout(60)


def _req(upstream, path: str) -> bytes:
    return (f"GET {upstream.url(path)} HTTP/1.1\r\nHost: {UP_HOST}:{upstream.port}\r\n"
            "Connection: close\r\n\r\n").encode()


def _metric(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        inner = line[len(name) + 1: line.index("}")]
        got = dict(kv.split("=", 1) for kv in inner.split(","))
        if {k: v.strip('"') for k, v in got.items()} == labels:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_each_decision(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    m = p.srv.hooks.metrics
    if m is None:
        pytest.skip("metrics module unavailable")
    for _ in range(3):
        out = await raw_request(p.srv.port, _req(upstream, "/echo?q=1"))
        assert out.startswith(b"HTTP/1.1 200")
    out = await raw_request(p.srv.port, _req(upstream, f"/echo?k={AWS_KEY}"))
    assert out.startswith(b"HTTP/1.1 403")
    text = m.render().decode()
    # 3 allowed requests: outbound + inbound decision each; 1 blocked: outbound only
    assert _metric(text, "ringfence_requests_total", transport="forward") == 7.0
    assert _metric(text, "ringfence_decisions_total", transport="forward", verdict="block", scanner="dlp") == 1.0
    assert _metric(text, "ringfence_decisions_total", transport="forward", verdict="allow", scanner="none") == 6.0
    assert _metric(text, "ringfence_decision_seconds_count", transport="forward") == 7.0


async def test_repeated_requests_keep_verdicts(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    for _ in range(5):
        ok = await raw_request(p.srv.port, _req(upstream, "/echo?q=same"))
        bad = await raw_request(p.srv.port, _req(upstream, f"/echo?q={AWS_KEY}"))
        assert ok.startswith(b"HTTP/1.1 200") and b"X-Ringfence-Decision: allow" in ok
        assert bad.startswith(b"HTTP/1.1 403") and b"X-Ringfence-Decision: block" in bad
    # each decision still got its own receipt: 5 x (outbound intent + outcome + inbound) + 5 x blocked
    # outbound (a blocked request has no intent and no outcome)
    text = p.receipts_text()
    assert text.count('"type":"action_receipt"') == 20
    assert text.count('"intent":"egress-intent') == 5 and text.count('"layer":"outcome"') == 5


async def test_resolve_warning_once_per_host(upstream, make_proxy, caplog):
    p = await make_proxy(routes_for(upstream))
    with caplog.at_level(logging.WARNING, logger="ringfence.proxy"):
        for _ in range(4):
            out = await raw_request(p.srv.port, _req(upstream, "/echo"))
            assert out.startswith(b"HTTP/1.1 200")
    msgs = [r.getMessage() for r in caplog.records if "--resolve: dialing" in r.getMessage()]
    assert len(msgs) == 1


async def test_read_within_times_out_and_returns_buffered():
    r = asyncio.StreamReader()
    with pytest.raises(TimeoutError):
        await read_within(r, 10, 0.05)
    r.feed_data(b"abc")
    assert await read_within(r, 10, 0.0) == b"abc"  # buffered bytes need no wait
    r.feed_eof()
    assert await read_within(r, 10, 1.0) == b""


def test_target_parse_cache_same_result_and_errors_repeat():
    from ringfence.proxy.target import TargetError, parse_url
    a = parse_url("http://Example.com:8080/a?b=1")
    assert a == parse_url("http://Example.com:8080/a?b=1")
    assert (a.scheme, a.host, a.port, a.path) == ("http", "example.com", 8080, "/a?b=1")
    assert parse_url("https://example.com/", ("https",)).port == 443
    for _ in range(2):
        with pytest.raises(TargetError):
            parse_url("http://example.com:99999/")
        with pytest.raises(TargetError):
            parse_url("https://example.com/", ("http",))  # scheme allowance is part of the key
