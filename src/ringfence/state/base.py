"""The shared-state interface. Every operation is async and either succeeds or raises
StateUnavailable (backend down, timed out, or answered nonsense): callers fail closed."""
from __future__ import annotations

import asyncio
import hashlib
import re
import time
from typing import Any, AsyncIterator

BUCKETS = 60            # a window is kept as this many sub-buckets: sliding to 1/60 of the window
MAX_KEY_CHARS = 200     # longer names (session ids, URLs) are hashed
_SAFE = re.compile(r"^[A-Za-z0-9_=-][A-Za-z0-9_=.-]{0,199}$")


class StateUnavailable(Exception):
    """The backend could not answer in time: the decision that needed it must block."""


def safe_name(name: str) -> str:
    """A key component every backend accepts (NATS KV keys are [-/_=.a-zA-Z0-9])."""
    if _SAFE.match(name) and ".." not in name and not name.endswith("."):
        return name
    return "h-" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def bucket_ms(window_s: float) -> int:
    return max(1, int(window_s * 1000) // BUCKETS)


def window_decide(total: int, n: int, limit: int | None) -> bool:
    """One rule for every backend: with a limit, n > 0 is taken only if it fits;
    n == 0 asks whether anything is left."""
    if limit is None:
        return True
    return total + n <= limit if n > 0 else total < limit


class State:
    """Shared state. `name` of a backend: memory, redis or nats."""

    name = "base"
    shared = False  # True when other processes see the same values

    def __init__(self, prefix: str = "ringfence", timeout_s: float = 0.25):
        self.prefix = prefix
        self.timeout_s = timeout_s

    async def _guard(self, coro: Any) -> Any:
        """Bound the time of one backend call and turn every failure into StateUnavailable."""
        try:
            return await asyncio.wait_for(coro, self.timeout_s)
        except StateUnavailable:
            raise
        except asyncio.CancelledError:
            raise
        except asyncio.TimeoutError:
            raise StateUnavailable(f"{self.name}: no answer within {int(self.timeout_s * 1000)} ms") from None
        except Exception as e:
            raise StateUnavailable(f"{self.name}: {type(e).__name__}: {str(e)[:120]}") from None

    # -- sliding windows (rate limits, data budgets) ------------------------
    async def window_add(self, key: str, n: int, window_s: float,
                         limit: int | None = None) -> tuple[bool, int]:
        """Atomically: drop what left the window, then add `n` if allowed
        (see window_decide). Returns (allowed, total in the window after)."""
        raise NotImplementedError

    async def hit(self, key: str, limit: int, window_s: float = 60.0) -> tuple[bool, int]:
        """Count one event against a rate limit; refused events are not counted."""
        return await self.window_add("rate." + key, 1, window_s, limit)

    async def budget_add(self, key: str, n: int, limit: int | None = None,
                         window_s: float = 60.0) -> tuple[bool, int]:
        """Add `n` units (bytes) to a budget. With a limit, only if it fits."""
        return await self.window_add("budget." + key, n, window_s, limit)

    async def budget_check(self, key: str, limit: int, window_s: float = 60.0) -> tuple[bool, int]:
        """Is anything left of the budget? (adds nothing)"""
        return await self.window_add("budget." + key, 0, window_s, limit)

    # -- kill switch ---------------------------------------------------------
    async def get_kill(self) -> dict | None:
        """{"active": bool, "reason": str, "by": str, "at": float} or None when never set."""
        raise NotImplementedError

    async def set_kill(self, active: bool, reason: str = "", by: str = "") -> None:
        raise NotImplementedError

    async def watch_kill(self, poll_s: float = 0.2) -> AsyncIterator[dict | None]:
        """Yields the current value, then each change. Raises StateUnavailable when the
        backend goes away (the caller decides how to wait and resume)."""
        last: Any = object()
        while True:
            cur = await self.get_kill()
            if cur != last:
                last = cur
                yield cur
            await asyncio.sleep(poll_s)

    # -- session taint -------------------------------------------------------
    async def set_taint(self, session: str, value: str, ttl_s: float) -> None:
        raise NotImplementedError

    async def get_taint(self, session: str) -> str | None:
        raise NotImplementedError

    # -- MCP tool-definition baselines (compare-and-set) ---------------------
    async def get_baseline(self, key: str) -> tuple[str | None, int]:
        """(value, version); version 0 means absent."""
        raise NotImplementedError

    async def cas_baseline(self, key: str, value: str, version: int) -> bool:
        """Write `value` only if the stored version is still `version` (0: only if absent)."""
        raise NotImplementedError

    async def watch_baselines(self, poll_s: float = 0.5) -> AsyncIterator[str]:
        """Yields keys of baselines changed elsewhere (best effort; backends may poll)."""
        while True:
            await asyncio.sleep(poll_s)
            if False:  # pragma: no cover - an async generator that yields nothing by default
                yield ""

    # -- lifecycle -----------------------------------------------------------
    async def ping(self) -> None:
        """Raise StateUnavailable unless the backend answers."""

    async def close(self) -> None:
        pass

    def describe(self) -> str:
        return self.name


def now_ms() -> int:
    return int(time.time() * 1000)
