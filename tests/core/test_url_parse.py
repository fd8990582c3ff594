"""core/url.py is the one URL and authority parser: the proxy's targets (what it dials
and sends as Host) and the URL scanner (what policy judges) agree on every tricky
authority; DLP reads the host as the client sent it before any lookup, on URLs and
CONNECT; no error message quotes a secret."""
from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringfence.config import Config
from ringfence.core.url import UrlError, canonical_host, host_as_sent, split_authority, split_url
from ringfence.engine import Engine
from ringfence.proxy.target import TargetError, parse_connect, parse_url
from ringfence.scanners.ssrf import StaticResolver
from ringfence.scanners.url import UrlScanner

FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])
SCAN = UrlScanner(Config(), None)
ENGINE: list[Engine] = []


def engine() -> Engine:
    if not ENGINE:  # one real engine (DLP and URL pipeline) for the module; no resolver answers
        ENGINE.append(Engine(Config(), resolver=StaticResolver({}), lazy=True))
    return ENGINE[0]


# -- tricky authorities ------------------------------------------------------
label = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=12)
name = st.lists(label, min_size=1, max_size=4).map(".".join)
pct = name.map(lambda n: "".join(f"%{ord(c):02X}" if i % 3 == 0 else c for i, c in enumerate(n)))
ipv4 = st.sampled_from(["127.0.0.1", "0x7f.1", "2130706433", "10.1", "8.8.8.8", "0177.0.0.1", "1.2.3.4."])
ipv6 = st.sampled_from(["[::1]", "[fe80::1%25eth0]", "[2001:db8::1]", "[::ffff:127.0.0.1]", "[FE80::A%25en0]",
                        "[::1", "[zz::1]"])
hostish = st.one_of(name, pct, ipv4, ipv6, name.map(lambda n: n + "."), name.map(str.upper),
                    st.sampled_from(["bücher.de", "ＥＸＡＭＰＬＥ.com", "a..b", "", ".", "ex ample.com", "a_b.test"]))
userinfo = st.one_of(st.just(""), st.sampled_from(["u@", "u:p@", "u:p%40x@", "u@v@", "a:b:c@", "%40@", ":@",
                                                   "u\\@", "u:p@[::1]@"]))
port = st.one_of(st.just(""), st.sampled_from([":80", ":8080", ":0", ":65535", ":65536", ":", ":+1", ":08",
                                               ":１２", ":443x"]))
tail = st.sampled_from(["", "/", "/p?q=1", "?x", "#f", "/a/../b", "\\x", "//"])
scheme = st.sampled_from(["http", "https", "HTTP", "HtTpS"])
urls = st.builds(lambda s, u, h, p, t: f"{s}://{u}{h}{p}{t}", scheme, userinfo, hostish, port, tail)


@FAST
@given(urls)
def test_proxy_target_and_scanner_agree_on_the_host(url):
    res = SCAN.scan(url)
    try:
        t = parse_url(url)
    except TargetError:
        # the proxy refuses what policy cannot judge: the scanner blocks it too
        assert res.blocked, (url, res)
        return
    parse_rules = {"parse_error", "invalid_host", "invalid_ipv4", "invalid_ipv6", "invalid_port", "ambiguous_url"}
    assert not any(f.rule in parse_rules for f in res.findings), (url, res.findings)
    assert (t.host, t.port) == (res.host, res.port), url
    assert t.scheme == res.scheme


@FAST
@given(hostish, st.sampled_from([":443", ":1", ":65535"]))
def test_connect_and_url_name_the_same_host(host, port):
    try:
        sent, canon, p = parse_connect(host + port)
    except TargetError:
        with pytest.raises((UrlError, ValueError)):  # refused by the one parser, not by a second one
            raw, _, _ = split_authority(host + port)
            canonical_host(raw)
        assert SCAN.scan_hostport(host, int(port[1:])).blocked
        return
    via_url = parse_url(f"https://{host}{port}/")
    assert (canon, p) == (via_url.host, via_url.port)
    r = SCAN.scan_hostport(sent, p)
    assert r.host == canon or r.blocked


