"""Property tests: the URL parser never crashes, stays bounded in time, and is consistent."""
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.config import Config
from ringfence.core import Finding
from ringfence.core.ipcanon import parse_ipv4
from ringfence.scanners.ssrf import StaticResolver, is_internal
from ringfence.scanners.url import UrlScan, UrlScanner

S = UrlScanner(Config(), None)
BIG = UrlScanner(Config.model_validate({"url": {"max_url_length": 1_048_576}}), None)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

url_chars = st.sampled_from(list("abcXYZ019.:/?#[]@%&=+-_~!$'()*,;\\ \t\r\n\x00\u200b\uff0e\u3002ü") +
                            ["%2e", "%0d", "%0a", "%25", "0x", "..", "::", "[::1]", "127.1", "xn--"])
urlish = st.builds(lambda scheme, body: scheme + body,
                   st.sampled_from(["http://", "https://", "HTTP://", "ws://", "ftp://", "", "http:", "http:///"]),
                   st.lists(url_chars, max_size=60).map("".join))


def _check(res):
    assert isinstance(res, UrlScan)
    assert all(isinstance(f, Finding) for f in res.findings)
    if not res.blocked:
        assert res.host and res.scheme and 0 <= res.port <= 65535
        assert res.url.startswith(res.scheme + "://")
        assert "\r" not in res.url and "\n" not in res.url


@FAST
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(s):
    _check(S.scan(s))


@FAST
@given(urlish)
def test_urlish_never_crashes_and_is_stable(u):
    res = S.scan(u)
    _check(res)
    if not res.blocked:
        again = S.scan(res.url)   # the canonical form is a fixed point
        assert again.host == res.host and again.port == res.port and again.is_ip == res.is_ip
        addrs, f = S.resolve_and_check(res, StaticResolver({res.host: ["203.0.113.10"]}))
        assert addrs or f


@FAST
@given(st.text(max_size=80), st.integers(min_value=-5, max_value=70000))
def test_hostport_never_crashes(h, p):
    res = S.scan_hostport(h, p)
    assert isinstance(res, UrlScan)


@FAST
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_ipv4_notation_agrees(n):
    a, b, c, d = n.to_bytes(4, "big")
    forms = [f"{a}.{b}.{c}.{d}", str(n), hex(n), f"0{n:o}", f"{a}.{(b << 16) | (c << 8) | d}",
             f"{a}.{b}.{(c << 8) | d}", f"{hex(a)}.0{b:o}.{c}.{hex(d)}"]
    want = parse_ipv4(forms[0])
    for f in forms:
        assert parse_ipv4(f) == want, f
    res = S.scan(f"http://{forms[1]}/")
    assert res.is_ip and res.host == str(want)
    assert res.blocked == (is_internal(str(want)) is not None)


def test_one_megabyte_urls_bounded():
    cases = [
        "https://example.com/" + "a" * 1_000_000,
        "https://example.com/?" + "&".join(f"k{i}=v{i}" for i in range(100_000)),
        "https://example.com/" + "%25" * 330_000,
        "https://example.com/" + "x/" * 500_000,
        "https://" + "a." * 100 + "com/" + "A1b2" * 250_000,
        "https://example.com/?q=" + "+".join(["word"] * 200_000),
        "https://example.com/" + "\u200b" * 300_000,
        "http://[" + ":" * 500_000 + "]/",
    ]
    for u in cases:
        t = time.perf_counter()
        res = BIG.scan(u[:1_048_576])
        assert isinstance(res, UrlScan)
        assert time.perf_counter() - t < 5.0, u[:40]
    t = time.perf_counter()
    assert S.scan("https://example.com/" + "a" * 1_000_000).findings[0].rule == "too_long"
    assert time.perf_counter() - t < 0.05
