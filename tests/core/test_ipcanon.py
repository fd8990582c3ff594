"""IP literal canonicalisation: every notation a client may dial, and near misses that are not IPs."""
import ipaddress

import pytest

from ringfence.core.ipcanon import embedded_ipv4, looks_numeric, parse_ip, parse_ipv4, parse_ipv6

IPV4_TABLE = [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),          # decimal
    ("0x7f000001", "127.0.0.1"),          # hex
    ("0X7F000001", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),          # octal first octet
    ("0177.0000.0000.0001", "127.0.0.1"),
    ("127.1", "127.0.0.1"),               # short forms, like inet_aton
    ("127.0.1", "127.0.0.1"),
    ("10.1", "10.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0x7f.0.0.0x1", "127.0.0.1"),        # mixed
    ("0x7f.0.00.1", "127.0.0.1"),
    ("127.0.0.1.", "127.0.0.1"),          # trailing dot
    ("0", "0.0.0.0"),
    ("0x", "0.0.0.0"),
    ("017700000001", "127.0.0.1"),        # whole address in octal
    ("169.254.43518", "169.254.169.254"), # last part fills two bytes
    ("0xa9fea9fe", "169.254.169.254"),
    ("4294967295", "255.255.255.255"),
    ("8.8.8.8", "8.8.8.8"),
]


@pytest.mark.parametrize("text,want", IPV4_TABLE)
def test_ipv4_notations(text, want):
    assert str(parse_ipv4(text)) == want
    assert socket_agrees(text, want)


def socket_agrees(text, want):
    """The reference behaviour we copy is inet_aton's (except for the trailing dot and bare 0x)."""
    import socket
    if text.endswith(".") or text == "0x":
        return True
    return socket.inet_ntoa(socket.inet_aton(text)) == want


@pytest.mark.parametrize("text", [
    "256.0.0.1", "1.2.3.4.5", "4294967296", "0x1ffffffff", "1.2.3.256", "1.2.65536", "08.0.0.1",
    "0x7g.0.0.1", "1..2.3", "", "example.com", "127.0.0.1 ", " 127.0.0.1", "1.2.3.4/8", "١٢٧.0.0.1",
])
def test_ipv4_invalid(text):
    assert parse_ipv4(text) is None


@pytest.mark.parametrize("host,numeric", [
    ("127.1", True), ("example.123", True), ("a.0x1f", True), ("foo.", False), ("example.com", False),
    ("0xzz", False), ("1a", False), ("v6.example", False), ("2130706433.", True),
])
def test_ends_in_number(host, numeric):
    assert looks_numeric(host) is numeric


@pytest.mark.parametrize("text,want", [
    ("::1", "::1"), ("[::1]", "::1"), ("[0:0:0:0:0:0:0:1]", "::1"), ("fe80::1%eth0", "fe80::1"),
    ("[fe80::1%25en0]", "fe80::1"), ("::ffff:127.0.0.1", "::ffff:7f00:1"), ("::", "::"),
    ("2001:DB8::1", "2001:db8::1"),
])
def test_ipv6_forms(text, want):
    assert str(parse_ipv6(text.replace("%25", "%"))) == want


@pytest.mark.parametrize("text", [":::1", "[::1", "1:2:3:4:5:6:7:8:9", "::g", "12345::", "1::2::3"])
def test_ipv6_invalid(text):
    assert parse_ipv6(text) is None
    assert parse_ip("example.com") is None


@pytest.mark.parametrize("v6,how,v4", [
    ("::ffff:10.0.0.1", "ipv4-mapped", "10.0.0.1"),
    ("::127.0.0.1", "ipv4-compatible", "127.0.0.1"),
    ("::ffff:0:169.254.169.254", "ipv4-translated", "169.254.169.254"),
    ("64:ff9b::127.0.0.1", "nat64", "127.0.0.1"),
    ("64:ff9b::c0a8:101", "nat64", "192.168.1.1"),
    ("2002:0a00:0001::", "6to4", "10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "teredo-client", "127.0.0.1"),
    ("2001:0:7f00:1::", "teredo-server", "127.0.0.1"),
    ("64:ff9b:1:7f00:0:100::", "nat64-local/48", "127.0.0.1"),
    ("64:ff9b:1::7f00:1", "nat64-local/96", "127.0.0.1"),
])
def test_embedded_ipv4(v6, how, v4):
    got = embedded_ipv4(ipaddress.IPv6Address(v6))
    assert (how, ipaddress.IPv4Address(v4)) in got


@pytest.mark.parametrize("v6", ["::1", "::", "2001:db8::1", "2606:4700::1111", "fe80::1"])
def test_no_embedded_ipv4(v6):
    assert embedded_ipv4(ipaddress.IPv6Address(v6)) == []
