"""One canonicaliser for every IP literal ringfence sees.

Clients disagree on what an IP literal is. `inet_aton` (and so curl, Python's
socket module, many HTTP libraries) accepts hex (0x7f000001), octal
(0177.0.0.1), decimal (2130706433) and short dotted forms (127.1, 10.1,
0x7f.1). The WHATWG URL standard (browsers, undici) does the same. We accept
exactly those forms and turn them into canonical dotted decimal, so every
later check sees the address the client would really dial.

For IPv6 we also find IPv4 addresses embedded in IPv6 (mapped, compatible,
NAT64, 6to4, Teredo): each of these may route to the embedded IPv4 host.
"""
from __future__ import annotations

import ipaddress
from ipaddress import IPv4Address, IPv6Address

IPAddress = IPv4Address | IPv6Address

_HEX = frozenset("0123456789abcdefABCDEF")
_MAX_PARTS = 4


class IpParseError(ValueError):
    """The text looks like an IP literal (so it is not a host name) but is not a valid one."""


def _part(p: str) -> int | None:
    """One inet_aton component: decimal, 0-prefixed octal or 0x-prefixed hex."""
    if not p or len(p) > 40:  # 40 bounds int() cost; longer values overflow anyway
        return None
    if p[:2] in ("0x", "0X"):
        digits = p[2:]
        if digits == "":
            return 0  # WHATWG and glibc both read a bare "0x" as zero
        return int(digits, 16) if all(c in _HEX for c in digits) else None
    if not p.isascii() or not p.isdigit():
        return None
    if len(p) > 1 and p[0] == "0":
        return int(p, 8) if all(c in "01234567" for c in p) else None
    return int(p)


def looks_numeric(host: str) -> bool:
    """WHATWG's "ends in a number" test: the last label is digits or 0x-hex.

    Such a host must parse as IPv4, or the URL is invalid: it is never a DNS name.
    """
    labels = host.split(".")
    if labels and labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1] if labels else ""
    if last.isascii() and last.isdigit():
        return True
    return last[:2] in ("0x", "0X") and all(c in _HEX for c in last[2:])


def parse_ipv4(host: str) -> IPv4Address | None:
    """inet_aton semantics: 1-4 parts, the last part fills the remaining bytes.

    Returns None when `host` is not an IPv4 literal in any of the accepted
    notations. A trailing dot is allowed (as in "127.0.0.1.").
    """
    if not host or len(host) > 255:
        return None
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= _MAX_PARTS:
        return None
    nums = []
    for p in parts:
        v = _part(p)
        if v is None:
            return None
        nums.append(v)
    *head, last = nums
    if any(n > 255 for n in head):
        return None
    if last >= 1 << (8 * (4 - len(head))):
        return None
    value = last
    for i, n in enumerate(head):
        value |= n << (8 * (3 - i))
    return IPv4Address(value)


def parse_ipv6(text: str) -> IPv6Address | None:
    """An IPv6 literal, brackets optional, zone id ("%eth0" or "%25eth0") dropped."""
    s = text
    if s.startswith("[") and s.endswith("]"):
        s = s[1:-1]
    if "%" in s:
        s = s.split("%", 1)[0]  # the zone only picks an interface; the address is what matters
    if ":" not in s or len(s) > 45:
        return None
    try:
        return IPv6Address(s)
    except ValueError:
        return None


def parse_ip(text: str) -> IPAddress | None:
    """Any IP literal we accept, or None."""
    if ":" in text:
        return parse_ipv6(text)
    return parse_ipv4(text)


def canonical(ip: IPAddress) -> str:
    """Dotted decimal for IPv4, RFC 5952 compressed form for IPv6."""
    return ip.compressed


_NAT64_WKP = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_6TO4 = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")
_COMPAT = ipaddress.ip_network("::/96")
_SIIT = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765 IPv4-translated


def _v4(n: int) -> IPv4Address:
    return IPv4Address(n & 0xFFFFFFFF)


def embedded_ipv4(ip: IPv6Address) -> list[tuple[str, IPv4Address]]:
    """IPv4 addresses an IPv6 address may lead to, each with how it is embedded.

    For the local-use NAT64 prefix (RFC 8215) the operator picks the prefix
    length, so every RFC 6052 position is returned and all must be clean.
    """
    n = int(ip)
    out: list[tuple[str, IPv4Address]] = []
    if ip.ipv4_mapped is not None:
        out.append(("ipv4-mapped", ip.ipv4_mapped))
    elif ip in _COMPAT and n > 1:  # "::" and "::1" are IPv6 addresses of their own
        out.append(("ipv4-compatible", _v4(n)))
    elif ip in _SIIT:
        out.append(("ipv4-translated", _v4(n)))
    elif ip in _NAT64_WKP:
        out.append(("nat64", _v4(n)))
    elif ip in _NAT64_LOCAL:
        b = n.to_bytes(16, "big")
        # RFC 6052 section 2.2 layouts for /48, /56, /64 and /96 (byte 8 is the reserved "u" octet)
        for name, raw in (("nat64-local/48", b[6:8] + b[9:11]), ("nat64-local/56", b[7:8] + b[9:12]),
                          ("nat64-local/64", b[9:13]), ("nat64-local/96", b[12:16])):
            out.append((name, IPv4Address(raw)))
    elif ip in _6TO4:
        out.append(("6to4", _v4(n >> 80)))
    elif ip in _TEREDO:
        out.append(("teredo-server", _v4(n >> 64)))
        out.append(("teredo-client", _v4(~n)))  # the client address is stored inverted
    return out
