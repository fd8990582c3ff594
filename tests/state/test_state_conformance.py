"""One conformance suite for every shared-state backend, against real servers."""
from __future__ import annotations

import asyncio

import pytest

from ringfence.state import StateUnavailable, open_state


@pytest.fixture
async def st(backend_cfg):
    s = open_state(backend_cfg)
    yield s
    await s.close()


async def test_rate_window_counts_and_refuses(st):
    got = [await st.hit("example.com", 3) for _ in range(5)]
    assert got == [(True, 1), (True, 2), (True, 3), (False, 3), (False, 3)]  # refused events not counted
    assert await st.hit("other.example", 3) == (True, 1)  # per key


async def test_window_slides(st):
    # 1.2 s window = 20 ms buckets: after the window everything is gone
    assert (await st.hit("slide", 2, window_s=1.2))[0]
    assert (await st.hit("slide", 2, window_s=1.2))[0]
    assert not (await st.hit("slide", 2, window_s=1.2))[0]
    for _ in range(100):
        await asyncio.sleep(0.1)
        if (await st.window_add("rate.slide", 0, 1.2, 2))[0]:
            break
    else:
        pytest.fail("the window never slid")
    assert await st.hit("slide", 2, window_s=1.2) == (True, 1)


async def test_budget_add_and_check(st):
    assert await st.budget_add("api.example.com", 600) == (True, 600)      # no limit: always counted
    assert await st.budget_check("api.example.com", 1000) == (True, 600)
    assert await st.budget_add("api.example.com", 500, limit=1000) == (False, 600)  # would not fit
    assert await st.budget_add("api.example.com", 400, limit=1000) == (True, 1000)
    assert await st.budget_check("api.example.com", 1000) == (False, 1000)
    assert await st.budget_check("session:abc", 10) == (True, 0)


async def test_concurrent_hits_are_atomic(st, backend_cfg):
    # two clients (as two instances) race on one limit: exactly `limit` succeed
    other = open_state(backend_cfg) if st.shared else st
    try:
        res = await asyncio.gather(*[(st if i % 2 else other).hit("race", 10) for i in range(30)])
        assert sum(1 for ok, _ in res if ok) == 10
    finally:
        if other is not st:
            await other.close()


async def test_kill_switch_get_set_watch(st):
    assert await st.get_kill() is None
    seen: list = []

    async def watch():
        async for v in st.watch_kill(poll_s=0.05):
            seen.append(v)
            if v and v["active"]:
                return

    task = asyncio.create_task(watch())
    await asyncio.sleep(0.2)
    await st.set_kill(True, "incident 42", by="test")
    await asyncio.wait_for(task, 5)
    assert seen[0] is None and seen[-1]["active"] is True and seen[-1]["reason"] == "incident 42"
    await st.set_kill(False)
    assert (await st.get_kill())["active"] is False


async def test_taint_with_ttl(st):
    assert await st.get_taint("sess-1") is None
    await st.set_taint("sess-1", "read:secret-file", ttl_s=0.6)
    await st.set_taint("weird session/id with spaces", "x", ttl_s=30)
    assert await st.get_taint("sess-1") == "read:secret-file"
    assert await st.get_taint("weird session/id with spaces") == "x"
    for _ in range(50):
        await asyncio.sleep(0.1)
        if await st.get_taint("sess-1") is None:
            break
    assert await st.get_taint("sess-1") is None


async def test_baseline_compare_and_set(st, backend_cfg):
    key = "server-a/tools/read_file"
    assert await st.get_baseline(key) == (None, 0)
    assert await st.cas_baseline(key, "sha256:aaa", 0)
    assert not await st.cas_baseline(key, "sha256:bbb", 0)   # already there
    v, ver = await st.get_baseline(key)
    assert v == "sha256:aaa" and ver > 0
    if st.shared:  # another instance sees it and can move it forward only from the same version
        other = open_state(backend_cfg)
        try:
            assert await other.get_baseline(key) == (v, ver)
            assert await other.cas_baseline(key, "sha256:ccc", ver)
        finally:
            await other.close()
        assert not await st.cas_baseline(key, "sha256:ddd", ver)  # stale version loses
        assert (await st.get_baseline(key))[0] == "sha256:ccc"


async def test_unreachable_backend_raises_fast(backend_cfg):
    if backend_cfg.backend == "memory":
        pytest.skip("memory is never unreachable")
    import rfengines
    from ringfence.config.state import StateConfig
    port = rfengines.free_port()  # nothing listens there
    url = f"redis://127.0.0.1:{port}/0" if backend_cfg.backend == "redis" else f"nats://127.0.0.1:{port}"
    s = open_state(StateConfig(backend=backend_cfg.backend, url=url, prefix="x", timeout_ms=300))
    try:
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        with pytest.raises(StateUnavailable):
            await s.hit("example.com", 5)
        with pytest.raises(StateUnavailable):
            await s.get_kill()
        assert loop.time() - t0 < 5
    finally:
        await s.close()
