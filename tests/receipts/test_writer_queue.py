"""ReceiptWriter with a writer thread (queue_max > 0): same bytes on disk, call order kept,
close() drains, errors surface (fail closed), bounded queue with bounded wait."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from rhelp import pipelock_verify
from ringfence.core import Action, Decision, Finding
from ringfence.receipts import ReceiptError, ReceiptWriter
from ringfence.receipts.keys import load_private_key
from ringfence.receipts.verify import verify_path

DLP = Decision("block", (Finding("dlp", "aws_access_key_id", "critical", "AKIA***LE", "url.query"),), "dlp:k")


def _w(tmp_path, keypair, **kw):
    kw.setdefault("queue_max", 64)
    return ReceiptWriter(str(tmp_path / "ev"), load_private_key(keypair[0]), policy_hash="sha256:00",
                         session_id="q", **kw)


def _receipts(w):
    out = []
    for p in w.paths:
        with open(p, encoding="utf-8") as f:
            out += [json.loads(x)["detail"] for x in f if '"type":"action_receipt"' in x]
    return out


def test_threads_through_queue_verify_and_keep_order(tmp_path, keypair):
    w = _w(tmp_path, keypair, max_entries_per_file=300)
    ids: list[str] = []
    lock = threading.Lock()

    def run(k):
        for i in range(150):
            a = Action("fetch", "outbound", f"https://h{k}.test/{i}?q=<{i}>&\u00e9", "GET")
            rid = w.record(a, DLP if i % 5 == 0 else Decision("allow"))
            with lock:
                ids.append(rid)
    ts = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    w.flush()
    assert w.count == 600
    w.close()
    r = verify_path(str(tmp_path / "ev"), keypair[2])
    assert r.valid and r.sealed and r.count == 600, r.error
    recs = [x["action_record"] for x in _receipts(w)]
    assert sorted(x["action_id"] for x in recs) == sorted(ids)
    assert [x["chain_seq"] for x in recs] == list(range(600))
    # chain order is time order: (seconds, zero-padded nanoseconds) never goes back
    stamps = [(t[:19], t[20:-1].ljust(9, "0") if "." in t else "0" * 9) for t in (x["timestamp"] for x in recs)]
    assert stamps == sorted(stamps)
    assert len(w.paths) >= 3
    cat = tmp_path / "all.jsonl"  # the rotated files concatenated are one chain for pipelock-verify
    cat.write_bytes(b"".join(open(p, "rb").read() for p in w.paths))
    p = pipelock_verify(cat, keypair[2])
    assert p.returncode == 0 and "CHAIN VALID" in p.stdout, p.stdout + p.stderr


def test_flush_makes_receipts_visible_and_close_drains(tmp_path, keypair):
    w = _w(tmp_path, keypair)
    for i in range(200):
        w.record(Action("fetch", "outbound", f"https://x.test/{i}", "GET"), Decision("allow"))
    w.flush()
    assert len(_receipts(w)) == 200
    for i in range(300):
        w.record(Action("fetch", "outbound", f"https://y.test/{i}", "GET"), Decision("allow"))
    w.close()  # no flush: close drains what is queued, then seals
    r = verify_path(str(tmp_path / "ev"), keypair[2])
    assert r.valid and r.sealed and r.count == 500
    with pytest.raises(ReceiptError, match="closed"):
        w.record(Action("fetch", "outbound", "https://z.test/", "GET"), Decision("allow"))


@pytest.mark.parametrize("queue_max", [0, 8])
def test_write_error_surfaces_and_writer_refuses(tmp_path, keypair, queue_max):
    w = _w(tmp_path, keypair, queue_max=queue_max, fsync="always")
    w.record(Action("fetch", "outbound", "https://ok.test/", "GET"), Decision("allow"))
    w.flush()
    ro = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(ro, w.recorder.fd)  # the log fd stays ours but refuses writes (a real EBADF)
        if queue_max == 0:
            with pytest.raises(ReceiptError):
                w.record(Action("fetch", "outbound", "https://bad.test/", "GET"), Decision("allow"))
        else:
            w.record(Action("fetch", "outbound", "https://bad.test/", "GET"), Decision("allow"))
            with pytest.raises(ReceiptError, match="not written"):
                w.flush(timeout=10)
            with pytest.raises(ReceiptError):  # every later record() refuses
                w.record(Action("fetch", "outbound", "https://later.test/", "GET"), Decision("allow"))
            with pytest.raises(ReceiptError):
                w.close()
    finally:
        os.close(ro)
        try:
            w.close()
        except ReceiptError:
            pass


def test_full_queue_waits_a_bounded_time_then_fails_closed(tmp_path, keypair):
    w = _w(tmp_path, keypair, queue_max=4, queue_wait_s=0.3)
    with w._lock:  # the worker cannot write while we hold the writer lock: the queue fills
        for i in range(4):
            w.record(Action("fetch", "outbound", f"https://x.test/{i}", "GET"), Decision("allow"))
        t0 = time.monotonic()
        with pytest.raises(ReceiptError, match="queue full"):
            w.record(Action("fetch", "outbound", "https://x.test/over", "GET"), Decision("allow"))
        assert 0.25 <= time.monotonic() - t0 < 5
    w.flush(timeout=10)
    w.record(Action("fetch", "outbound", "https://x.test/after", "GET"), Decision("allow"))
    w.close()
    r = verify_path(str(tmp_path / "ev"), keypair[2])
    assert r.valid and r.sealed and r.count == 5  # the refused one is not in the log


CHILD = r"""
import sys
from ringfence.core import Action, Decision
from ringfence.receipts import ReceiptWriter
from ringfence.receipts.keys import load_private_key
w = ReceiptWriter(sys.argv[1], load_private_key(sys.argv[2]), policy_hash="sha256:00", session_id="k",
                  queue_max=32, fsync_interval_ms=5, max_entries_per_file=50, checkpoint_interval=7)
i = 0
while True:
    w.record(Action("fetch", "outbound", f"https://h{i}.test/?q=<{i}>", "GET"), Decision("allow"))
    i += 1
    if i == 150:
        w.flush()
        print("ready", flush=True)
"""


def test_sigkill_with_writer_thread(tmp_path, keypair):
    d = tmp_path / "ev"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(d), keypair[0]], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    r = verify_path(str(d), keypair[2])
    assert r.valid and not r.sealed and r.exit_code == 1, r.error
    assert r.count >= 150 and r.final_seq == r.count - 1
