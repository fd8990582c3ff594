"""SSRF ranges, allowlist exemptions and resolvers."""
import threading
import time

import pytest

from ringfence.config import Config
from ringfence.scanners.ssrf import ResolveError, StaticResolver, SystemResolver, check_ip, is_internal

INTERNAL = [
    ("127.0.0.1", "loopback"), ("127.255.255.254", "loopback"), ("10.0.0.1", "private"),
    ("10.255.255.255", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"),
    ("192.168.1.1", "private"), ("169.254.0.1", "link-local"), ("169.254.169.254", "metadata"),
    ("169.254.170.2", "metadata"), ("100.100.100.200", "metadata"), ("168.63.129.16", "metadata"),
    ("100.64.0.1", "cgnat"), ("100.127.255.255", "cgnat"), ("0.0.0.0", "this-network"),
    ("0.1.2.3", "this-network"), ("198.18.0.1", "benchmarking"), ("198.19.255.255", "benchmarking"),
    ("240.0.0.1", "reserved"), ("255.255.255.255", "reserved"), ("192.0.0.8", "ietf-protocol"),
    ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"),
    ("::1", "loopback"), ("::", "unspecified"), ("fc00::1", "unique-local"), ("fd12:3456::1", "unique-local"),
    ("fd00:ec2::254", "metadata"), ("fe80::1", "link-local"), ("febf::1", "link-local"),
    ("ff02::1", "multicast"), ("fec0::1", "site-local"),
    ("::ffff:127.0.0.1", "ipv4-mapped:loopback"), ("::ffff:169.254.169.254", "ipv4-mapped:metadata"),
    ("::10.0.0.1", "ipv4-compatible:private"), ("64:ff9b::10.0.0.1", "nat64:private"),
    ("64:ff9b::169.254.169.254", "nat64:metadata"), ("2002:c0a8:0101::1", "6to4:private"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "teredo-client:loopback"),
    ("64:ff9b:1:a00:0:100::", "nat64-local/48:private"),
    ("2130706433", "loopback"), ("0x7f.1", "loopback"), ("[::1]", "loopback"), ("fe80::1%eth0", "link-local"),
]

PUBLIC = [
    "8.8.8.8", "1.1.1.1", "203.0.113.10", "198.51.100.7", "192.0.2.1", "172.15.255.255", "172.32.0.0",
    "100.63.255.255", "100.128.0.0", "169.253.255.255", "169.255.0.0", "11.0.0.1", "192.169.0.1",
    "198.17.255.255", "198.20.0.0", "223.255.255.255", "192.0.1.1", "126.255.255.255", "1.0.0.0",
    "2606:4700:4700::1111", "2001:db8::1", "2001:4860:4860::8888", "fbff::1", "fe7f::1",
    "64:ff9b::8.8.8.8", "2002:0808:0808::1", "::ffff:8.8.8.8", "64:ff9b:1:808:8:808:808:808",
]


@pytest.mark.parametrize("ip,name", INTERNAL)
def test_internal_ranges(ip, name):
    assert is_internal(ip) == name
    f = check_ip(ip, Config())
    assert f is not None and f.action == "block" and f.scanner == "ssrf"
    assert f.rule == ("metadata" if name.endswith("metadata") else "internal_address")


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses(ip):
    assert is_internal(ip) is None
    assert check_ip(ip, Config()) is None


@pytest.mark.parametrize("junk", ["", "not-an-ip", "999.1.1.1", "1.2.3.4.5", "::g"])
def test_unparsable_is_never_allowed(junk):
    assert is_internal(junk) == "unparsable"
    assert check_ip(junk, Config()).action == "block"


def _cfg(**ssrf):
    return Config.model_validate({"ssrf": ssrf})


def test_ip_allowlist_is_narrow():
    cfg = _cfg(ip_allowlist=["192.168.1.0/24", "fd00:1::/64"])
    assert check_ip("192.168.1.20", cfg) is None
    assert check_ip("fd00:1::5", cfg) is None
    assert check_ip("192.168.2.20", cfg) is not None      # neighbour subnet stays blocked
    assert check_ip("127.0.0.1", cfg) is not None
    assert check_ip("::ffff:192.168.2.1", cfg) is not None


def test_ip_allowlist_refuses_everything_cidrs_and_broad_metadata():
    cfg = _cfg(ip_allowlist=["0.0.0.0/0", "::/0", "169.254.0.0/16"])
    assert check_ip("10.0.0.1", cfg) is not None
    assert check_ip("fc00::1", cfg) is not None
    assert check_ip("169.254.1.1", cfg) is None            # link-local allowed by the /16 ...
    assert check_ip("169.254.169.254", cfg).rule == "metadata"  # ... but not the metadata service
    assert check_ip("169.254.169.254", _cfg(ip_allowlist=["169.254.169.254/32"])) is None


def test_ssrf_disabled():
    assert check_ip("127.0.0.1", _cfg(enabled=False)) is None


def test_static_resolver():
    r = StaticResolver({"api.example.com": ["203.0.113.10"], ("svc.example.com", 8443): ["10.0.0.5"],
                        "svc.example.com": ["203.0.113.11"]})
    assert r.resolve("API.example.com.", 443) == ["203.0.113.10"]
    assert r.resolve("svc.example.com", 8443) == ["10.0.0.5"]
    assert r.resolve("svc.example.com", 443) == ["203.0.113.11"]
    with pytest.raises(ResolveError, match="could not resolve nope.example.com"):
        r.resolve("nope.example.com", 443)
    chained = StaticResolver({"a.example": ["203.0.113.1"]}, fallback=r)
    assert chained.resolve("api.example.com", 443) == ["203.0.113.10"]


def test_system_resolver_resolves_localhost():
    addrs = SystemResolver(timeout=5).resolve("localhost", 80)
    assert addrs and all(is_internal(a) == "loopback" for a in addrs)


def test_system_resolver_literal_and_failure():
    assert SystemResolver(timeout=5).resolve("127.0.0.1", 80) == ["127.0.0.1"]
    with pytest.raises(ResolveError, match="could not resolve"):
        SystemResolver(timeout=3).resolve("name-that-does-not-exist.invalid", 80)


def test_system_resolver_timeout_is_bounded():
    gate = threading.Event()

    def stuck(host, port):  # stands in for a resolver that never answers
        gate.wait(5)
        return ["203.0.113.1"]

    r = SystemResolver(timeout=0.2, lookup=stuck)
    t = time.perf_counter()
    with pytest.raises(ResolveError, match="timed out"):
        r.resolve("slow.example", 443)
    assert time.perf_counter() - t < 2
    gate.set()


from ringfence.scanners.ssrf import embedded_ip  # noqa: E402


@pytest.mark.parametrize("host,ip", [
    ("169.254.169.254.nip.io", "169.254.169.254"), ("app.10-0-0-5.sslip.io", "10.0.0.5"),
    ("app-10-0-0-5.sslip.io", "10.0.0.5"), ("7f000001.nip.io", "127.0.0.1"), ("--1.sslip.io", "::1"),
    ("anything.localtest.me", "127.0.0.1"), ("lvh.me", "127.0.0.1"), ("8.8.8.8.nip.io", "8.8.8.8"),
])
def test_wildcard_dns_names_show_their_address(host, ip):
    assert embedded_ip(host) == ip


@pytest.mark.parametrize("host", ["nip.io", "www.nip.io", "1.2.3.999.nip.io", "10.0.0.5.example.com",
                                  "sslip.io.example.com", "notlocaltest.me"])
def test_wildcard_dns_near_misses(host):
    assert embedded_ip(host) is None
