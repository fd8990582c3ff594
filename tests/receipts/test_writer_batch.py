"""The signer thread writes each batch with one write(2) (Recorder.hold/release):
rotation and checkpoints inside a batch, a failed batch undone whole (no gap, no
fork), waited-for receipts that fail block only themselves, and the same chain as
receipts written one by one (pipelock-verify accepts it)."""
import json
import os
import threading

import pytest

from rhelp import pipelock_verify
from ringfence.core import Action, Decision
from ringfence.receipts import ReceiptError, ReceiptWriter
from ringfence.receipts.keys import load_private_key
from ringfence.receipts.verify import verify_path

ALLOW = Decision("allow")


def _w(tmp_path, keypair, **kw):
    kw.setdefault("queue_max", 512)
    return ReceiptWriter(str(tmp_path / "ev"), load_private_key(keypair[0]), policy_hash="sha256:00",
                         session_id="b", **kw)


def _act(i: int) -> Action:
    return Action("forward", "outbound", f"http://h.test/{i}?q=<{i}>&\u00e9", "GET")


def test_deferred_batches_rotate_checkpoint_and_verify(tmp_path, keypair):
    w = _w(tmp_path, keypair, max_entries_per_file=37, checkpoint_interval=5)
    writes = []
    real = os.write

    def counting(fd, data):
        writes.append(len(data))
        return real(fd, data)
    os.write = counting
    try:
        with w._lock:  # the signer thread waits: the whole run queues up as one batch
            tickets = []
            for i in range(300):
                w.record(_act(i), ALLOW, defer="wait")
                tickets.append(w.last_ticket())
        w.tickets.wait(tickets[-1], 60)
    finally:
        os.write = real
    assert all(w.tickets.check(t) for t in tickets)
    assert len(writes) < 60  # one write per file segment, not one per entry (300 + checkpoints)
    w.close()
    r = verify_path(str(tmp_path / "ev"), keypair[2])
    assert r.valid and r.sealed and r.count == 300, r.error
    assert len(w.paths) >= 8
    cat = tmp_path / "all.jsonl"
    cat.write_bytes(b"".join(open(p, "rb").read() for p in w.paths))
    p = pipelock_verify(cat, keypair[2])
    assert p.returncode == 0 and "CHAIN VALID" in p.stdout, p.stdout + p.stderr


@pytest.mark.parametrize("when", [1, 3])  # the first write of the batch, or one after a rotation
def test_failed_batch_is_undone_and_only_its_waiters_fail(tmp_path, keypair, when):
    w = _w(tmp_path, keypair, max_entries_per_file=12, checkpoint_interval=4)
    for i in range(5):
        w.record(_act(i), ALLOW, wait=True)
    real = os.write
    calls = {"n": 0}

    def flaky(fd, data):
        calls["n"] += 1
        if calls["n"] == when:
            real(fd, bytes(data)[:50])  # half a line lands, then the disk is full
            raise OSError(28, "No space left on device")
        return real(fd, data)
    os.write = flaky
    try:
        with w._lock:
            tickets = []
            for i in range(5, 25):
                w.record(_act(i), ALLOW, defer="wait")
                tickets.append(w.last_ticket())
        w.tickets.wait(tickets[0] - 1, 60)
        for t in tickets:
            try:
                w.tickets.wait(t, 60)
            except ReceiptError:
                pass
    finally:
        os.write = real
    failed = []
    for t in tickets:
        try:
            w.tickets.check(t)
        except ReceiptError:
            failed.append(t)
    assert failed and failed == tickets[len(tickets) - len(failed):]  # a tail of the batch
    assert w._error is None  # waited-for receipts: nothing tripped
    w.record(_act(99), ALLOW, wait=True)  # later receipts are written
    w.close()
    r = verify_path(str(tmp_path / "ev"), keypair[2])
    assert r.valid and r.sealed, r.error
    assert r.count == 5 + (len(tickets) - len(failed)) + 1


def test_waiting_callers_and_the_signer_thread_keep_one_order(tmp_path, keypair):
    w = _w(tmp_path, keypair, max_entries_per_file=50)
    ids: list[str] = []
    lock = threading.Lock()

    def run(k):
        for i in range(100):
            rid = w.record(_act(k * 1000 + i), ALLOW, wait=(k % 2 == 0), defer="" if k % 2 == 0 else "wait")
            with lock:
                ids.append(rid)
    ts = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    w.close()
    recs = []
    for p in w.paths:
        with open(p, encoding="utf-8") as f:
            recs += [json.loads(x)["detail"]["action_record"] for x in f if '"type":"action_receipt"' in x]
    assert sorted(x["action_id"] for x in recs) == sorted(ids)
    stamps = [(t[:19], t[20:-1].ljust(9, "0") if "." in t else "0" * 9) for t in (x["timestamp"] for x in recs)]
    assert stamps == sorted(stamps)  # chain order is time order
    r = verify_path(str(tmp_path / "ev"), keypair[2])
    assert r.valid and r.sealed and r.count == 400, r.error
