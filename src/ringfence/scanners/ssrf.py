"""SSRF: which addresses an agent must not reach, and DNS through an injected resolver.

`is_internal` names the range an address falls in. `check_ip` turns that into a
Finding, honouring the narrow `ssrf.ip_allowlist` exemption. Resolvers are
objects with `resolve(host, port) -> list[str]`; they raise ResolveError when a
name cannot be resolved, so the caller can fail closed with a clear reason.
"""
from __future__ import annotations

import ipaddress
import re
import socket
import threading
from functools import lru_cache
from typing import Any, Callable, Iterable

from ..core import Finding
from ..core.ipcanon import IPAddress, embedded_ipv4, parse_ip

# Cloud metadata services: always blocked, even inside an allowlisted CIDR,
# unless the allowlist names the exact address.
METADATA_ADDRESSES = frozenset({
    "169.254.169.254",   # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle ...
    "169.254.170.2",     # AWS ECS task credentials
    "169.254.170.23",    # AWS EKS pod identity
    "100.100.100.200",   # Alibaba Cloud
    "168.63.129.16",     # Azure WireServer (a public address, so not in any range below)
    "192.0.0.192",       # Oracle Cloud (legacy)
    "fd00:ec2::254",     # AWS IMDS over IPv6
    "fd00:ec2::23",      # AWS EKS pod identity over IPv6
})

# Host names of metadata services, checked before any DNS lookup.
METADATA_HOSTS = frozenset({
    "metadata", "metadata.google.internal", "metadata.goog", "instance-data",
    "instance-data.ec2.internal", "metadata.ec2.internal", "metadata.azure.internal",
    "metadata.tencentyun.com", "metadata.platformequinix.com", "metadata.packet.net",
})

# Names that mean this machine whatever DNS says.
LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "localhost6"})

# Public wildcard-DNS services answer with the address written in the name
# (10.0.0.1.nip.io, app-10-0-0-1.sslip.io, 0a000001.nip.io), and domains whose
# every name points at loopback. A static name check sees through both before DNS.
WILDCARD_DNS = ("nip.io", "sslip.io", "xip.io", "traefik.me", "nip.direct")
LOOPBACK_DOMAINS = ("localtest.me", "lvh.me", "vcap.me", "lacolhost.com", "localhost.direct")
_DOTTED4 = re.compile(r"(?:^|[.-])((?:\d{1,3}[.-]){3}\d{1,3})$")
_HEX4 = re.compile(r"(?:^|[.-])([0-9a-f]{8})$")
_DASHED6 = re.compile(r"(?:^|\.)([0-9a-f-]*--[0-9a-f-]*|(?:[0-9a-f]{1,4}-){7}[0-9a-f]{1,4})$")


def _under(host: str, domains: tuple[str, ...]) -> str | None:
    for d in domains:
        if host == d or host.endswith("." + d):
            return d
    return None


def embedded_ip(host: str) -> str | None:
    """The address a wildcard-DNS name stands for, '127.0.0.1' for loopback-only
    domains, else None. `host` is lower-case, without a trailing dot."""
    host = _norm(host)[:253]
    if _under(host, LOOPBACK_DOMAINS):
        return "127.0.0.1"
    d = _under(host, WILDCARD_DNS)
    if d is None or host == d:
        return None
    rest = host[: -len(d) - 1]
    m = _DOTTED4.search(rest)
    if m:
        parts = re.split(r"[.-]", m.group(1))
        if all(int(x) <= 255 for x in parts):
            return ".".join(str(int(x)) for x in parts)
    m = _HEX4.search(rest)
    if m:
        return str(ipaddress.IPv4Address(int(m.group(1), 16)))
    m = _DASHED6.search(rest)
    if m:
        try:
            return ipaddress.IPv6Address(m.group(1).replace("-", ":")).compressed
        except ValueError:
            return None
    return None


