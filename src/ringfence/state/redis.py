"""Redis / Valkey state: every read-modify-write is one Lua script (atomic on the server,
server clock, Redis 6.2+ and Valkey). Needs the `redis` package (extra `scale`)."""
from __future__ import annotations

import json

from .base import BUCKETS, State, StateUnavailable, bucket_ms, safe_name

# KEYS[1] hash bucket->count; ARGV n, bucket_ms, limit (-1: none), buckets
_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local bms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local buckets = tonumber(ARGV[4])
local cur = math.floor(now / bms)
local all = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #all, 2 do
  if tonumber(all[i]) <= cur - buckets then
    redis.call('HDEL', KEYS[1], all[i])
  else
    total = total + tonumber(all[i + 1])
  end
end
local ok = 1
if limit >= 0 then
  if n > 0 then
    if total + n > limit then ok = 0 end
  elseif total >= limit then
    ok = 0
  end
end
if ok == 1 and n > 0 then
  redis.call('HINCRBY', KEYS[1], tostring(cur), n)
  redis.call('PEXPIRE', KEYS[1], bms * (buckets + 1))
  total = total + n
end
return {ok, total}
"""

# KEYS[1] hash {v, rev}; ARGV value, expected rev
_CAS = """
local rev = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if rev ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'rev', rev + 1)
return 1
"""


class RedisState(State):
    name = "redis"
    shared = True

    def __init__(self, url: str, prefix: str = "ringfence", timeout_s: float = 0.25):
        super().__init__(prefix, timeout_s)
        try:
            import redis.asyncio as aioredis
        except ImportError:
            raise StateUnavailable("state.backend redis needs the redis package: "
                                   "pip install 'ringfence[scale]'") from None
        self.url = url
        self._r = aioredis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                          max_connections=64, decode_responses=True)
        self._window = self._r.register_script(_WINDOW)
        self._cas = self._r.register_script(_CAS)

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix,) + tuple(safe_name(p) for p in parts))

    async def window_add(self, key, n, window_s, limit=None):
        got = await self._guard(self._window(keys=[self._k("w", key)],
                                             args=[int(n), bucket_ms(window_s), -1 if limit is None else int(limit),
                                                   BUCKETS]))
        return bool(int(got[0])), int(got[1])

    async def get_kill(self):
        raw = await self._guard(self._r.get(self._k("kill")))
        return _kill_value(raw)

    async def set_kill(self, active, reason="", by=""):
        import time
        val = json.dumps({"active": bool(active), "reason": reason[:200], "by": by[:64], "at": time.time()})
        await self._guard(self._r.set(self._k("kill"), val))

    async def set_taint(self, session, value, ttl_s):
        await self._guard(self._r.set(self._k("taint", session), value, px=max(1, int(ttl_s * 1000))))

    async def get_taint(self, session):
        return await self._guard(self._r.get(self._k("taint", session)))

    async def get_baseline(self, key):
        v, rev = await self._guard(self._r.hmget(self._k("base", key), "v", "rev"))
        return (v, int(rev)) if rev is not None else (None, 0)

    async def cas_baseline(self, key, value, version):
        return bool(int(await self._guard(self._cas(keys=[self._k("base", key)], args=[value, int(version)]))))

    async def ping(self):
        await self._guard(self._r.ping())

    async def close(self):
        try:
            await self._r.aclose()
        except Exception:
            pass

    def describe(self) -> str:
        return f"redis ({_redact_url(self.url)}, prefix {self.prefix})"


def _kill_value(raw) -> dict | None:
    if raw is None:
        return None
    try:
        v = json.loads(raw)
        if isinstance(v, dict) and isinstance(v.get("active"), bool):
            return v
    except ValueError:
        pass
    # A value we cannot read is a kill switch we cannot vouch for: treat as on.
    return {"active": True, "reason": "unreadable shared kill switch value", "by": "", "at": 0.0}


def _redact_url(url: str) -> str:
    """Never print a password from a state URL."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return f"{scheme}{sep}{rest}"
