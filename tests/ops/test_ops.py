import asyncio
import os
import signal

import aiohttp
import pytest

from ringfence.config import load_config_text
from ringfence.ops.admin import start_admin
from ringfence.ops.killswitch import KillSwitch
from ringfence.ops.metrics import Metrics
from ringfence.ops.reload import Reloader


def cfg(extra=""):
    return load_config_text("admin:\n  listen: 127.0.0.1:0\n  token_env: RF_TEST_ADMIN_TOKEN\n" + extra)


def test_killswitch_sources_and_priority(tmp_path):
    sentinel = tmp_path / "stop"
    ks = KillSwitch(cfg(f"kill_switch:\n  sentinel_file: {sentinel}\n"))
    assert ks.active() is None
    sentinel.write_text("")
    ks._sentinel_at = 0
    assert "sentinel" in ks.active()
    ks.toggle_signal()
    assert "SIGUSR1" in ks.active()
    ks.set_api(True)
    assert "admin API" in ks.active()
    ks.update_config(cfg("kill_switch:\n  active: true\n"))
    assert "config" in ks.active()
    st = ks.status()
    assert st["active"] and st["sources"] == {"config": True, "api": True, "signal": True, "sentinel": False}


def test_sentinel_stat_error_counts_as_active(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x").write_text("")
    os.chmod(locked, 0)
    try:
        ks = KillSwitch(cfg(f"kill_switch:\n  sentinel_file: {locked / 'x'}\n"))
        if os.geteuid() == 0:
            assert "sentinel" in ks.active()  # root can stat it: it exists
        else:
            assert "unreadable" in ks.active()
    finally:
        os.chmod(locked, 0o700)


async def _admin(monkeypatch, token="t0ken-for-tests"):
    if token:
        monkeypatch.setenv("RF_TEST_ADMIN_TOKEN", token)
    else:
        monkeypatch.delenv("RF_TEST_ADMIN_TOKEN", raising=False)
    ks, m = KillSwitch(cfg()), Metrics()
    runner = await start_admin(cfg(), ks, m, reload_cb=lambda: True)
    port = runner.addresses[0][1]
    return ks, m, runner, f"http://127.0.0.1:{port}"


async def test_admin_killswitch_needs_token(monkeypatch):
    ks, m, runner, base = await _admin(monkeypatch)
    try:
        async with aiohttp.ClientSession() as s:
            r = await s.post(base + "/v1/killswitch", json={"active": True})
            assert r.status == 401 and ks.active() is None
            h = {"Authorization": "Bearer t0ken-for-tests"}
            r = await s.post(base + "/v1/killswitch", json={"active": True}, headers=h)
            assert r.status == 200 and (await r.json())["active"] is True and ks.active()
            r = await s.post(base + "/v1/killswitch", data=b'{"active": "yes"}', headers=h)
            assert r.status == 400
            r = await s.post(base + "/v1/killswitch", json={"active": False}, headers=h)
            assert (await r.json())["active"] is False and ks.active() is None
    finally:
        await runner.cleanup()


async def test_admin_without_token_disables_killswitch_api(monkeypatch):
    ks, m, runner, base = await _admin(monkeypatch, token="")
    try:
        async with aiohttp.ClientSession() as s:
            r = await s.post(base + "/v1/killswitch", json={"active": True}, headers={"Authorization": "Bearer "})
            assert r.status == 403 and ks.active() is None
    finally:
        await runner.cleanup()


async def test_metrics_exposed(monkeypatch):
    ks, m, runner, base = await _admin(monkeypatch)
    m.observe("fetch", "block", "dlp", 0.002, 1234)
    try:
        async with aiohttp.ClientSession() as s:
            text = await (await s.get(base + "/metrics")).text()
        assert 'ringfence_decisions_total{scanner="dlp",transport="fetch",verdict="block"} 1.0' in text
        assert 'ringfence_bytes_scanned_total{transport="fetch"} 1234.0' in text
        assert "ringfence_decision_seconds_bucket" in text
    finally:
        await runner.cleanup()


async def test_reload_on_file_change_and_sighup_rejects_invalid(tmp_path):
    path = tmp_path / "rf.yaml"
    path.write_text("mode: balanced\n")
    seen, errors = [], []
    r = Reloader(str(path), seen.append, errors.append, debounce_ms=50)
    await r.start()
    try:
        await asyncio.sleep(0.3)
        path.write_text("mode: audit\n")
        for _ in range(60):
            if seen:
                break
            await asyncio.sleep(0.05)
        assert seen and seen[-1].mode == "audit"
        path.write_text("mode: audit\nbogus_key: 1\n")
        for _ in range(60):
            if errors:
                break
            await asyncio.sleep(0.05)
        assert errors and "bogus_key" in str(errors[-1])
        assert seen[-1].mode == "audit"  # the old config keeps running
        n = len(seen)
        path.write_text("mode: strict\n")
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(60):
            if len(seen) > n and seen[-1].mode == "strict":
                break
            await asyncio.sleep(0.05)
        assert seen[-1].mode == "strict"
    finally:
        await r.stop()
        asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)


async def test_reload_watches_a_relative_config_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rf.yaml").write_text("mode: balanced\n")
    seen = []
    r = Reloader("rf.yaml", seen.append, debounce_ms=50)
    await r.start(sighup=False)
    try:
        await asyncio.sleep(0.3)
        (tmp_path / "rf.yaml").write_text("mode: audit\n")
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        assert seen and seen[-1].mode == "audit"
    finally:
        await r.stop()
