"""The rate limit and data budget on a shared backend (redis/nats): one window
for every instance. Built by the Inspector and handed to the URL scanner's rate
limiter, so scanners never reach into ringfence.state themselves."""
from __future__ import annotations

from typing import Any

from ..core import Finding
from . import StateUnavailable, unavailable_finding

WINDOW_S = 60.0


class SharedRateWindow:
    def __init__(self, state_cfg: Any):
        from .syncbridge import bridge_for
        self.bridge = bridge_for(state_cfg)

    def check(self, domain: str, rpm: int | None, bpm: int | None, action: str) -> Finding | None:
        """Count one request to `domain`; a Finding when it is over a limit. An
        unreachable backend blocks (state:unavailable)."""
        sh = self.bridge
        try:
            if bpm is not None:
                ok, total = sh.call(lambda *a: sh.state.budget_check(*a), domain, bpm, WINDOW_S)
                if not ok:
                    return Finding("ratelimit", "data_budget", "medium",
                                   f"{domain}: {total} bytes in 60s (budget {bpm}, all instances)",
                                   "url.host", action)
            if rpm is not None:
                ok, _ = sh.call(lambda *a: sh.state.hit(*a), domain, rpm, WINDOW_S)
                if not ok:
                    return Finding("ratelimit", "requests_per_minute", "medium",
                                   f"{domain}: over {rpm} requests in 60s (all instances)", "url.host", action)
        except StateUnavailable as e:
            return unavailable_finding(e)
        return None

    def add_bytes(self, domain: str, n: int) -> None:
        sh = self.bridge
        sh.submit(lambda *a: sh.state.budget_add(*a), domain, int(n), None, WINDOW_S)


def shared_window(config: Any) -> SharedRateWindow | None:
    """The shared window when a rate limit or budget is set and state.backend is
    not memory; else None (the limiter keeps its own in-process window)."""
    st = getattr(config, "state", None)
    url = config.url
    if st is None or st.backend == "memory" or (url.requests_per_minute is None and url.bytes_per_minute is None):
        return None
    return SharedRateWindow(st)
