"""One failed receipt write must not break the log: the chain advances only
after a write succeeds, the failed action is blocked (fail closed), and later
receipts still verify with `ringfence verify`."""
import glob
import os
import resource
import time
from pathlib import Path

import pytest

from rhelp import run_cli
from ringfence.config import Config
from ringfence.core import Action, Decision
from ringfence.receipts import ReceiptError, ReceiptWriter, write_keypair



def _session_class():
    """tests/mcp/mcp_session.py, loaded by path (sys.path stays as pytest set it)."""
    import importlib.util
    path = Path(__file__).resolve().parents[1] / "mcp" / "mcp_session.py"
    spec = importlib.util.spec_from_file_location("rf_mcp_session", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.Session
pytestmark = pytest.mark.timeout(120)


def _writer(tmp_path, **kw):
    from ringfence.receipts.writer import policy_hash_of
    from ringfence.receipts.keys import load_private_key
    key = str(tmp_path / "r.key")
    write_keypair(key)
    return ReceiptWriter(str(tmp_path / "rc"), load_private_key(key), policy_hash=policy_hash_of(Config()),
                         **kw), key


@pytest.mark.parametrize("partial", [False, True])
def test_transient_write_failure_leaves_no_gap(tmp_path, monkeypatch, partial):
    w, key = _writer(tmp_path)
    a = Action("mcp_stdio", "outbound", "echo", "tools/call", kind="tool_call")
    for _ in range(3):
        w.record(a, Decision("allow"))
    real = os.write
    state = {"fail": 1}

    def flaky(fd, data):
        if state["fail"]:
            state["fail"] -= 1
            if partial:
                real(fd, bytes(data)[:37])   # half a line reaches the file, then the disk fills
            raise OSError(28, "No space left on device")
        return real(fd, data)
    monkeypatch.setattr(os, "write", flaky)
    with pytest.raises(ReceiptError):
        w.record(a, Decision("allow"))
    for _ in range(3):
        w.record(a, Decision("allow"))
    monkeypatch.setattr(os, "write", real)
    w.close()
    r = run_cli("verify", str(tmp_path / "rc"), "--key", key.replace(".key", ".pub"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "6" in r.stdout


def test_failed_receipt_write_in_a_real_wrapper(tmp_path):
    """EFBIG from a file-size limit set on the running `ringfence mcp proxy`, then lifted."""
    Session = _session_class()
    key = str(tmp_path / "r.key")
    write_keypair(key)
    rdir = tmp_path / "rc"
    s = Session("--receipts", str(rdir), "--signing-key", key)
    try:
        for i in range(3):
            s.tool(i, "echo", text="ok")
            assert "result" in s.wait_id(i)
        time.sleep(1.5)   # let the periodic checkpoint land before the limit is set
        (log,) = glob.glob(str(rdir / "*.jsonl"))
        size = os.path.getsize(log)
        hard = resource.prlimit(s.p.pid, resource.RLIMIT_FSIZE)[1]
        resource.prlimit(s.p.pid, resource.RLIMIT_FSIZE, (size, hard))   # soft limit only
        s.tool("fail", "echo", text="no receipt, no pass")
        r = s.wait_id("fail")
        assert r["error"]["code"] == -32001, r        # fail closed: blocked
        assert r["error"]["data"]["rule"] == "scan_error"
        resource.prlimit(s.p.pid, resource.RLIMIT_FSIZE, (hard, hard))
        for i in range(3, 6):
            s.tool(i, "echo", text="ok")
            assert "result" in s.wait_id(i)
    finally:
        assert s.close() == 0
    r = run_cli("verify", str(rdir), "--key", key.replace(".key", ".pub"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "VALID AND SEALED" in r.stdout
