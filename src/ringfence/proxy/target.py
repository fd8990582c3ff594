"""Parsing request targets into (scheme, host, port, origin-form path)."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


class TargetError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str      # lower case, no brackets
    port: int
    path: str      # origin-form: path plus query, verbatim
    url: str       # the URL as the client wrote it (scanned verbatim)

    @property
    def tls(self) -> bool:
        return self.scheme in ("https", "wss")

    @property
    def host_header(self) -> str:
        h = f"[{self.host}]" if ":" in self.host else self.host
        return h if DEFAULT_PORTS.get(self.scheme) == self.port else f"{h}:{self.port}"


def parse_url(url: str, allowed: tuple[str, ...] = ("http", "https")) -> Target:
    # Targets repeat constantly; Target is immutable, errors are never cached.
    if len(url) <= 2048:
        return _parse_cached(url, allowed)
    return _parse(url, allowed)


@lru_cache(maxsize=4096)
def _parse_cached(url: str, allowed: tuple[str, ...]) -> Target:
    return _parse(url, allowed)


def _parse(url: str, allowed: tuple[str, ...]) -> Target:
    if len(url) > 16384:
        raise TargetError("URL too long")
    if any(c in url for c in "\r\n\x00 "):
        raise TargetError("URL contains whitespace or control characters")
    try:
        p = urlsplit(url)
        port = p.port
    except ValueError as e:
        raise TargetError(f"invalid URL: {e}") from None
    scheme = p.scheme.lower()
    if scheme not in allowed:
        raise TargetError(f"unsupported scheme {scheme!r}")
    host = (p.hostname or "").lower()
    if not host:
        raise TargetError("URL has no host")
    if port is None:
        port = DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        raise TargetError("invalid port")
    path = p.path or "/"
    if p.query:
        path += "?" + p.query
    return Target(scheme, host, port, path, url)


def parse_authority(auth: str) -> tuple[str, int]:
    """CONNECT host:port (IPv6 in brackets), host as the client wrote it (its
    case kept: DLP must see a key in a label exactly as sent; lower it to route)."""
    if len(auth) > 1024 or any(c in auth for c in "/\\@ \r\n\x00?#"):
        raise TargetError("invalid CONNECT target")
    if auth.startswith("["):
        end = auth.find("]")
        if end < 0 or auth[end + 1:end + 2] != ":":
            raise TargetError("invalid CONNECT target")
        host, port_s = auth[1:end], auth[end + 2:]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise TargetError("invalid IPv6 address") from None
    else:
        host, sep, port_s = auth.rpartition(":")
        if not sep or not host:
            raise TargetError("CONNECT target needs host:port")
    if not (port_s.isascii() and port_s.isdigit()) or not 0 < int(port_s) < 65536:
        raise TargetError("invalid CONNECT port")
    host = host.rstrip(".")  # case kept: DLP sees the host as sent; callers lower it to route
    if not host:   # "." or "..": nothing left to dial
        raise TargetError("CONNECT target needs host:port")
    return host, int(port_s)
