"""Per registrable domain (eTLD+1) request rate and data budget, 60 s sliding window.

Thread-safe. Memory is bounded: at most `max_domains` domains are tracked
(least recently used dropped), and each keeps at most `requests_per_minute`
timestamps plus one entry per add_bytes call in the last minute (capped).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from functools import lru_cache
from typing import Any, Callable

from ..core import Finding

WINDOW_S = 60.0
_MAX_BYTE_EVENTS = 4096  # per domain; older events are merged into one when the cap is hit

_extractor = None


def _tld():
    global _extractor
    if _extractor is None:
        import tldextract
        # suffix_list_urls=() forces the bundled public suffix list: never fetch at run time.
        _extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    return _extractor


@lru_cache(maxsize=8192)
def registrable_domain(host: str) -> str:
    """eTLD+1 of a host (example.co.uk for a.b.example.co.uk); IPs and bare names as is."""
    h = host.lower().rstrip(".")
    if not h or ":" in h or h.replace(".", "").isdigit():
        return h
    r = _tld()(h)
    if r.domain and r.suffix:
        return f"{r.domain}.{r.suffix}"
    return h


@lru_cache(maxsize=8192)
def split_host(host: str) -> tuple[str, str]:
    """(subdomain part, registrable part) of a host name, using the bundled suffix list."""
    h = host.lower().rstrip(".")
    reg = registrable_domain(h)
    if reg and h.endswith("." + reg):
        return h[: -len(reg) - 1], reg
    if h == reg:
        return "", reg
    # unknown suffix: treat the last two labels as the registrable part
    labels = h.split(".")
    return ".".join(labels[:-2]), ".".join(labels[-2:])


class _Bucket:
    __slots__ = ("reqs", "bytes", "byte_total")

    def __init__(self) -> None:
        self.reqs: deque[float] = deque()
        self.bytes: deque[tuple[float, int]] = deque()
        self.byte_total = 0


class RateLimiter:
    def __init__(self, config: Any, *, shared: Any = None, max_domains: int = 10_000,
                 clock: Callable[[], float] = time.monotonic):
        """`shared`: the window every instance shares (state.ratewindow, built by
        the Inspector for state.backend redis/nats); None keeps it in-process."""
        self.rpm: int | None = config.url.requests_per_minute
        self.bpm: int | None = config.url.bytes_per_minute
        self.action = getattr(config.url, "rate_limit_action", "block")
        self.max_domains = max_domains
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._shared = shared if self.enabled else None

    @property
    def enabled(self) -> bool:
        return self.rpm is not None or self.bpm is not None

    def _bucket(self, domain: str) -> _Bucket:
        b = self._buckets.get(domain)
        if b is None:
            b = self._buckets[domain] = _Bucket()
            while len(self._buckets) > self.max_domains:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(domain)
        return b

    @staticmethod
    def _expire(b: _Bucket, now: float) -> None:
        cut = now - WINDOW_S
        while b.reqs and b.reqs[0] <= cut:
            b.reqs.popleft()
        while b.bytes and b.bytes[0][0] <= cut:
            b.byte_total -= b.bytes.popleft()[1]

    def check(self, host: str) -> Finding | None:
        """Count one request to `host`; a Finding when its domain is over a limit.

        A refused request is not counted, so a blocked agent recovers as the window slides.
        """
        if not self.enabled or not host:
            return None
        domain = registrable_domain(host)
        if self._shared is not None:
            return self._shared.check(domain, self.rpm, self.bpm, self.action)
        now = self._clock()
        with self._lock:
            b = self._bucket(domain)
            self._expire(b, now)
            if self.bpm is not None and b.byte_total >= self.bpm:
                return Finding("ratelimit", "data_budget", "medium",
                               f"{domain}: {b.byte_total} bytes in 60s (budget {self.bpm})",
                               "url.host", self.action)
            if self.rpm is not None:
                if len(b.reqs) >= self.rpm:
                    return Finding("ratelimit", "requests_per_minute", "medium",
                                   f"{domain}: over {self.rpm} requests in 60s", "url.host", self.action)
                b.reqs.append(now)
        return None

    def add_bytes(self, host: str, n: int) -> None:
        """Count `n` transferred bytes against the host's domain budget."""
        if self.bpm is None or not host or n <= 0:
            return
        domain = registrable_domain(host)
        if self._shared is not None:
            self._shared.add_bytes(domain, n)
            return
        now = self._clock()
        with self._lock:
            b = self._bucket(domain)
            self._expire(b, now)
            if len(b.bytes) >= _MAX_BYTE_EVENTS:
                t0, n0 = b.bytes.popleft()
                t1, n1 = b.bytes.popleft()
                b.bytes.appendleft((t1, n0 + n1))  # merge the two oldest: bounded, and errs on counting longer
            b.bytes.append((now, int(n)))
            b.byte_total += int(n)

    def usage(self, host: str) -> tuple[int, int]:
        """(requests, bytes) in the current window for the host's domain."""
        domain = registrable_domain(host)
        with self._lock:
            b = self._buckets.get(domain)
            if b is None:
                return 0, 0
            self._expire(b, self._clock())
            return len(b.reqs), b.byte_total
