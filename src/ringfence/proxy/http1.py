"""Request reading on asyncio streams for the stream path (CONNECT, /fetch, /ws,
TLS interception, and every request the fast path hands over).

Parsing and its rules (llhttp's smuggling refusals, caps on head, fields and
body, Transfer-Encoding and Expect) are core.h1's; this adds the clocks (a
header timeout against slowloris, body deadlines and a minimum rate), the
shared body budget and 100 Continue.
"""
from __future__ import annotations

import asyncio

from ..core.h1 import HOP_BY_HOP, REASONS, REQUEST, H1Error, Message, Parser
from ..core.h1 import render_head as render_message

READ_SIZE = 65536
MAX_FIELDS = 200

HttpError = H1Error   # a client error we answer with its status, then close
Request = Message

__all__ = ["HOP_BY_HOP", "REASONS", "HttpError", "Request", "RequestReader", "read_within",
           "render_head", "simple_response"]


async def read_within(reader: asyncio.StreamReader, n: int, timeout: float) -> bytes:
    """reader.read(n) bounded by `timeout` seconds (raises TimeoutError).

    Cheaper than asyncio.wait_for (no extra task per read): bytes already
    buffered are returned at once, otherwise one timer handle guards the wait."""
    if getattr(reader, "_buffer", None):
        return await reader.read(n)
    async with asyncio.timeout(timeout):
        return await reader.read(n)


class RequestReader:
    """Reads whole requests (head and body, within caps) from a client stream.

    Pipelined requests are queued; after CONNECT or an Upgrade, the bytes that
    followed the head are kept in `leftover` for the tunnel."""

    BODY_RATE_GRACE_S = 5.0  # the minimum body rate is checked once a body has had this long

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 max_header_bytes: int, max_body_bytes: int, header_timeout: float,
                 body_timeout: float, body_total: float | None = None, body_min_rate: int = 0,
                 idle_timeout: float | None = None, budget=None):
        self.reader = reader
        self.writer = writer
        self.max_header = max_header_bytes
        self.max_body = max_body_bytes
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout      # per read
        self.body_total = body_total          # whole body (None: no overall deadline)
        self.body_min_rate = body_min_rate    # bytes/s after the grace period (0: off)
        self.idle_timeout = idle_timeout if idle_timeout is not None else header_timeout
        self.budget = budget                  # BodyBudget shared across connections, or None
        self.reserved = 0                     # what this connection holds of it
        self.served = 0                       # requests read so far
        self.parser = Parser(REQUEST, max_head=max_header_bytes, max_fields=MAX_FIELDS,
                             max_body=max_body_bytes)

    @property
    def leftover(self) -> bytes:
        return self.parser.leftover

    @property
    def upgraded(self) -> bool:
        return self.parser.upgraded

    # -- the body budget -------------------------------------------------
    def _account(self, r: Request) -> None:
        """Hold the body bytes a request announced or sent against the shared budget."""
        if r.error or r.too_large or not r.head_done:
            return
        over = max(r.length, r.size) - r.reserved
        if over <= 0 or self.budget is None:
            return
        if not self.budget.take(over):
            r.error = HttpError(503, "too many request bodies in flight; retry later", "body_budget")
            return
        r.reserved += over
        self.reserved += over

    def release(self, r: Request | None = None) -> None:
        """Give back a request's body bytes (all of this connection's when r is None)."""
        if self.budget is None:
            return
        n = self.reserved if r is None else min(r.reserved, self.reserved)
        if r is not None:
            r.reserved = 0
        self.reserved -= n
        self.budget.give(n)

    def _refused(self, r: Request) -> HttpError | None:
        if r.error:
            return r.error
        if r.too_large:
            return HttpError(413, f"request body exceeds {self.max_body} bytes", "body_too_large")
        return None

    # -- reading -------------------------------------------------------
    def _check_body(self, r: Request, now: float, start: float, end: float) -> None:
        if end and now >= end:
            raise HttpError(408, f"request body not received within {self.body_total:g} s", "body_timeout")
        took = now - start
        if self.body_min_rate and took >= self.BODY_RATE_GRACE_S and \
                r.size < self.body_min_rate * took:
            raise HttpError(408, f"request body arriving slower than {self.body_min_rate} bytes/s",
                            "body_too_slow")

    def _feed(self, data: bytes) -> None:
        p = self.parser
        p.feed(data)
        if p.malformed:
            raise p.error
        for r in p.done:
            self._account(r)
        if p.cur is not None:
            self._account(p.cur)

    async def read_request(self) -> Request | None:
        """The next whole request, or None on a clean close between requests."""
        loop = asyncio.get_running_loop()
        p = self.parser
        # A kept-alive connection may idle idle_timeout for its next request; once
        # its first byte arrives, the head gets header_timeout.
        idle = self.served > 0 and p.cur is None
        deadline = loop.time() + (self.idle_timeout if idle else self.header_timeout)
        sent_continue = False
        body_start = body_end = last_data = 0.0
        while True:
            if p.done:
                r = p.done.popleft()
                e = self._refused(r)
                if e:
                    raise e
                self.served += 1
                return r
            if p.upgraded:
                return None  # nothing more to read on this HTTP connection
            r = p.cur
            if idle and r is not None:
                idle = False
                deadline = loop.time() + self.header_timeout
            now = loop.time()
            if r is not None:
                e = self._refused(r)
                if e:
                    raise e
                if r.head_done:
                    if r.expect_continue and not sent_continue:
                        sent_continue = True
                        self.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    if not body_start:
                        body_start = last_data = now
                        body_end = now + self.body_total if self.body_total else 0.0
                    self._check_body(r, now, body_start, body_end)
                    timeout = self.body_timeout - (now - last_data)
                    if body_end:
                        timeout = min(timeout, body_end - now)
                    if self.body_min_rate:
                        timeout = min(timeout, 1.0)  # wake up to check the rate even if nothing arrives
                else:
                    timeout = deadline - now
            else:
                timeout = deadline - now
            if timeout <= 0:
                if r is not None and r.head_done:
                    self._check_body(r, loop.time(), body_start, body_end)
                    raise HttpError(408, "request body stalled", "body_timeout")
                raise HttpError(408, "request header timeout", "header_timeout")
            try:
                data = await read_within(self.reader, READ_SIZE, timeout)
            except asyncio.TimeoutError:
                if r is None and p.cur is None:
                    return None  # idle keep-alive connection: just close
                if r is not None and r.head_done:
                    now = loop.time()
                    self._check_body(r, now, body_start, body_end)
                    if now - last_data < self.body_timeout:
                        continue  # woke up only to check the body's deadline and rate
                    raise HttpError(408, "request body stalled", "body_timeout") from None
                raise HttpError(408, "request timeout", "header_timeout") from None
            last_data = loop.time()
            if not data:
                if p.cur is None and not p.done:
                    return None
                if p.done:
                    continue
                raise HttpError(400, "connection closed mid-request", "incomplete_request")
            self._feed(data)


_NO_RECEIPT = ("X-Ringfence-Receipt", "")


def render_head(status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    while _NO_RECEIPT in headers:  # no receipt written: no id handed out
        i = headers.index(_NO_RECEIPT)
        headers = headers[:i] + headers[i + 1:]
    return render_message(f"HTTP/1.1 {status} {reason}", headers)


def simple_response(status: int, body: bytes, content_type: str = "application/json",
                    extra: list[tuple[str, str]] | None = None, close: bool = False) -> bytes:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    if extra:
        headers += extra
    if close:
        headers.append(("Connection", "close"))
    return render_head(status, REASONS.get(status, "Status"), headers) + body