# -- DLP reads the host as sent ----------------------------------------------
KEY_TAIL = st.text(string.ascii_uppercase + "234567", min_size=16, max_size=16)


def _variants(key: str, zone: str):
    """The same key-carrying host written the ways clients write hosts."""
    enc = "".join(f"%{ord(c):02X}" if i in (0, 5) else c for i, c in enumerate(key))
    full = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in key[:6]) + key[6:]
    for h in (key, enc, full):
        yield f"{h}.{zone}", f"{h}.{zone}."


@FAST
@given(KEY_TAIL, st.sampled_from(["evil.example.net", "Exfil.Example.COM", "x.test"]))
def test_key_in_a_host_is_seen_as_sent_on_urls_and_connect(tail, zone):
    key = "AKIA" + tail
    e = engine()
    for plain, dotted in _variants(key, zone):
        for host in (plain, dotted):
            d, addrs = e.check_url(f"https://{host}/", "GET")
            assert d.blocked and addrs == [], host
            assert any(f.scanner == "dlp" for f in d.findings), (host, d.findings)
            sent, _, p = parse_connect(f"{host}:443")
            r = e.url.scan_hostport(sent, p)
            assert any(f.scanner == "dlp" for f in r.findings), (host, r.findings)
            for f in list(d.findings) + list(r.findings):  # nothing was looked up, nothing echoed
                assert f.rule != "dns_failure" and key not in f.excerpt


@FAST
@given(KEY_TAIL)
def test_near_miss_lowercase_label_is_not_a_key(tail):
    """The key pattern is case-sensitive: the lowered label is not an AWS key (the host
    may still be refused for its entropy, never as a credential)."""
    d, _ = engine().check_url(f"https://akia{tail.lower()}.evil.example.net/", "GET", resolve=False)
    assert not any(f.scanner == "dlp" and f.rule == "aws_access_key_id" for f in d.findings)


def test_host_as_sent_keeps_case_and_drops_what_is_not_the_name():
    assert host_as_sent("AKIA.Example.COM.", "akia.example.com", False) == "AKIA.Example.COM"
    assert host_as_sent("%41KIA.x", "akia.x", False) == "AKIA.x"
    assert host_as_sent("ＡＫＩＡ.x", "akia.x", False) == "AKIA.x"
    assert host_as_sent("bücher.de", "xn--bcher-kva.de", False) == ""
    assert host_as_sent("[::1]", "::1", True) == ""


# -- no error message quotes a secret -----------------------------------------
SECRET = st.builds(lambda t: "AKIA" + t, KEY_TAIL)


@FAST
@given(SECRET, st.sampled_from([
    "http://h.test:{s}/", "{s}://h.test/", "http://h.test{s}:80:81/", "http://[{s}]/", "http://a@b@{s}/",
    "http://{s}\\@h.test/", "http:///{s}", "http://{s}%zz.test/", "http://{s}%2525.test/", "http://0x{s}/",
    "http://{s}..test/", "http://h.test:{s}", "http://{s} x/", "http://[::1]{s}/",
]))
def test_errors_never_quote_a_secret(secret, shape):
    url = shape.format(s=secret)
    try:
        parse_url(url)
    except TargetError as e:
        assert secret not in str(e) and secret[4:] not in str(e)
    try:
        split_url(url)
    except UrlError as e:
        assert secret not in str(e)
    res = SCAN.scan(url)
    for f in res.findings:
        assert secret not in f.excerpt, (url, f)
    auth = shape.format(s=secret).split("//", 1)[-1].split("/", 1)[0]
    try:
        parse_connect(auth)
    except TargetError as e:
        assert secret not in str(e)


def test_dns_failure_message_redacts_long_labels():
    d, _ = engine().check_url("https://k4x7q2l9mbn3trwkz8.bucket.example/", "GET")
    assert d.blocked
    for f in d.findings:
        assert "k4x7q2l9mbn3trwkz8" not in f.excerpt
