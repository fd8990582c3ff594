"""`ringfence tail` as a real subprocess while a real writer appends, rotates and starts a new run."""
import json
import os
import subprocess
import sys
import time

from evgen import DLP, make_key
from ringfence.core import Action, Decision
from ringfence.receipts.keys import load_private_key
from ringfence.receipts.writer import ReceiptWriter


def _read_until(proc, pred, timeout=60):
    got = []
    deadline = time.monotonic() + timeout
    os.set_blocking(proc.stdout.fileno(), False)
    buf = b""
    while time.monotonic() < deadline:
        chunk = proc.stdout.read()
        if chunk:
            buf += chunk
            *lines, buf = buf.split(b"\n")
            got += [ln.decode() for ln in lines]
            if pred(got):
                return got
        time.sleep(0.05)
    raise AssertionError(f"timed out; got {got!r}")


def test_tail_follows_appends_rotation_and_new_runs(tmp_path):
    priv, pub = make_key(tmp_path)
    d = tmp_path / "r"
    d.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "ringfence", "tail", str(d), "--json", "--interval", "0.05", "-n", "1000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        w = ReceiptWriter(str(d), load_private_key(priv), policy_hash="sha256:t", session_id="live",
                          max_entries_per_file=10)
        w.open_session("run", heartbeat_s=30)
        for i in range(25):  # rotates twice
            w.record(Action("forward", "outbound", f"https://a{i}.example.com/x", "GET"), Decision("allow"))
        got = _read_until(proc, lambda g: len(g) >= 25)
        recs = [json.loads(x) for x in got]
        assert [r["record"]["target"] for r in recs] == [f"https://a{i}.example.com/x" for i in range(25)]
        assert len({r["file"] for r in recs}) >= 3  # followed across rotation
        w.close()
        w2 = ReceiptWriter(str(d), load_private_key(priv), policy_hash="sha256:t", session_id="second")
        w2.record(Action("forward", "outbound", "https://b.example.com/up?k=x", "POST"),
                  Decision("block", (DLP,), "dlp"))
        w2.close()
        got = _read_until(proc, lambda g: any("b.example.com" in x for x in g))
        rec = json.loads([x for x in got if "b.example.com" in x][0])
        assert rec["session"].startswith("second") and rec["record"]["verdict"] == "block"
        assert proc.poll() is None  # still following
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_tail_filters_and_readable_lines(tmp_path):
    priv, pub = make_key(tmp_path)
    d = tmp_path / "r"
    w = ReceiptWriter(str(d), load_private_key(priv), policy_hash="sha256:t", session_id="s1")
    w.record(Action("forward", "outbound", "https://api.example.com/a", "GET"), Decision("allow"))
    w.record(Action("forward", "outbound", "https://evil.test/x?k=1", "GET"), Decision("block", (DLP,), "dlp"))
    w.record(Action("forward", "outbound", "https://sub.api.example.com/b\x1b[31m", "GET"), Decision("allow"))
    w.close()

    def tail(*a):
        p = subprocess.run([sys.executable, "-m", "ringfence", "tail", str(d), "--no-follow", *a],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        return p.stdout.splitlines()
    assert len(tail()) == 3
    blocks = tail("--blocks")
    assert len(blocks) == 1 and "BLOCK" in blocks[0] and "[dlp:aws_access_key_id]" in blocks[0]
    assert "?[redacted]" in blocks[0]
    assert tail("--rule", "aws_access_key_id") == blocks == tail("--rule", "dlp:aws_access_key_id")
    assert tail("--rule", "jwt") == []
    hosts = tail("--host", "api.example.com")
    assert len(hosts) == 2 and "\x1b" not in "".join(hosts)
    assert tail("--host", "example.co") == []
    assert len(tail("--session", "s1")) == 3 and tail("--session", "nope") == []
    assert len(tail("-n", "1")) == 1
    p = subprocess.run([sys.executable, "-m", "ringfence", "tail", str(tmp_path / "missing")], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2 and "no such directory" in p.stderr
