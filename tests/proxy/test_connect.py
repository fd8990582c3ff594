"""CONNECT: hostname-level decisions, blind tunnels, TLS interception."""
from __future__ import annotations

import json
import ssl

import aiohttp
import pytest
import trustme

from ringfence.config import Config
from ringfence.proxy.tls import CaError, CertAuthority, LeafCache, init_ca

from rfproxy_util import AWS_KEY, UP_HOST, curl, raw_request, routes_for, start_upstream

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def tls_upstream(tmp_path):
    ca = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(UP_HOST).configure_cert(ctx)
    ca_file = tmp_path / "upstream-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    runner, up = await start_upstream(ctx)
    up.ca_file = str(ca_file)
    yield up
    await runner.cleanup()


@pytest.fixture
def rf_ca(tmp_path):
    d = tmp_path / "rfca"
    init_ca(str(d))
    cache = LeafCache(CertAuthority(str(d)))
    yield cache, str(d / "ca.pem")
    cache.close()


def intercept_config(**tls) -> Config:
    return Config.model_validate({"tls": {"intercept": True, **tls}})


async def test_connect_blocklisted_host_refused_with_marker(make_proxy):
    p = await make_proxy()
    out = await raw_request(p.port, b"CONNECT dump.pastebin.com:443 HTTP/1.1\r\n"
                                    b"Host: dump.pastebin.com:443\r\n\r\n")
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 403") and b"X-Ringfence-Decision: block" in head
    doc = json.loads(body)
    assert doc["blocked"] is True and doc["receipt_id"] in p.receipts_text()


async def test_connect_literal_private_ip_refused(make_proxy):
    p = await make_proxy()
    out = await raw_request(p.port, b"CONNECT 10.0.0.5:443 HTTP/1.1\r\nHost: 10.0.0.5:443\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 403")
    assert json.loads(out.partition(b"\r\n\r\n")[2])["scanner"] == "ssrf"


async def test_connect_bad_target_is_400(make_proxy):
    p = await make_proxy()   # an invalid port is the URL pipeline's block (tests/proxy/test_refused_targets.py)
    for t in (b"nohost", b"a.test:443/x"):
        out = await raw_request(p.port, b"CONNECT " + t + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 400"), t


async def test_blind_tunnel_with_curl(tls_upstream, make_proxy):
    p = await make_proxy(routes_for(tls_upstream))
    code, out, err = await curl("-i", "-x", p.url, "--cacert", tls_upstream.ca_file,
                                tls_upstream.url("/echo?q=1", "https"))
    assert code == 0, err
    assert "echo GET 0" in out
    assert tls_upstream.log[-1]["path"] == "/echo?q=1"


async def test_intercept_scans_inner_requests_curl(tls_upstream, make_proxy, rf_ca):
    cache, ca_pem = rf_ca
    p = await make_proxy(routes_for(tls_upstream), config=intercept_config(), ca=cache,
                         upstream_ca=tls_upstream.ca_file)
    base = ["-x", p.url, "--cacert", ca_pem]
    code, out, err = await curl(*base, tls_upstream.url(f"/echo?k={AWS_KEY}", "https"))
    assert code == 0, err
    assert json.loads(out)["scanner"] == "dlp"
    code, out, err = await curl(*base, "-H", f"X-Key: {AWS_KEY}", tls_upstream.url("/echo", "https"))
    assert json.loads(out)["blocked"] is True
    code, out, err = await curl(*base, tls_upstream.url("/inj", "https"))
    assert json.loads(out)["scanner"] == "injection"
    assert tls_upstream.log == []
    # h2 offered, http/1.1 served cleanly
    code, out, err = await curl(*base, "--http2", "-i", tls_upstream.url("/clean", "https"))
    assert code == 0, err
    assert out.startswith("HTTP/1.1 200") and "Version 2.1" in out


async def test_intercept_with_aiohttp_client(tls_upstream, make_proxy, rf_ca):
    cache, ca_pem = rf_ca
    p = await make_proxy(routes_for(tls_upstream), config=intercept_config(), ca=cache,
                         upstream_ca=tls_upstream.ca_file)
    ctx = ssl.create_default_context(cafile=ca_pem)
    async with aiohttp.ClientSession() as s:
        async with s.post(tls_upstream.url("/echo", "https"), data=b"clean body", proxy=p.url, ssl=ctx) as r:
            assert r.status == 200 and await r.text() == "echo POST 10"
            assert r.headers["X-Ringfence-Receipt"]
        async with s.post(tls_upstream.url("/echo", "https"), json={"k": AWS_KEY}, proxy=p.url, ssl=ctx) as r:
            assert r.status == 403
    assert [e["body"] for e in tls_upstream.log] == [b"clean body"]


async def test_intercept_exclude_list_tunnels_blind(tls_upstream, make_proxy, rf_ca):
    cache, ca_pem = rf_ca
    p = await make_proxy(routes_for(tls_upstream), config=intercept_config(exclude=[UP_HOST]), ca=cache,
                         upstream_ca=tls_upstream.ca_file)
    # Excluded: the upstream's own certificate is presented, so the upstream CA is what verifies.
    code, out, err = await curl("-x", p.url, "--cacert", tls_upstream.ca_file,
                                tls_upstream.url(f"/echo?k={AWS_KEY}", "https"))
    assert code == 0 and out == "echo GET 0"


async def test_upstream_tls_verification_stays_on(tls_upstream, make_proxy, rf_ca):
    cache, ca_pem = rf_ca
    p = await make_proxy(routes_for(tls_upstream), config=intercept_config(), ca=cache)  # no upstream CA
    code, out, err = await curl("-x", p.url, "--cacert", ca_pem, tls_upstream.url("/clean", "https"))
    assert json.loads(out)["error"] == "upstream_tls"


def test_ca_init_refuses_overwrite_and_key_is_private(tmp_path):
    d = tmp_path / "ca"
    init_ca(str(d))
    assert (d / "ca.key").stat().st_mode & 0o777 == 0o600
    with pytest.raises(CaError):
        init_ca(str(d))
    (d / "ca.key").chmod(0o644)
    with pytest.raises(CaError):
        CertAuthority(str(d))


def test_leaf_contexts_cached_and_alpn_http11(rf_ca):
    cache, _ = rf_ca
    a = cache.context("a.test")
    assert cache.context("A.test.") is a
    assert cache.context("b.test") is not a
    assert cache.context("127.0.0.9") is not None
