"""A real writer process killed with SIGKILL mid-stream leaves a log that verifies up to
the last complete receipt and is reported as unsealed (exit 3), never as sealed."""
import os
import signal
import subprocess
import sys
import time

from rhelp import run_cli
from ringfence.receipts.verify import verify_path

CHILD = r"""
import sys
from ringfence.config import Config
from ringfence.config.receipts import ReceiptsConfig
from ringfence.core import Action, Decision, Finding
from ringfence.receipts import open_writer
cfg = Config(receipts=ReceiptsConfig(fsync="batch", fsync_interval_ms=5, max_entries_per_file=50,
                                     checkpoint_interval=7))
w = open_writer(sys.argv[1], sys.argv[2], cfg, session_id="proxy")
i = 0
while True:
    d = Decision("block", (Finding("dlp", "k", "high", "x***"),), "dlp:k") if i % 3 else Decision("allow")
    w.record(Action("fetch", "outbound", f"https://h{i}.test/?q=<{i}>&r=\u00e9", "GET"), d)
    i += 1
    if i == 150:
        print("ready", flush=True)
"""


def test_sigkill_mid_stream(tmp_path, keypair):
    priv, _, pub = keypair
    d = tmp_path / "ev"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(d), priv], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.05)  # let it keep writing, then kill it mid-stream
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    r = verify_path(str(d), pub)
    assert r.valid, r.error
    assert not r.sealed and r.seal_expected and r.exit_code == 1 and r.tail
    assert r.count >= 150 and r.final_seq == r.count - 1
    assert r.files >= 3  # rotated while running, each rotation checkpointed
    p = run_cli("verify", str(d), "--key", pub)
    assert p.returncode == 1 and "NOT PROVEN" in p.stdout and "Traceback" not in p.stderr


def test_torn_last_line_is_ignored_and_reported(tmp_path, keypair):
    from ringfence.config import Config
    from ringfence.core import Action, Decision
    from ringfence.receipts import open_writer
    priv, _, pub = keypair
    w = open_writer(str(tmp_path / "ev"), priv, Config())
    for i in range(4):
        w.record(Action("fetch", "outbound", f"https://h{i}.test/", "GET"), Decision("allow"))
    # simulate a crash: no close(); tear the last receipt line in half
    w.recorder.sync()
    path = w.paths[0]
    data = open(path, "rb").read()
    last = data.rstrip(b"\n").rfind(b"\n") + 1
    open(path, "wb").write(data[: last + (len(data) - last) // 2])
    w._stop.set()
    r = verify_path(path, pub)
    assert r.valid and not r.sealed and r.count == 3 and r.final_seq == 2
    assert "incomplete" in r.tail
    # a torn line that is not the last one is corruption, not a crash
    open(path, "ab").write(b"\n" + data[last:])
    r2 = verify_path(path, pub)
    assert not r2.valid
    w.close()
