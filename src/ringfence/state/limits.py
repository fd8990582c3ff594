"""Rate limit and data budget per registrable domain (config url.requests_per_minute,
url.bytes_per_minute) on the shared backend: the sum over every instance is enforced.
Any backend failure is a block (state:unavailable), never an allow."""
from __future__ import annotations

import logging
from typing import Any

from ..core import Finding
from .base import State, StateUnavailable

log = logging.getLogger("ringfence.state")
WINDOW_S = 60.0


def _domain(host: str) -> str:
    from ..scanners.ratelimit import registrable_domain  # the same key the in-process limiter uses
    return registrable_domain(host)


class SharedLimits:
    def __init__(self, config: Any, state: State):
        self.state = state
        self.rpm = config.url.requests_per_minute
        self.bpm = config.url.bytes_per_minute
        self.action = config.url.rate_limit_action

    @property
    def enabled(self) -> bool:
        return self.rpm is not None or self.bpm is not None

    async def admit(self, host: str) -> Finding | None:
        """Count one request to `host`; a Finding when its domain is over a limit, or
        when the backend cannot say (state:unavailable, always a block)."""
        if not self.enabled or not host:
            return None
        domain = _domain(host)
        try:
            if self.bpm is not None:
                ok, total = await self.state.budget_check(domain, self.bpm, WINDOW_S)
                if not ok:
                    return Finding("ratelimit", "data_budget", "medium",
                                   f"{domain}: {total} bytes in 60s (budget {self.bpm}, all instances)",
                                   "url.host", self.action)
            if self.rpm is not None:
                ok, _ = await self.state.hit(domain, self.rpm, WINDOW_S)
                if not ok:
                    return Finding("ratelimit", "requests_per_minute", "medium",
                                   f"{domain}: over {self.rpm} requests in 60s (all instances)",
                                   "url.host", self.action)
        except StateUnavailable as e:
            from . import unavailable_finding
            return unavailable_finding(e)
        return None

    async def account(self, host: str, n: int) -> None:
        """Count transferred bytes against the domain's shared budget (best effort: a
        lost update is logged; the next admit() fails closed if the backend is gone)."""
        if self.bpm is None or not host or n <= 0:
            return
        try:
            await self.state.budget_add(_domain(host), int(n), None, WINDOW_S)
        except StateUnavailable as e:
            log.warning("data budget not counted (%s bytes to %s): %s", n, host, e)
