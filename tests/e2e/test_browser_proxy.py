"""A real Chromium (Debian's, never downloaded) through the proxy with TLS interception."""
from __future__ import annotations

import os
import ssl
import tempfile

import pytest
import trustme

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.timeout(120)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium (apt-get install -y chromium)")
async def test_chromium_through_intercepting_proxy(tmp_path):
    from playwright.async_api import async_playwright

    from ringfence.config import Config
    from ringfence.engine import Engine
    from ringfence.proxy.server import ProxyServer
    from ringfence.proxy.tls import CertAuthority, LeafCache, init_ca
    from ringfence.receipts import open_writer
    from ringfence.receipts.keys import write_keypair

    import sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "proxy"))
    from rfproxy_util import INJECTION, UP_HOST, start_upstream

    up_ca = trustme.CA()
    sctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    up_ca.issue_cert(UP_HOST).configure_cert(sctx)
    up_ca_file = tmp_path / "up-ca.pem"
    up_ca.cert_pem.write_to_path(str(up_ca_file))
    runner, up = await start_upstream(sctx)

    init_ca(str(tmp_path / "ca"))
    leafs = LeafCache(CertAuthority(str(tmp_path / "ca")))
    key = str(tmp_path / "k" / "r.key")
    write_keypair(key)
    cfg = Config.model_validate({"tls": {"intercept": True}})
    writer = open_writer(str(tmp_path / "receipts"), key, cfg, session_id="browser")
    srv = ProxyServer(cfg, Engine(cfg), writer, resolve={(UP_HOST, up.port): "127.0.0.1"},
                      upstream_ca=str(up_ca_file), ca=leafs)
    await srv.start("127.0.0.1", 0)
    try:
        async with async_playwright() as p:
            # The leaf comes from the throwaway ringfence test CA; this test-only browser ignores
            # cert errors rather than touching any system trust store.
            ctx = await p.chromium.launch_persistent_context(
                tempfile.mkdtemp(dir=tmp_path), executable_path=CHROMIUM, headless=True, args=ARGS,
                proxy={"server": f"http://127.0.0.1:{srv.port}"}, ignore_https_errors=True)
            try:
                page = await ctx.new_page()
                resp = await page.goto(up.url("/clean", "https"), timeout=30000)
                assert resp.status == 200
                assert "We fixed the parser" in await page.content()
                assert resp.headers.get("x-ringfence-decision") == "allow"
                resp = await page.goto(up.url("/inj", "https"), timeout=30000)
                assert resp.status == 403
                body = await page.content()
                assert "Welcome to the docs" not in body and INJECTION not in body  # page withheld
                # a browser gets the HTML block page (API clients get the JSON)
                assert "Blocked by ringfence" in body and await page.inner_text("#scanner") == "injection"
            finally:
                await ctx.close()
    finally:
        await srv.close(grace=1.0)
        writer.close()
        leafs.close()
        await runner.cleanup()
