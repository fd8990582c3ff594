"""The per-domain data budget (url.bytes_per_minute) is fed by proxied responses."""
from __future__ import annotations

import json
import ssl
from urllib.parse import quote

import aiohttp
import pytest
import trustme

from ringfence.config import Config
from ringfence.proxy.tls import CertAuthority, LeafCache, init_ca

from rfproxy_util import UP_HOST, routes_for, start_upstream

pytestmark = pytest.mark.timeout(60)

OTHER = "other.test"


def budget(n: int, **extra) -> Config:
    # Engines are shared per config in a test process: each test uses its own budget.
    return Config.model_validate({"url": {"bytes_per_minute": n}, **extra})


async def _get(s, url, **kw):
    async with s.get(url, **kw) as r:
        return r.status, r.headers.get("X-Ringfence-Decision", ""), await r.read()


def _over_budget(status: int, body: bytes) -> bool:
    if status != 403:
        return False
    doc = json.loads(body)
    return doc["scanner"] == "ratelimit" and doc["rule"] == "data_budget"


async def test_forward_fast_path_feeds_budget(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream, UP_HOST, OTHER), config=budget(5000))
    async with aiohttp.ClientSession() as s:
        for _ in range(2):  # 3000, then 6000 bytes: the check before each sees < 5000
            st, dec, body = await _get(s, upstream.url("/size/3000"), proxy=p.url)
            assert st == 200 and len(body) == 3000 and dec == "allow"
        st, _, body = await _get(s, upstream.url("/size/10"), proxy=p.url)
        assert _over_budget(st, body)
        # near miss: another registrable domain has its own budget
        st, _, body = await _get(s, f"http://{OTHER}:{upstream.port}/size/10", proxy=p.url)
        assert st == 200 and body == b"lorem ipsu"


async def test_under_budget_keeps_passing(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream), config=budget(100_000))
    async with aiohttp.ClientSession() as s:
        for _ in range(5):
            st, _, body = await _get(s, upstream.url("/size/3000"), proxy=p.url)
            assert st == 200 and len(body) == 3000


@pytest.mark.parametrize("path,cap", [("/bin", 60), ("/sse/clean", 50)], ids=["binary", "sse"])
async def test_streamed_responses_feed_budget(upstream, make_proxy, path, cap):
    p = await make_proxy(routes_for(upstream), config=budget(cap))
    async with aiohttp.ClientSession() as s:
        st, _, body = await _get(s, upstream.url(path), proxy=p.url)
        assert st == 200 and len(body) > cap  # relayed as it streamed, then counted
        st, _, body = await _get(s, upstream.url("/size/10"), proxy=p.url)
        assert _over_budget(st, body)


async def test_fetch_feeds_budget(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream), config=budget(5002))

    def fetch_url(path: str) -> str:
        return f"{p.url}/fetch?url={quote(upstream.url(path), safe='')}"

    async with aiohttp.ClientSession() as s:
        st, _, body = await _get(s, fetch_url("/size/6000"))
        assert st == 200 and len(json.loads(body)["content"]) == 6000
        st, _, body = await _get(s, fetch_url("/size/10"))
        assert _over_budget(st, body)


async def test_intercepted_requests_feed_budget(make_proxy, tmp_path):
    ca = trustme.CA()
    up_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(UP_HOST).configure_cert(up_ctx)
    up_ca = tmp_path / "upstream-ca.pem"
    ca.cert_pem.write_to_path(str(up_ca))
    runner, up = await start_upstream(up_ctx)
    init_ca(str(tmp_path / "rfca"))
    cache = LeafCache(CertAuthority(str(tmp_path / "rfca")))
    try:
        p = await make_proxy(routes_for(up), config=budget(5003, tls={"intercept": True}), ca=cache,
                             upstream_ca=str(up_ca))
        ctx = ssl.create_default_context(cafile=str(tmp_path / "rfca" / "ca.pem"))
        async with aiohttp.ClientSession() as s:
            st, dec, body = await _get(s, up.url("/size/6000", "https"), proxy=p.url, ssl=ctx)
            assert st == 200 and len(body) == 6000
            st, _, body = await _get(s, up.url("/size/10", "https"), proxy=p.url, ssl=ctx)
            assert _over_budget(st, body)
    finally:
        cache.close()
        await runner.cleanup()
