"""The shared kill switch, rate limit and data budget across instances, and what happens
when the backend dies and comes back (real redis-server / nats-server, killed and restarted)."""
from __future__ import annotations

import asyncio
import time

import pytest

import rfengines
from rfengines import state_config
from ringfence.config import Config
from ringfence.ops.killswitch import KillSwitch
from ringfence.state import open_state
from ringfence.state.killmirror import KillMirror
from ringfence.state.limits import SharedLimits


async def _until(cond, timeout: float, step: float = 0.02):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if cond():
            return loop.time()
        await asyncio.sleep(step)
    raise AssertionError("condition not met in time")


@pytest.mark.parametrize("kind", ["redis", "nats"])
async def test_kill_switch_on_one_instance_reaches_the_other_within_1s(kind, request):
    srv = request.getfixturevalue(f"{kind}_srv")
    cfg = state_config(kind, srv.port)
    a_ks, b_ks = KillSwitch(Config()), KillSwitch(Config())
    a = KillMirror(open_state(cfg), a_ks, "a").start()
    b = KillMirror(open_state(cfg), b_ks, "b").start()
    try:
        await _until(lambda: a.last_ok and b.last_ok, 10)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        a_ks.set_api(True)                      # what POST /v1/killswitch does on instance A
        t1 = await _until(lambda: b_ks.active() is not None, 5)
        assert t1 - t0 < 1.0, f"took {t1 - t0:.2f}s"
        assert "admin API" in b_ks.active()
        t0 = loop.time()
        b_ks.set_api(False)                     # and off again, from the other side
        t1 = await _until(lambda: a_ks.active() is None, 5)
        assert t1 - t0 < 1.0
        assert a.unavailable is None and b.unavailable is None
    finally:
        await a.stop()
        await b.stop()
        await a.state.close()
        await b.state.close()


@pytest.mark.parametrize("kind", ["redis", "nats"])
async def test_two_instances_share_one_rate_limit_and_budget(kind, request):
    srv = request.getfixturevalue(f"{kind}_srv")
    cfg = state_config(kind, srv.port)
    conf = Config().model_copy(update={"url": Config().url.model_copy(
        update={"requests_per_minute": 6, "bytes_per_minute": 10_000})})
    a, b = SharedLimits(conf, open_state(cfg)), SharedLimits(conf, open_state(cfg))
    try:
        got = [await (a if i % 2 else b).admit("api.example.com") for i in range(8)]
        assert [g is None for g in got] == [True] * 6 + [False] * 2  # 6 in total, not 6 each
        assert got[-1].rule == "requests_per_minute"
        # the budget: 6 KB counted on A and 5 KB on B exceed 10 KB together
        await a.account("files.example.org", 6000)
        assert await b.admit("files.example.org") is None
        await b.account("files.example.org", 5000)
        f = await a.admit("cdn.files.example.org")   # same registrable domain
        assert f is not None and f.rule == "data_budget"
    finally:
        await a.state.close()
        await b.state.close()


@pytest.mark.parametrize("kind", ["redis", "nats"])
async def test_backend_outage_fails_closed_and_recovers(kind, tmp_path):
    make = rfengines.redis_server if kind == "redis" else rfengines.nats_server
    try:
        srv = make(tmp_path).start()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    cfg = state_config(kind, srv.port, timeout_ms=300)
    conf = Config().model_copy(update={"url": Config().url.model_copy(update={"requests_per_minute": 1000})})
    lim = SharedLimits(conf, open_state(cfg))
    ks = KillSwitch(Config())
    mirror = KillMirror(open_state(cfg), ks, "m")
    try:
        assert await lim.admit("example.com") is None
        await mirror.sync_once()
        srv.kill()                                          # SIGKILL: the backend host dies
        f = await lim.admit("example.com")
        assert f is not None and (f.scanner, f.rule, f.action) == ("state", "unavailable", "block")
        assert "unreachable" in f.excerpt
        with pytest.raises(Exception):
            await mirror.sync_once()
        mirror.last_ok = time.monotonic() - 10              # as if the outage lasted 10 s
        assert mirror.unavailable and "unknown" in mirror.unavailable
        srv.start()                                         # same port: it comes back
        await _until_async(lambda: _admits(lim), 30)    # recovers by itself, no restart of ours
        await mirror.sync_once()
        assert mirror.unavailable is None
    finally:
        srv.stop()
        await lim.state.close()
        await mirror.state.close()


async def _admits(lim) -> bool:
    return await lim.admit("example.com") is None


async def _until_async(make, timeout: float):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if await make():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the backend did not come back in time")
