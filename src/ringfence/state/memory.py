"""In-process state: today's behaviour for one process, no dependency. Also the reference
the shared backends are tested against (tests/state)."""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import AsyncIterator

from .base import BUCKETS, State, bucket_ms, now_ms, window_decide

MAX_KEYS = 100_000  # windows and taints kept; least recently used dropped first


class MemoryState(State):
    name = "memory"
    shared = False

    def __init__(self, prefix: str = "ringfence", timeout_s: float = 0.25):
        super().__init__(prefix, timeout_s)
        self._windows: OrderedDict[str, dict[int, int]] = OrderedDict()
        self._kill: dict | None = None
        self._kill_changed = asyncio.Event()
        self._taint: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._baselines: dict[str, tuple[str, int]] = {}

    async def window_add(self, key, n, window_s, limit=None):
        bms = bucket_ms(window_s)
        cur = now_ms() // bms
        b = self._windows.get(key)
        if b is None:
            b = self._windows[key] = {}
            while len(self._windows) > MAX_KEYS:
                self._windows.popitem(last=False)
        else:
            self._windows.move_to_end(key)
        for k in [k for k in b if k <= cur - BUCKETS]:
            del b[k]
        total = sum(b.values())
        ok = window_decide(total, n, limit)
        if ok and n > 0:
            b[cur] = b.get(cur, 0) + int(n)
            total += int(n)
        return ok, total

    async def get_kill(self):
        return dict(self._kill) if self._kill else None

    async def set_kill(self, active, reason="", by=""):
        self._kill = {"active": bool(active), "reason": reason[:200], "by": by[:64], "at": time.time()}
        ev, self._kill_changed = self._kill_changed, asyncio.Event()
        ev.set()

    async def watch_kill(self, poll_s: float = 0.2) -> AsyncIterator[dict | None]:
        while True:
            ev = self._kill_changed
            yield await self.get_kill()
            await ev.wait()

    async def set_taint(self, session, value, ttl_s):
        self._taint[session] = (value, time.monotonic() + ttl_s)
        self._taint.move_to_end(session)
        while len(self._taint) > MAX_KEYS:
            self._taint.popitem(last=False)

    async def get_taint(self, session):
        got = self._taint.get(session)
        if got is None:
            return None
        if got[1] <= time.monotonic():
            self._taint.pop(session, None)
            return None
        return got[0]

    async def get_baseline(self, key):
        return self._baselines.get(key, (None, 0))

    async def cas_baseline(self, key, value, version):
        if self._baselines.get(key, (None, 0))[1] != version:
            return False
        self._baselines[key] = (value, version + 1)
        return True
