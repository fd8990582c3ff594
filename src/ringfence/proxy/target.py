"""Request targets as the proxy dials them: (scheme, host, port, origin-form path).

Parsed by core.url, the parser the URL scanner uses too, so the host the proxy
dials and sends in Host is the host policy judged. Error messages are fixed
texts: they never quote the target (it may carry a secret)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..core.url import DEFAULT_PORTS as _PORTS, UrlError, canonical_host, split_authority, split_url

DEFAULT_PORTS = {k: v for k, v in _PORTS.items() if k in ("http", "https", "ws", "wss")}


class TargetError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str      # canonical (core.url): lower case, IDNA, no trailing dot, no brackets
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
    if any(c in url for c in "\r\n\x00 \t"):
        raise TargetError("URL contains whitespace or control characters")
    try:
        p = split_url(url)
    except UrlError as e:
        raise TargetError(f"invalid URL: {e}") from None
    except (ValueError, UnicodeError):
        raise TargetError("invalid URL") from None
    if p.scheme not in allowed:
        raise TargetError("unsupported scheme")
    if not 0 < p.port < 65536:
        raise TargetError("invalid port")
    path = p.path
    if p.query:
        path += "?" + p.query
    return Target(p.scheme, p.host, p.port, path, url)


def parse_connect(auth: str) -> tuple[str, str, int]:
    """CONNECT host:port -> (host as the client wrote it, canonical host, port).
    The written host (case kept, brackets and a trailing dot dropped) is what DLP
    reads: a key in a label stays a match; the canonical one is what is dialed."""
    if len(auth) > 1024 or any(c in auth for c in "/\\@ \r\n\t\x00?#"):
        raise TargetError("invalid CONNECT target")
    try:
        raw, port_s, port = split_authority(auth)
        host, _ = canonical_host(raw)
    except UrlError as e:
        raise TargetError(f"invalid CONNECT target: {e}") from None
    except (ValueError, UnicodeError):
        raise TargetError("invalid CONNECT target") from None
    if not port_s:
        raise TargetError("CONNECT target needs host:port")
    if not 0 < port < 65536:
        raise TargetError("invalid CONNECT port")
    sent = raw[1:-1] if raw.startswith("[") else raw
    return sent.rstrip(".") or host, host, port


def parse_authority(auth: str) -> tuple[str, int]:
    """CONNECT host:port, the host as the client wrote it (see parse_connect)."""
    sent, _, port = parse_connect(auth)
    return sent, port
