"""The kill switch as one shared state: flips notify subscribers and wake
wait_engaged() at once; a sentinel file is noticed by the watcher with no traffic."""
import asyncio
import threading
import time

from ringfence.config import load_config_text
from ringfence.ops.killswitch import KillSwitch


def _cfg(extra=""):
    return load_config_text(extra)


async def test_wait_engaged_wakes_on_api_signal_and_config():
    for flip in ("api", "signal", "config"):
        ks = KillSwitch(_cfg())
        waiter = asyncio.create_task(ks.wait_engaged())
        await asyncio.sleep(0.05)
        assert not waiter.done() and not ks.engaged
        t0 = time.monotonic()
        if flip == "api":
            ks.set_api(True)
        elif flip == "signal":
            assert ks.toggle_signal() is True
        else:
            ks.update_config(_cfg("kill_switch:\n  active: true\n"))
        reason = await asyncio.wait_for(waiter, 1.0)
        assert time.monotonic() - t0 < 0.5 and reason and ks.engaged
        assert await asyncio.wait_for(ks.wait_engaged(), 0.1) == reason  # already engaged: at once


async def test_subscribers_see_each_flip_once_and_can_leave():
    ks = KillSwitch(_cfg())
    seen, other = [], []
    unsub = ks.subscribe(seen.append)
    ks.subscribe(other.append)
    ks.set_api(True)
    ks.toggle_signal()          # still engaged: no second notification
    ks.set_api(False)
    ks.toggle_signal()          # released
    assert [r is not None for r in seen] == [True, False]
    unsub()
    ks.set_api(True)
    assert len(seen) == 2 and len(other) == 3


async def test_broken_subscriber_does_not_stop_the_others():
    ks = KillSwitch(_cfg())
    got = []
    ks.subscribe(lambda r: 1 / 0)
    ks.subscribe(got.append)
    ks.set_api(True)
    assert got and got[0]


async def test_sentinel_noticed_by_watcher_without_traffic(tmp_path):
    sentinel = tmp_path / "STOP"
    ks = KillSwitch(_cfg(f"kill_switch:\n  sentinel_file: {sentinel}\n"))
    flips = []
    ks.subscribe(lambda r: flips.append((time.monotonic(), r)))
    ks.start_watcher()
    ks.start_watcher()  # idempotent
    try:
        waiter = asyncio.create_task(ks.wait_engaged())
        await asyncio.sleep(0.3)
        t0 = time.monotonic()
        sentinel.write_text("")
        reason = await asyncio.wait_for(waiter, 2.0)
        assert "sentinel" in reason and time.monotonic() - t0 < 1.0
        sentinel.unlink()
        for _ in range(40):
            if flips and flips[-1][1] is None:
                break
            await asyncio.sleep(0.05)
        assert flips[-1][1] is None and len(flips) == 2
    finally:
        ks.stop_watcher()
    assert not any(t.name == "killswitch-sentinel" and t.is_alive() for t in threading.enumerate()
                   if t is ks._watcher)


async def test_wait_engaged_from_another_thread_flip():
    ks = KillSwitch(_cfg())
    waiter = asyncio.create_task(ks.wait_engaged())
    await asyncio.sleep(0.05)
    threading.Thread(target=ks.set_api, args=(True,)).start()
    assert "admin API" in await asyncio.wait_for(waiter, 1.0)
