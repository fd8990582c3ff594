"""The kill switch in `ringfence mcp proxy` (real wrapper processes): a sentinel
file present at start, one that appears later, the config flag and SIGUSR1 make
every request but housekeeping answer -32001 rule killswitch, with a receipt;
a long-lived session notices within 1 s."""
import glob
import json
import os
import signal
import time

import pytest

from conftest import engine_or_skip
from mcp_session import Session

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module", autouse=True)
def _engine():
    engine_or_skip()


def _setup(tmp_path, extra=""):
    from ringfence.receipts import write_keypair
    key = str(tmp_path / "r.key")
    write_keypair(key)
    sentinel = tmp_path / "KILL"
    cfg = tmp_path / "rf.yaml"
    cfg.write_text(f"kill_switch:\n  sentinel_file: {sentinel}\n{extra}")
    return ["--config", str(cfg), "--receipts", str(tmp_path / "receipts"), "--signing-key", key], sentinel


def _receipt_actions(tmp_path):
    out = []
    for f in glob.glob(str(tmp_path / "receipts" / "**" / "*.jsonl"), recursive=True):
        for line in open(f):
            r = json.loads(line)
            a = r.get("action_record") or r.get("detail", {}).get("action_record")
            if a:
                out.append(a)
    return out


def _is_kill(m):
    # (a receipt id is only handed out when a receipt was written: these run without)
    return "error" in m and m["error"]["code"] == -32001 and m["error"]["data"]["rule"] == "killswitch"


def test_sentinel_present_before_start(tmp_path):
    args, sentinel = _setup(tmp_path)
    sentinel.write_text("")
    s = Session(*args)
    try:
        s.call(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                 "clientInfo": {"name": "t", "version": "1"}})
        assert "result" in s.wait_id(0)          # housekeeping passes
        s.call(1, "ping")
        assert "result" in s.wait_id(1)
        s.tool(2, "echo", text="hello")
        assert _is_kill(s.wait_id(2))
        s.call(3, "resources/list")
        assert _is_kill(s.wait_id(3))
        sentinel.unlink()                        # off again: traffic resumes
        deadline = time.monotonic() + 10
        while True:
            s.tool(f"r{deadline}", "echo", text="hello")
            r = s.wait_id(f"r{deadline}")
            if "result" in r or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert "result" in r
    finally:
        assert s.close() == 0
    acts = _receipt_actions(tmp_path)
    assert any(a["verdict"] == "block" and a["target"] == "echo" for a in acts)


def test_sentinel_appears_mid_session_pending_call_ended_within_1s(tmp_path):
    args, sentinel = _setup(tmp_path)
    s = Session(*args)
    try:
        s.tool(1, "echo", text="before")
        assert "result" in s.wait_id(1)
        s.tool(2, "slow", s=60)                   # in flight, the server would answer in 60 s
        s.tool(3, "ticks", s=30)                  # a stream of progress notifications
        s.drain(1.0)
        assert any(m.get("method") == "notifications/progress" for _, m in s.got)
        t0 = time.monotonic()
        sentinel.write_text("")
        r = s.wait_id(2, 10)
        took = s.got[[m for _, m in s.got].index(r)][0] - t0
        assert _is_kill(r) and took < 1.0, took
        assert _is_kill(s.wait_id(3, 10))
        s.drain(0.5)
        last = max(t for t, m in s.got if m.get("method") == "notifications/progress")
        assert last - t0 < 1.0, last - t0        # nothing relayed from the server after the switch
        s.drain(1.0)
        assert max(t for t, m in s.got if m.get("method") == "notifications/progress") == last
    finally:
        s.close()


def test_config_flag(tmp_path):
    cfg = tmp_path / "rf.yaml"
    cfg.write_text("kill_switch:\n  active: true\n")
    s = Session("--config", str(cfg))
    try:
        s.call(1, "ping")
        assert "result" in s.wait_id(1)
        s.tool(2, "echo", text="hello")
        assert _is_kill(s.wait_id(2))
    finally:
        s.close()


def test_sigusr1_toggles(tmp_path):
    args, _ = _setup(tmp_path)
    s = Session(*args)
    try:
        s.tool(1, "echo", text="hello")
        assert "result" in s.wait_id(1)
        os.kill(s.p.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 10
        i = 0
        while True:
            i += 1
            s.tool(f"k{i}", "echo", text="hello")
            r = s.wait_id(f"k{i}")
            if _is_kill(r) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert _is_kill(r)
        assert s.p.poll() is None            # the signal did not end the wrapper
    finally:
        assert s.close() == 0
