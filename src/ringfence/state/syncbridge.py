"""Shared windows for synchronous callers (the URL scanner's rate limiter inside
`ringfence run`): a private event loop on one thread per process talks to the backend.

A check waits at most state.timeout_ms; after a failure the bridge answers
"unavailable" at once for BREAKER_S (no stall per request while the backend is
down), then tries again: it recovers by itself."""
from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import threading
import time
from typing import Any

from .base import StateUnavailable

log = logging.getLogger("ringfence.state")
BREAKER_S = 1.0
_bridges: dict[tuple, "SyncShared"] = {}
_lock = threading.Lock()


class SyncShared:
    def __init__(self, cfg: Any):
        from . import open_state
        self.timeout_s = cfg.timeout_ms / 1000.0
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ringfence-state", daemon=True)
        self._thread.start()
        self._down_until = 0.0
        self._why = ""
        try:
            self.state = asyncio.run_coroutine_threadsafe(_make(open_state, cfg), self.loop).result(10)
        except Exception as e:  # e.g. the client library is missing: every check blocks, and says why
            log.error("shared state not available: %s", e)
            self.state = None
            self._why = str(e)
            self._down_until = float("inf")

    def call(self, coro_fn, *args) -> Any:
        """Run one State coroutine and wait for it; StateUnavailable on any failure."""
        if time.monotonic() < self._down_until or self.state is None:
            raise StateUnavailable(self._why)
        fut = asyncio.run_coroutine_threadsafe(coro_fn(*args), self.loop)
        try:
            out = fut.result(self.timeout_s + 0.1)
        except (StateUnavailable, concurrent.futures.TimeoutError, Exception) as e:
            fut.cancel()
            self._why = str(e) or f"{self.state.name}: no answer in time"
            if time.monotonic() >= self._down_until:
                log.error("shared state unreachable, failing closed: %s", self._why)
            self._down_until = time.monotonic() + BREAKER_S
            raise StateUnavailable(self._why) from None
        if self._why:
            log.warning("shared state back: %s", self.state.describe())
            self._why = ""
        return out

    def submit(self, coro_fn, *args) -> None:
        """Fire and forget (byte accounting after a response): never blocks the caller."""
        if time.monotonic() < self._down_until or self.state is None:
            return
        fut = asyncio.run_coroutine_threadsafe(coro_fn(*args), self.loop)
        fut.add_done_callback(lambda f: f.cancelled() or f.exception() and log.warning(
            "data budget not counted: %s", f.exception()))


async def _make(open_state, cfg):
    return open_state(cfg)


def _shutdown() -> None:
    """At exit: close the clients and stop the loops (no reconnect noise after the end)."""
    for b in list(_bridges.values()):
        if b.state is None:
            b.loop.call_soon_threadsafe(b.loop.stop)
            continue
        try:
            asyncio.run_coroutine_threadsafe(b.state.close(), b.loop).result(2)
        except Exception:
            pass
        b.loop.call_soon_threadsafe(b.loop.stop)


atexit.register(_shutdown)


def bridge_for(cfg: Any) -> SyncShared:
    """One bridge per backend per process (a config reload reuses it)."""
    key = (cfg.backend, cfg.url, cfg.prefix, cfg.timeout_ms)
    with _lock:
        b = _bridges.get(key)
        if b is None:
            b = _bridges[key] = SyncShared(cfg)
        return b