_RANGES: list[tuple[str, str]] = [
    ("0.0.0.0/8", "this-network"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "cgnat"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "ietf-protocol"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),     # includes 255.255.255.255
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("100::/64", "discard"),
    ("fc00::/7", "unique-local"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
]
_NETS = [(ipaddress.ip_network(c), name) for c, name in _RANGES]
_NETS4 = [(n, name) for n, name in _NETS if n.version == 4]
_NETS6 = [(n, name) for n, name in _NETS if n.version == 6]


def _range_of(ip: IPAddress) -> str | None:
    for net, name in (_NETS4 if ip.version == 4 else _NETS6):
        if ip in net:
            return name
    return None


def _to_ip(ip: str | IPAddress) -> IPAddress | None:
    if isinstance(ip, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return ip
    return parse_ip(ip.strip())


@lru_cache(maxsize=4096)
def _internal(ip: IPAddress) -> str | None:
    if ip.compressed in METADATA_ADDRESSES:
        return "metadata"
    name = _range_of(ip)
    if name:
        return name
    if ip.version == 6:
        for how, v4 in embedded_ipv4(ip):
            inner = "metadata" if v4.compressed in METADATA_ADDRESSES else _range_of(v4)
            if inner:
                return f"{how}:{inner}"
    return None


def is_internal(ip: str | IPAddress) -> str | None:
    """The name of the internal range `ip` is in, or None for a public address.

    Anything that does not parse as an address counts as internal ("unparsable"):
    an address we cannot judge is never dialled.
    """
    addr = _to_ip(ip)
    if addr is None:
        return "unparsable"
    return _internal(addr)


@lru_cache(maxsize=64)
def _allow_nets(cidrs: tuple[str, ...]) -> tuple[Any, ...]:
    nets = []
    for c in cidrs:
        try:
            net = ipaddress.ip_network(c.strip(), strict=False)
        except ValueError:
            continue  # config validation reports these; here a bad entry simply allows nothing
        if net.prefixlen == 0:
            continue  # 0.0.0.0/0 and ::/0 would switch SSRF protection off: refused
        nets.append(net)
    return tuple(nets)


def ip_allowlisted(ip: IPAddress, cidrs: Iterable[str], internal: str) -> bool:
    nets = _allow_nets(tuple(cidrs))
    for net in nets:
        if net.version != ip.version or ip not in net:
            continue
        # Metadata services need the exact address; a broad LAN CIDR does not open them.
        if internal.endswith("metadata") and net.num_addresses != 1:
            continue
        return True
    return False


def check_ip(ip: str, config: Any, where: str = "url.host") -> Finding | None:
    """A block Finding when `ip` is internal and not allowlisted; None when it may be dialled."""
    ssrf = config.ssrf
    if not ssrf.enabled:
        return None
    addr = _to_ip(ip)
    if addr is None:
        return Finding("ssrf", "unparsable_address", "high", str(ip)[:60], where, "block")
    name = _internal(addr)
    if name is None:
        return None
    if ssrf.ip_allowlist and ip_allowlisted(addr, ssrf.ip_allowlist, name):
        return None
    rule = "metadata" if name.endswith("metadata") else "internal_address"
    sev = "critical" if rule == "metadata" else "high"
    return Finding("ssrf", rule, sev, f"{addr.compressed} ({name})", where, "block")


# -- resolvers -----------------------------------------------------------

class ResolveError(Exception):
    """A name could not be resolved (NXDOMAIN, timeout, no network). Not a detection."""


_POOL_LOCK = threading.Lock()
_POOL: concurrent.futures.ThreadPoolExecutor | None = None
_MAX_ANSWERS = 64


def _pool() -> concurrent.futures.ThreadPoolExecutor:
    import concurrent.futures  # only a DNS lookup needs it (start-up time)
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = concurrent.futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="ringfence-dns")
        return _POOL


def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out: list[str] = []
    for _family, _type, _proto, _canon, sa in infos:
        a = str(sa[0])
        if a not in out:
            out.append(a)
        if len(out) >= _MAX_ANSWERS:
            break
    return out


class SystemResolver:
    """The system resolver (getaddrinfo) with a hard timeout.

    getaddrinfo cannot be cancelled, so it runs in a small shared thread pool and
    we stop waiting after `timeout` seconds. A stuck lookup keeps its thread, but
    the caller gets a clear ResolveError on time.
    """

    def __init__(self, timeout: float = 5.0, lookup: Callable[[str, int], list[str]] | None = None):
        self.timeout = float(timeout)
        self._lookup = lookup or _getaddrinfo

    def resolve(self, host: str, port: int = 443) -> list[str]:
        import concurrent.futures  # only a DNS lookup needs it (start-up time)
        fut = _pool().submit(self._lookup, host, port)
        try:
            addrs = fut.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError:
            fut.cancel()
            raise ResolveError(f"could not resolve {host}: timed out after {self.timeout:g}s") from None
        except (OSError, UnicodeError, ValueError) as e:
            raise ResolveError(f"could not resolve {host}: {e}") from None
        if not addrs:
            raise ResolveError(f"could not resolve {host}: no addresses")
        return list(addrs)


class StaticResolver:
    """Fixed answers, for tests and the proxy's `--resolve HOST:PORT:ADDR`.

    Keys are host names (any port) or (host, port) pairs; a (host, port) entry wins.
    Unknown names go to `fallback` (another resolver) or raise ResolveError.
    """

    def __init__(self, mapping: dict[Any, list[str]] | None = None, fallback: Any = None):
        self._by_name: dict[str, list[str]] = {}
        self._by_pair: dict[tuple[str, int], list[str]] = {}
        for key, addrs in (mapping or {}).items():
            addrs = [addrs] if isinstance(addrs, str) else list(addrs)
            if isinstance(key, tuple):
                self._by_pair[(_norm(key[0]), int(key[1]))] = addrs
            else:
                self._by_name[_norm(key)] = addrs
        self.fallback = fallback

    def add(self, host: str, addrs: list[str], port: int | None = None) -> None:
        if port is None:
            self._by_name[_norm(host)] = list(addrs)
        else:
            self._by_pair[(_norm(host), int(port))] = list(addrs)

    def resolve(self, host: str, port: int = 443) -> list[str]:
        h = _norm(host)
        addrs = self._by_pair.get((h, int(port)))
        if addrs is None:
            addrs = self._by_name.get(h)
        if addrs is None:
            if self.fallback is not None:
                return self.fallback.resolve(host, port)
            raise ResolveError(f"could not resolve {host}: no static entry")
        if not addrs:
            raise ResolveError(f"could not resolve {host}: no addresses")
        return list(addrs)


def _norm(host: str) -> str:
    return host.strip().lower().rstrip(".")
