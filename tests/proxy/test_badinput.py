"""Bad input: clear 4xx, no crash, no hang, no leaked file descriptors."""
from __future__ import annotations

import asyncio
import os

import pytest

from ringfence.config import Config

from rfproxy_util import raw_request, routes_for

pytestmark = pytest.mark.timeout(60)


def status(out: bytes) -> int:
    return int(out.split(b" ", 2)[1]) if out.startswith(b"HTTP/1.") else 0


@pytest.mark.parametrize("data,expected", [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET http://a.test/ HTTP/9.9\r\n\r\n", 400),
    (b"POST http://a.test/ HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
    (b"POST http://a.test/ HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"3\r\nabc\r\n0\r\n\r\n", 400),
    (b"POST http://a.test/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
    (b"POST http://a.test/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    (b"GET http://a.test/ HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400),
    (b"GET ftp://a.test/ HTTP/1.1\r\nHost: a\r\n\r\n", 403),   # a refused scheme: the URL pipeline's recorded block
    (b"GET http://a.test/ HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", 417),
])
async def test_malformed_and_smuggling_requests_rejected(make_proxy, data, expected):
    p = await make_proxy()
    out = await raw_request(p.port, data)
    assert status(out) == expected, out[:200]
    assert b"Connection: close" in out


async def test_one_megabyte_of_headers_is_431(make_proxy):
    p = await make_proxy()
    data = b"GET http://a.test/ HTTP/1.1\r\nHost: a\r\n" + b"X-Pad: " + b"a" * (1024 * 1024) + b"\r\n\r\n"
    out = await raw_request(p.port, data)
    assert status(out) == 431


async def test_body_over_cap_is_413(upstream, make_proxy):
    cfg = Config.model_validate({"proxy": {"max_body_bytes": 4096}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    data = (f"POST {upstream.url('/echo')} HTTP/1.1\r\nHost: a\r\nContent-Length: 10000\r\n\r\n").encode() + b"x" * 10000
    out = await raw_request(p.port, data)
    assert status(out) == 413 and upstream.log == []


async def test_slowloris_gets_408(make_proxy):
    cfg = Config.model_validate({"proxy": {"header_timeout_s": 0.5}})
    p = await make_proxy(config=cfg)
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    r, w = await asyncio.open_connection("127.0.0.1", p.port)
    try:
        w.write(b"GET http://a.test/ HTTP/1.1\r\nHost: a\r\n")
        try:
            for _ in range(5):
                await asyncio.sleep(0.2)
                w.write(b"X-Slow: 1\r\n")
        except ConnectionError:
            pass
        out = await asyncio.wait_for(r.read(), 5)
    finally:
        w.close()
    assert status(out) == 408
    assert loop.time() - t0 < 4


async def test_expect_continue_gets_100(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await asyncio.open_connection("127.0.0.1", p.port)
    try:
        w.write((f"POST {upstream.url('/echo')} HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                 f"Expect: 100-continue\r\nConnection: close\r\n\r\n").encode())
        first = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 5)
        assert first.startswith(b"HTTP/1.1 100")
        w.write(b"hello")
        rest = await asyncio.wait_for(r.read(), 5)
    finally:
        w.close()
    assert rest.startswith(b"HTTP/1.1 200") and rest.endswith(b"echo POST 5")
    assert "Expect" not in upstream.log[-1]["headers"]


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


async def test_no_fd_leak_after_burst_of_bad_connections(upstream, make_proxy):
    cfg = Config.model_validate({"proxy": {"header_timeout_s": 1.0, "upstream_timeout_s": 1.0}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    # warm up (pool, lazy imports)
    await raw_request(p.port, f"GET {upstream.url('/echo')} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".encode())
    before = fd_count()
    bad = [
        b"GARBAGE\r\n\r\n",
        b"GET http://a.test/ HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"GET http://a.test/ HTTP/1.1\r\nHost: a\r\n",              # stalls: header timeout
        b"CONNECT 10.0.0.1:443 HTTP/1.1\r\nHost: x\r\n\r\n",       # SSRF block
        f"GET {upstream.url('/hang')} HTTP/1.1\r\nHost: a\r\n\r\n".encode(),  # upstream never answers
        b"",                                                         # connect and close
        f"GET /ws?url=ws%3A%2F%2Fupstream.test%3A{upstream.port}%2Fws HTTP/1.1\r\nHost: a\r\n"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: bad\r\n"
        f"Sec-WebSocket-Version: 13\r\n\r\n".encode(),
    ]

    async def one(data: bytes) -> None:
        try:
            await raw_request(p.port, data, read_timeout=3.0)
        except OSError:
            pass

    for _ in range(4):
        await asyncio.gather(*(one(d) for d in bad * 5))
    loop = asyncio.get_running_loop()
    end = loop.time() + 10
    while fd_count() > before + 3 and loop.time() < end:
        await asyncio.sleep(0.2)
    assert fd_count() <= before + 3, (before, fd_count())
    assert not p.srv.tasks or len(p.srv.tasks) <= 1


KEY = "AKIA" + "Q7ZK4M2XW9TR3BNP"


@pytest.mark.parametrize("target", [
    f"GET http://h.test:{KEY}/ HTTP/1.1",            # the key where the port goes
    f"GET {KEY}x://h.test/ HTTP/1.1",                # as the scheme
    f"GET http://a@b@{KEY}.test/ HTTP/1.1",          # after an ambiguous authority
    f"GET http://[{KEY}]/ HTTP/1.1",                 # as a broken IPv6 literal
    f"GET http://{KEY}%zz.test/ HTTP/1.1",           # a bad escape in the host
    f"CONNECT h.test:{KEY} HTTP/1.1",                # CONNECT port
    f"CONNECT {KEY}..test:443 HTTP/1.1",             # CONNECT host with an empty label
])
async def test_refused_targets_never_echo_a_secret(make_proxy, target):
    """A target the one URL parser refuses gets a 4xx (or a block) whose text never
    quotes the secret in it."""
    p = await make_proxy()
    out = await raw_request(p.port, f"{target}\r\nHost: h.test\r\n\r\n".encode())
    assert 400 <= status(out) < 500, out[:200]
    assert KEY.encode() not in out and KEY[4:].encode() not in out, out[:300]
