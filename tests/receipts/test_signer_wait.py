"""receipts/signer.py: waiting until queued receipts are signed and on disk, without
blocking the event loop, and failing closed when they cannot be written."""
import asyncio
import json
import os
import threading

import pytest

from ringfence.core import Action, Decision
from ringfence.receipts import NullWriter, ReceiptError, ReceiptWriter
from ringfence.receipts.keys import load_private_key
from ringfence.receipts.signer import Tickets, wait_written, written

ALLOW = Decision("allow")


def _w(tmp_path, keypair, **kw):
    kw.setdefault("queue_max", 256)
    return ReceiptWriter(str(tmp_path / "ev"), load_private_key(keypair[0]), policy_hash="sha256:00",
                         session_id="s", **kw)


def _on_disk(w) -> list[str]:
    out = []
    for p in w.paths:
        with open(p, encoding="utf-8") as f:
            out += [json.loads(x)["detail"]["action_record"]["action_id"]
                    for x in f if '"type":"action_receipt"' in x]
    return out


def _act(i: int) -> Action:
    return Action("fetch", "outbound", f"https://ok.test/{i}", "GET")


def test_async_wait_covers_every_receipt_recorded_before_it(tmp_path, keypair):
    w = _w(tmp_path, keypair)

    async def main():
        ticks = 0
        stop = asyncio.Event()

        async def ticker():  # the loop keeps running while a request waits
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0)

        t = asyncio.create_task(ticker())
        for round_ in range(5):
            ids = [w.record(_act(round_ * 100 + i), ALLOW) for i in range(50)]
            await written(w, timeout=60)
            on_disk = set(_on_disk(w))
            assert set(ids) <= on_disk  # signed and appended before the wait returned
        stop.set()
        await t
        return ticks

    assert asyncio.run(main()) > 0
    w.close()


def test_thread_wait_and_no_wait_for_inline_or_null_writers(tmp_path, keypair):
    w = _w(tmp_path, keypair)
    ids = []

    def rec():
        for i in range(100):
            ids.append(w.record(_act(i), ALLOW))
    threads = [threading.Thread(target=rec) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_written(w, timeout=60)
    assert set(ids) <= set(_on_disk(w)) and len(ids) == 400
    w.close()

    inline = _w(tmp_path / "inline", keypair, queue_max=0)
    rid = inline.record(_act(1), ALLOW)
    assert inline.tickets is None
    asyncio.run(written(inline, timeout=0.01))  # nothing queued: returns at once
    wait_written(inline, timeout=0.01)
    assert rid in _on_disk(inline)
    inline.close()
    asyncio.run(written(NullWriter(), timeout=0.01))


def test_write_failure_fails_the_wait(tmp_path, keypair):
    w = _w(tmp_path, keypair, fsync="always")
    w.record(_act(0), ALLOW)
    wait_written(w, timeout=60)
    ro = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(ro, w.recorder.fd)  # the log refuses writes (a real EBADF)
        w.record(_act(1), ALLOW)
        with pytest.raises(ReceiptError, match="not written"):
            asyncio.run(written(w, timeout=60))
        with pytest.raises(ReceiptError):
            wait_written(w, timeout=60)
    finally:
        os.close(ro)
        try:
            w.close()
        except ReceiptError:
            pass


def test_wait_is_bounded_when_the_writer_stalls(tmp_path, keypair):
    w = _w(tmp_path, keypair)
    with w._lock:  # the writer thread cannot append while we hold its lock
        w.record(_act(0), ALLOW)
        with pytest.raises(ReceiptError, match="after"):
            asyncio.run(written(w, timeout=0.2))
        with pytest.raises(ReceiptError, match="after"):
            wait_written(w, timeout=0.2)
    wait_written(w, timeout=60)
    w.close()


def test_tickets_wake_only_waiters_whose_receipts_are_written():
    t = Tickets()

    async def main():
        a, b = t.issue(), t.issue()
        fa, fb = t.future(a), t.future(b)
        t.written(1)
        await asyncio.wait_for(fa, 5)
        assert not fb.done()
        t.written(1)
        await asyncio.wait_for(fb, 5)
        c = t.issue()
        fc = t.future(c)
        t.failed(OSError("disk full"))
        with pytest.raises(ReceiptError, match="disk full"):
            await asyncio.wait_for(fc, 5)
    asyncio.run(main())
