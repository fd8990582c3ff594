"""Request-body limits in the proxy engine: the shared body budget is always given
back (clean requests, errors, pipelining, clients vanishing), and the config keys
are validated strictly."""
from __future__ import annotations

import asyncio

import pytest

from ringfence.config import Config, ConfigError, load_config_text
from rfproxy_util import UP_HOST, raw_request, routes_for


def _post(up, body: bytes, chunked: bool = False, extra: str = "") -> bytes:
    host = f"{UP_HOST}:{up.port}"
    if chunked:
        return (f"POST http://{host}/echo HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\n{extra}"
                f"Transfer-Encoding: chunked\r\n\r\n{len(body):x}\r\n").encode() + body + b"\r\n0\r\n\r\n"
    return (f"POST http://{host}/echo HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _settle(srv, timeout=5.0):
    for _ in range(int(timeout / 0.05)):
        if srv.budget.used == 0 and not srv.tasks:
            return
        await asyncio.sleep(0.05)


async def test_budget_is_given_back_on_every_path(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    big = b"a" * 200_000
    for _ in range(3):  # small bodies on the fast path (keep-alive, then close)
        out = await raw_request(p.port, _post(upstream, b"small") + _post(upstream, b"tail",
                                                                          extra="Connection: close\r\n"), 10)
        assert out.count(b"HTTP/1.1 200") == 2
    assert p.srv.budget.used == 0
    out = await raw_request(p.port, _post(upstream, big, extra="Connection: close\r\n"), 10)
    assert out.startswith(b"HTTP/1.1 200") and b"echo POST 200000" in out
    out = await raw_request(p.port, _post(upstream, b"hello", chunked=True, extra="Connection: close\r\n"), 10)
    assert out.startswith(b"HTTP/1.1 200")
    # pipelined: two bodies in one write
    out = await raw_request(p.port, _post(upstream, big) + _post(upstream, big, extra="Connection: close\r\n"), 10)
    assert out.count(b"HTTP/1.1 200") == 2
    # a secret in the body: blocked, budget back
    out = await raw_request(p.port, _post(upstream, b"key=AKIA" + b"Q7ZR2KX9LMN4PW3T" + b"x" * 100_000,
                                          extra="Connection: close\r\n"), 10)
    assert out.startswith(b"HTTP/1.1 403")
    # the client vanishes mid-body
    r, w = await asyncio.open_connection("127.0.0.1", p.port)
    w.write(_post(upstream, big)[:100_000])
    await w.drain()
    await asyncio.sleep(1.5)
    assert p.srv.budget.used >= 200_000  # held while the body is arriving
    w.close()
    await _settle(p.srv)
    assert p.srv.budget.used == 0


async def test_budget_refuses_new_bodies_when_full(upstream, make_proxy):
    mib = 1024 * 1024
    cfg = Config.model_validate({"proxy": {"max_body_bytes": mib, "max_buffered_body_bytes": mib + 1000}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    r, w = await asyncio.open_connection("127.0.0.1", p.port)
    w.write(_post(upstream, b"b" * mib)[:5000])
    await w.drain()
    await asyncio.sleep(1.5)  # on the stream path, holding 1 MiB of budget
    out = await raw_request(p.port, _post(upstream, b"c" * 2000), 10)
    assert out.startswith(b"HTTP/1.1 503") and b"body_budget" in out
    out = await raw_request(p.port, _post(upstream, b"c" * 500, extra="Connection: close\r\n"), 10)
    assert out.startswith(b"HTTP/1.1 200")  # what still fits goes through
    w.close()
    await _settle(p.srv)
    assert p.srv.budget.used == 0


@pytest.mark.parametrize("text, key", [
    ("proxy:\n  body_timeout_s: 0\n", "body_timeout_s"),
    ("proxy:\n  body_min_rate_bytes_s: -1\n", "body_min_rate_bytes_s"),
    ("proxy:\n  max_connections: 0\n", "max_connections"),
    ("proxy:\n  idle_timeout_s: fast\n", "idle_timeout_s"),
    ("proxy:\n  upstream_idle_timeout_s: 0\n", "upstream_idle_timeout_s"),
    ("proxy:\n  max_buffered_body_bytes: 2048\n", "max_buffered_body_bytes"),
    ("proxy:\n  max_body_bytess: 2048\n", "max_body_bytess"),
])
def test_limit_keys_are_strict(text, key):
    with pytest.raises(ConfigError) as e:
        load_config_text(text)
    assert key in str(e.value) and ("line 2" in str(e.value) or "line 1" in str(e.value))


def test_limit_defaults_are_bounded():
    c = Config().proxy
    assert c.body_timeout_s == 30 and c.body_min_rate_bytes_s > 0
    assert c.max_body_bytes <= c.max_buffered_body_bytes <= 256 * 1024 * 1024
    assert 0 < c.max_connections <= 65536 and c.idle_timeout_s > 0 and c.upstream_idle_timeout_s > 0
