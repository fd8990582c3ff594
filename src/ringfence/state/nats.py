"""NATS JetStream KV state: compare-and-set by revision, a watch for the kill switch.
Needs the `nats-py` package (extra `scale`). Windows use the instances' clocks (keep
them in sync with NTP; a window is 60 buckets, so a second of skew barely shows)."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import AsyncIterator

from .base import BUCKETS, State, StateUnavailable, bucket_ms, now_ms, safe_name, window_decide
from .redis import _kill_value, _redact_url

CAS_RETRIES = 32
log = logging.getLogger("ringfence.state")


async def _quiet(e: Exception) -> None:
    log.debug("nats: %s", e)  # reconnect attempts: the failing operations say what matters


async def _gone() -> None:
    log.warning("nats: disconnected, reconnecting")


async def _back() -> None:
    log.warning("nats: reconnected")


class NatsState(State):
    name = "nats"
    shared = True

    def __init__(self, url: str, prefix: str = "ringfence", timeout_s: float = 0.25):
        super().__init__(prefix, timeout_s)
        try:
            import nats  # noqa: F401
        except ImportError:
            raise StateUnavailable("state.backend nats needs the nats-py package: "
                                   "pip install 'ringfence[scale]'") from None
        self.url = url
        self._nc = None
        self._kv = None
        self._lock = asyncio.Lock()

    async def _kv_get(self):
        if self._kv is not None and self._nc is not None and not self._nc.is_closed:
            return self._kv
        async with self._lock:
            if self._kv is not None and self._nc is not None and not self._nc.is_closed:
                return self._kv
            import nats
            from nats.js.api import KeyValueConfig
            from nats.js.errors import BucketNotFoundError
            if self._nc is None or self._nc.is_closed:
                # First connect fails fast (the caller blocks and retries); once
                # connected, the client reconnects by itself without limit.
                self._nc = await nats.connect(self.url, connect_timeout=max(self.timeout_s, 0.5),
                                              allow_reconnect=True, max_reconnect_attempts=-1,
                                              reconnect_time_wait=0.25, ping_interval=5,
                                              max_outstanding_pings=2, name="ringfence",
                                              error_cb=_quiet, disconnected_cb=_gone, reconnected_cb=_back)
            js = self._nc.jetstream(timeout=self.timeout_s)
            try:
                self._kv = await js.key_value(self.prefix)
            except BucketNotFoundError:
                self._kv = await js.create_key_value(KeyValueConfig(bucket=self.prefix, history=1))
            return self._kv

    async def _connected_kv(self):
        kv = await self._kv_get()
        if not self._nc.is_connected:
            raise StateUnavailable("nats: not connected (reconnecting)")
        return kv

    @staticmethod
    def _key(*parts: str) -> str:
        return ".".join(safe_name(p) for p in parts)

    async def _entry(self, kv, key: str):
        from nats.js.errors import KeyNotFoundError
        try:
            e = await kv.get(key)
        except KeyNotFoundError:
            return None, 0
        return e.value, e.revision

    async def _write(self, kv, key: str, data: bytes, rev: int) -> bool:
        """Compare-and-set by revision: False when someone wrote first."""
        from nats.js.errors import KeyWrongLastSequenceError
        try:
            if rev == 0:
                await kv.create(key, data)
            else:
                await kv.update(key, data, last=rev)
            return True
        except KeyWrongLastSequenceError:
            return False
        except Exception as e:  # create() on a deleted key reports a wrong sequence, too
            if "wrong last sequence" in str(e).lower():
                return False
            raise

    # -- windows -------------------------------------------------------------
    async def window_add(self, key, n, window_s, limit=None):
        return await self._guard(self._window_add(self._key("w", key), int(n), window_s, limit))

    async def _window_add(self, key, n, window_s, limit):
        kv = await self._connected_kv()
        bms = bucket_ms(window_s)
        for _ in range(CAS_RETRIES):
            raw, rev = await self._entry(kv, key)
            cur = now_ms() // bms
            try:
                buckets = {int(k): int(v) for k, v in json.loads(raw).items()} if raw else {}
            except (ValueError, AttributeError):
                buckets = {}
            buckets = {k: v for k, v in buckets.items() if k > cur - BUCKETS}
            total = sum(buckets.values())
            ok = window_decide(total, n, limit)
            if not ok or n <= 0:
                return ok, total
            buckets[cur] = buckets.get(cur, 0) + n
            if await self._write(kv, key, json.dumps(buckets, separators=(",", ":")).encode(), rev):
                return True, total + n
        raise StateUnavailable("nats: too much contention on one counter")

    # -- kill switch -----------------------------------------------------------
    async def get_kill(self):
        async def go():
            raw, _ = await self._entry(await self._connected_kv(), "kill")
            return _kill_value(raw)
        return await self._guard(go())

    async def set_kill(self, active, reason="", by=""):
        val = json.dumps({"active": bool(active), "reason": reason[:200], "by": by[:64], "at": time.time()})

        async def go():
            await (await self._connected_kv()).put("kill", val.encode())
        await self._guard(go())

    async def watch_kill(self, poll_s: float = 0.2) -> AsyncIterator[dict | None]:
        """A JetStream KV watch: changes arrive as pushed messages. A periodic read
        besides it catches a watch that silently died with a reconnect."""
        kv = await self._guard(self._connected_kv())
        try:
            w = await self._guard(kv.watch("kill"))
        except StateUnavailable:
            w = None
        last = object()
        try:
            cur = await self.get_kill()
            last = cur
            yield cur
            while True:
                got = False
                if w is not None:
                    try:
                        e = await w.updates(timeout=max(poll_s, 0.2) * 5)
                        got = e is not None
                    except asyncio.TimeoutError:
                        pass
                    except Exception:
                        w = None
                else:
                    await asyncio.sleep(poll_s)
                cur = await self.get_kill()
                if got or cur != last:
                    if cur != last:
                        last = cur
                        yield cur
        finally:
            if w is not None:
                try:
                    await w.stop()
                except Exception:
                    pass

    # -- taint -----------------------------------------------------------------
    async def set_taint(self, session, value, ttl_s):
        data = json.dumps({"v": value, "exp": time.time() + ttl_s}).encode()

        async def go():
            await (await self._connected_kv()).put(self._key("taint", session), data)
        await self._guard(go())

    async def get_taint(self, session):
        async def go():
            raw, _ = await self._entry(await self._connected_kv(), self._key("taint", session))
            if raw is None:
                return None
            try:
                v = json.loads(raw)
                return v["v"] if v.get("exp", 0) > time.time() else None
            except (ValueError, KeyError, AttributeError):
                return None
        return await self._guard(go())

    # -- baselines -------------------------------------------------------------
    async def get_baseline(self, key):
        async def go():
            raw, rev = await self._entry(await self._connected_kv(), self._key("base", key))
            return (raw.decode() if raw is not None else None), rev
        return await self._guard(go())

    async def cas_baseline(self, key, value, version):
        async def go():
            return await self._write(await self._connected_kv(), self._key("base", key), value.encode(), int(version))
        return await self._guard(go())

    async def ping(self):
        async def go():
            await self._entry(await self._connected_kv(), "kill")
        await self._guard(go())

    async def close(self):
        nc, self._nc, self._kv = self._nc, None, None
        if nc is not None:
            try:
                await asyncio.wait_for(nc.close(), 2)
            except Exception:
                pass

    def describe(self) -> str:
        return f"nats ({_redact_url(self.url)}, KV bucket {self.prefix})"
