"""The one URL and authority parser, for policy and for dialing.

The URL scanner (policy) and the proxy (which host to dial, which Host header to
send, which CONNECT target to open) both parse here, so they never disagree on
which host a URL names. The rules are strict where parsers differ in the wild:
several @, a backslash in the authority, extra slashes after the scheme, several
colons outside brackets are all rejected rather than guessed.

canonical_host  lower case, IDNA, no trailing dot, percent-decoded once, IPv4 in
                dotted decimal (inet_aton forms), IPv6 compressed without brackets
host_as_sent    the same name with the client's case kept (DLP reads it: a key in
                a label stays a match), or "" when it is not the same name
Errors (UrlError) carry a rule id and a fixed message: never the input, which
may hold a secret."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..text.forms import nfkc
from ..text.percent import percent_decode
from .ipcanon import looks_numeric, parse_ipv4, parse_ipv6

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]{0,31}):")
_HOST_OK = re.compile(r"[a-z0-9_\-]+(\.[a-z0-9_\-]+)*")
_PORT_RE = re.compile(r"[0-9]{1,5}")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


class UrlError(ValueError):
    def __init__(self, rule: str, msg: str):
        super().__init__(msg)
        self.rule = rule




@dataclass(slots=True)
class UrlParts:
    scheme: str
    userinfo: str
    host: str                # canonical (see canonical_host)
    is_ip: bool
    port: int
    explicit_port: bool
    path: str
    query: str | None
    fragment: str | None
    host_written: str = ""   # host_as_sent: DNS carries case to the server, DLP reads it


def idna_ascii(host: str) -> str | None:
    """ASCII (punycode) form of a host name, or None when it is not a valid IDN."""
    if host.isascii():
        return host.lower()
    try:
        import idna
        return idna.encode(host, uts46=True, transitional=False).decode("ascii").lower()
    except Exception:
        try:
            return host.encode("idna").decode("ascii").lower()
        except Exception:
            return None


def canonical_host(raw: str) -> tuple[str, bool]:
    """(canonical host, is_ip) or raise UrlError. Shared by URLs and CONNECT targets."""
    h = raw
    if "%" in h and not h.startswith("[") and ":" not in h:  # (an IPv6 zone is not decoded)
        try:
            h = percent_decode(h, errors="strict")  # browsers percent-decode hosts; twice is never honest
        except UnicodeDecodeError:
            raise UrlError("invalid_host", "percent-encoded host is not UTF-8") from None
        if "%" in h:
            raise UrlError("invalid_host", "percent sign in host after decoding")
    if not h.isascii():
        h = nfkc(h, _DOTS)
    h = h.lower()
    if h.startswith("["):
        if not h.endswith("]"):
            raise UrlError("invalid_host", "unterminated IPv6 literal")
        ip6 = parse_ipv6(h.replace("%25", "%", 1))
        if ip6 is None:
            raise UrlError("invalid_ipv6", "invalid IPv6 literal")
        return ip6.compressed, True
    if ":" in h:
        ip6 = parse_ipv6(h)
        if ip6 is None:
            raise UrlError("invalid_host", "colon in host")
        return ip6.compressed, True
    if h.endswith("."):
        h = h[:-1]
    if not h:
        raise UrlError("invalid_host", "empty host")
    if looks_numeric(h):
        ip4 = parse_ipv4(h)
        if ip4 is None:
            raise UrlError("invalid_ipv4", "host ends in a number but is not a valid IPv4 address")
        return ip4.compressed, True
    if not h.isascii():
        a = idna_ascii(h)
        if a is None:
            raise UrlError("invalid_host", "host is not a valid internationalised name")
        h = a
        if looks_numeric(h):
            ip4 = parse_ipv4(h)
            if ip4 is None:
                raise UrlError("invalid_ipv4", "host ends in a number but is not a valid IPv4 address")
            return ip4.compressed, True
    if len(h) > 253 or _HOST_OK.fullmatch(h) is None:
        raise UrlError("invalid_host", "host has characters or empty labels not allowed in a host name")
    for label in h.split("."):
        if len(label) > 63:
            raise UrlError("invalid_host", "DNS label longer than 63 characters")
    return h, False


def host_as_sent(raw: str, host: str, is_ip: bool) -> str:
    """The host as the client sent it (percent-decoded once, brackets and a trailing dot
    dropped, its case kept) when that is the same name as the canonical `host`, else ""."""
    if is_ip:
        return ""
    w = percent_decode(raw, errors="surrogateescape")
    if not w.isascii():
        w = nfkc(w, _DOTS)
    w = w.rstrip(".")
    return w if w.lower() == host else ""


def split_authority(authority: str, default_port: int = 0) -> tuple[str, str, int]:
    """host[:port] (IPv6 in brackets, no userinfo) -> (host as written, port text, port).
    Raises UrlError; its messages never quote the input."""
    if any(c in authority for c in " \t<>^|\"`{}"):
        raise UrlError("invalid_host", "forbidden character in host")
    port_s = ""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise UrlError("invalid_host", "unterminated IPv6 literal")
        host_raw, after = authority[: close + 1], authority[close + 1:]
        if after:
            if not after.startswith(":"):
                raise UrlError("invalid_host", "junk after IPv6 literal")
            port_s = after[1:]
    else:
        host_raw, sep, port_s = authority.partition(":")
        if sep and ":" in port_s:
            raise UrlError("invalid_host", "several colons in host (IPv6 needs brackets)")
    if port_s:
        if not _PORT_RE.fullmatch(port_s) or not 0 < int(port_s) <= 65535:
            raise UrlError("invalid_port", "port is not a number from 1 to 65535")  # 0 cannot be dialed
        port = int(port_s)
    else:
        port = default_port
    if not host_raw:
        raise UrlError("invalid_host", "empty host")
    return host_raw, port_s, port


def split_url(url: str, factory: Any = None) -> "UrlParts":
    """Split and canonicalise an absolute URL (raises UrlError). `factory` builds the
    result from UrlParts' fields (the URL scanner adds its own lazy fields)."""
    m = _SCHEME_RE.match(url)
    if not m:
        raise UrlError("parse_error", "no scheme")
    scheme = m.group(1).lower()
    rest = url[m.end():]
    if not rest.startswith("//"):
        raise UrlError("parse_error", "expected // after the scheme")
    rest = rest[2:]
    if rest[:1] in ("/", "\\"):
        raise UrlError("ambiguous_url", "extra slashes after the scheme")
    end = len(rest)
    for ch in "/?#":
        i = rest.find(ch)
        if 0 <= i < end:
            end = i
    authority, tail = rest[:end], rest[end:]
    if "\\" in authority:
        raise UrlError("ambiguous_url", "backslash in the authority (parsers disagree on its host)")
    userinfo = ""
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        if "@" in userinfo:
            raise UrlError("ambiguous_url", "several @ in the authority (parsers disagree on its host)")
    host_raw, port_s, port = split_authority(authority, DEFAULT_PORTS.get(scheme, 0))
    host, is_ip = canonical_host(host_raw)
    fragment = query = None
    if "#" in tail:
        tail, fragment = tail.split("#", 1)
    if "?" in tail:
        tail, query = tail.split("?", 1)
    return (factory or UrlParts)(scheme, userinfo, host, is_ip, port, bool(port_s), tail or "/", query,
                                 fragment, host_as_sent(host_raw, host, is_ip))
