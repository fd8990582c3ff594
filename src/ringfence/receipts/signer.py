"""Receipts off the event loop's critical path, still durable before the action.

With `receipts.queue_max > 0` the ReceiptWriter builds each record (and its timestamp) on
the caller's thread and queues it; whoever holds the writer lock (its signer thread, or a
caller that must wait while that thread is idle) signs (libsodium releases the GIL) and
appends the whole queue with one write(2). This module holds the tickets a caller waits on:

    tickets = Tickets()                    # the writer owns one; issue() per queued receipt
    tickets.notify(t, loop, cb)            # the proxy's fast path: cb(err) on its loop, no task
    await written(writer)                  # asyncio: every receipt recorded so far
    wait_written(writer, timeout)          # threads: the same, blocking

Fail closed, two ways (core.record's `defer`): a receipt someone waits for ("wait": the
intent before its request leaves; the decision before its response is released, with
receipts.wait_written) fails only its own waiters, who then block the action; a receipt
nobody waits for ("trip") that cannot be written makes the writer refuse every later
receipt, so every later action is blocked. Writers without a queue (inline signing,
NullWriter) have written a receipt when record() returns: nothing to wait for.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from .errors import ReceiptError

if TYPE_CHECKING:  # asyncio is imported where a future is made: one-shot commands never load it
    import asyncio


class Tickets:
    """Counts receipts queued (issued) and settled (done: written, or failed); wakes
    waiters as batches land. Thread-safe; waiters are threads (Condition), asyncio
    futures or plain callbacks run on their event loop (one loop wake-up per batch).

    A failure is either sticky (`error`: every wait fails from then on; the writer
    refuses) or per receipt (`bad`: only the waiters of those receipts fail, the
    next receipts may be written)."""

    BAD_MAX = 65536  # per-receipt failures remembered for their waiters

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self.issued = 0
        self.done = 0
        self.error: BaseException | None = None
        self.bad: dict[int, BaseException] = {}
        self._waiters: list[tuple[int, Any, Any]] = []  # (ticket, loop, callback(err))

    def issue(self) -> int:
        with self._cond:
            self.issued += 1
            return self.issued

    def written(self, n: int) -> None:
        """The writer thread wrote n more receipts (in queue order)."""
        self.settle(self.done + n)

    def failed(self, err: BaseException) -> None:
        """Sticky: every receipt not yet written, and every later wait, fails."""
        with self._cond:
            self.error = self.error or err
        self.settle(self.done)

    def settle(self, upto: int, bad: dict[int, BaseException] | None = None) -> None:
        """Receipts up to ticket `upto` are settled; those in `bad` failed."""
        with self._cond:
            self.done = max(self.done, upto)
            if bad:
                self.bad.update(bad)
                while len(self.bad) > self.BAD_MAX:
                    del self.bad[next(iter(self.bad))]
            self._cond.notify_all()
            if self.error is not None:
                ready, self._waiters = self._waiters, []
            else:
                ready = [w for w in self._waiters if w[0] <= self.done]
                if ready:
                    self._waiters = [w for w in self._waiters if w[0] > self.done]
        by_loop: dict[Any, list] = {}
        for ticket, loop, cb in ready:
            by_loop.setdefault(loop, []).append((cb, self._status(ticket)))
        for loop, calls in by_loop.items():
            _call_on(loop, calls)

    def _status(self, ticket: int) -> BaseException | None:
        if ticket in self.bad:
            return self.bad[ticket]
        if self.error is not None and self.done < ticket:
            return self.error
        return None

    def check(self, ticket: int) -> bool:
        """True once `ticket` is written; raises ReceiptError if it failed; False while queued."""
        with self._cond:
            if self.done < ticket:
                if self.error is not None:
                    raise ReceiptError(f"receipt not written: {self.error}")
                return False
            err = self.bad.get(ticket)
        if err is not None:
            raise ReceiptError(f"receipt not written: {err}")
        return True

    def wait(self, ticket: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.done < ticket and self.error is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ReceiptError(f"receipt not written after {timeout} s")
                self._cond.wait(left)
            err = self._status(ticket)
        if err is not None:
            raise ReceiptError(f"receipt not written: {err}")

    def notify(self, ticket: int, loop: Any, cb: Any) -> None:
        """Call cb(None) on `loop` once `ticket` is written, cb(error) if it failed."""
        with self._cond:
            if self.done < ticket and self.error is None:
                self._waiters.append((ticket, loop, cb))
                return
            err = self._status(ticket)
        loop.call_soon(cb, err)

    def future(self, ticket: int) -> "asyncio.Future":
        import asyncio
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        def done(err: BaseException | None) -> None:
            if fut.done():
                return
            if err is None:
                fut.set_result(None)
            else:
                fut.set_exception(ReceiptError(f"receipt not written: {err}"))
        self.notify(ticket, loop, done)
        return fut


def _call_on(loop: Any, calls: list) -> None:
    def run() -> None:
        for cb, err in calls:
            try:
                cb(err)
            except Exception:  # a waiter's own failure is its business (it fails closed)
                pass
    try:
        loop.call_soon_threadsafe(run)
    except RuntimeError:  # loop closed: nobody is waiting any more
        pass


def _tickets(writer: Any) -> Tickets | None:
    return getattr(writer, "tickets", None)


async def written(writer: Any, timeout: float = 30.0) -> None:
    """Wait, without blocking the event loop, until every receipt `writer` recorded so far
    is signed and appended. Raises ReceiptError on a write failure or after `timeout`."""
    t = _tickets(writer)
    if t is None:
        return
    target = t.issued
    if t.check(target):
        return
    import asyncio
    try:
        await asyncio.wait_for(t.future(target), timeout)
    except asyncio.TimeoutError:
        raise ReceiptError(f"receipt not written after {timeout} s") from None


def wait_written(writer: Any, timeout: float = 30.0) -> None:
    """Blocking form of written() for threads."""
    t = _tickets(writer)
    if t is not None:
        t.wait(t.issued, timeout)


__all__ = ["Tickets", "written", "wait_written"]
