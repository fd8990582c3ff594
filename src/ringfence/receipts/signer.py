"""Receipts off the event loop's critical path, still durable before release when asked.

With `receipts.queue_max > 0` the ReceiptWriter builds each record (and its timestamp) on
the caller's thread and hands it to its writer thread, which signs (libsodium releases the
GIL, so a second core does the Ed25519 work) and appends whole batches. This module adds
the wait a transport needs when the config asks for the receipt to be written before the
response is released (`receipts.wait_written`):

    tickets = Tickets()            # the writer owns one; issue() per queued receipt
    await written(writer)          # asyncio: wait for every receipt recorded so far
    wait_written(writer, timeout)  # threads: the same, blocking

A wait covers everything recorded before the call (a ticket is a count, so a later
receipt never starves an earlier wait, unlike flush() under steady load). A write failure
fails every wait (fail closed: the caller must not release). Writers without a queue
(inline signing, NullWriter) are already written when record() returns: no wait.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from .errors import ReceiptError

if TYPE_CHECKING:  # asyncio is imported where a future is made: one-shot commands never load it
    import asyncio


class Tickets:
    """Counts receipts queued (issued) and written (done); wakes waiters as batches land.
    Thread-safe; waiters are threads (Condition) or asyncio futures (call_soon_threadsafe)."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self.issued = 0
        self.done = 0
        self.error: BaseException | None = None
        self._futures: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future]] = []

    def issue(self) -> int:
        with self._cond:
            self.issued += 1
            return self.issued

    def written(self, n: int) -> None:
        """The writer thread wrote n more receipts (in queue order)."""
        with self._cond:
            self.done += n
            self._cond.notify_all()
            ready = [w for w in self._futures if w[0] <= self.done]
            if ready:
                self._futures = [w for w in self._futures if w[0] > self.done]
        for _, loop, fut in ready:
            _resolve(loop, fut, None)

    def failed(self, err: BaseException) -> None:
        with self._cond:
            self.error = self.error or err
            self._cond.notify_all()
            waiting, self._futures = self._futures, []
        for _, loop, fut in waiting:
            _resolve(loop, fut, self.error)

    def wait(self, ticket: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.done < ticket and self.error is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ReceiptError(f"receipt not written after {timeout} s")
                self._cond.wait(left)
            if self.done < ticket:
                raise ReceiptError(f"receipt not written: {self.error}")

    def future(self, ticket: int) -> "asyncio.Future":
        import asyncio
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        with self._cond:
            if self.done >= ticket:
                fut.set_result(None)
            elif self.error is not None:
                fut.set_exception(ReceiptError(f"receipt not written: {self.error}"))
            else:
                self._futures.append((ticket, loop, fut))
        return fut


def _resolve(loop: "asyncio.AbstractEventLoop", fut: "asyncio.Future", err: BaseException | None) -> None:
    def done() -> None:
        if fut.done():
            return
        if err is None:
            fut.set_result(None)
        else:
            fut.set_exception(ReceiptError(f"receipt not written: {err}"))
    try:
        loop.call_soon_threadsafe(done)
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
    if t.done >= target:
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
