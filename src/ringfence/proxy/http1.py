"""Strict HTTP/1.1 request reading on top of httptools (llhttp).

llhttp already refuses the classic smuggling shapes (duplicate or conflicting
Content-Length, Content-Length with Transfer-Encoding, bad chunk sizes). We add
caps on header and body size, a header timeout (slowloris), and refuse any
Transfer-Encoding other than plain "chunked".
"""
from __future__ import annotations

import asyncio
from collections import deque

import httptools

READ_SIZE = 65536


async def read_within(reader: asyncio.StreamReader, n: int, timeout: float) -> bytes:
    """reader.read(n) bounded by `timeout` seconds (raises TimeoutError).

    Cheaper than asyncio.wait_for (no extra task per read): bytes already
    buffered are returned at once, otherwise one timer handle guards the wait."""
    if getattr(reader, "_buffer", None):
        return await reader.read(n)
    async with asyncio.timeout(timeout):
        return await reader.read(n)

# Headers that describe one hop only; never forwarded.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "transfer-encoding", "upgrade", "expect",
})


class HttpError(Exception):
    """A client error we answer with a status code, then close."""

    def __init__(self, status: int, message: str, rule: str = "bad_request"):
        super().__init__(message)
        self.status = status
        self.rule = rule


class Request:
    __slots__ = ("method", "target", "version", "headers", "body", "keep_alive", "upgrade",
                 "complete", "headers_done", "head_bytes", "error", "expect_continue", "reserved")

    def __init__(self) -> None:
        self.method = ""
        self.target = b""
        self.version = "1.1"
        self.headers: list[tuple[str, str]] = []
        self.body = bytearray()
        self.keep_alive = True
        self.upgrade = False
        self.complete = False
        self.headers_done = False
        self.head_bytes = 0
        self.error: HttpError | None = None
        self.expect_continue = False
        self.reserved = 0  # body bytes held against the shared BodyBudget

    def header(self, name: str, default: str = "") -> str:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return default


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
        self.parser = httptools.HttpRequestParser(self)
        self.done: deque[Request] = deque()
        self.cur: Request | None = None
        self.leftover = b""
        self.upgraded = False
        self.head_pending = 0  # bytes fed while a head is incomplete

    # -- httptools callbacks ------------------------------------------
    def on_message_begin(self) -> None:
        self.cur = Request()

    def on_url(self, url: bytes) -> None:
        r = self.cur
        if r is not None:
            r.target += url
            if len(r.target) > self.max_header:
                r.error = HttpError(414, "request target too long", "uri_too_long")

    def on_header(self, name: bytes, value: bytes) -> None:
        r = self.cur
        if r is None:
            return
        r.headers.append((name.decode("latin-1"), value.decode("latin-1")))
        if len(r.headers) > 200:
            r.error = HttpError(431, "too many header fields", "headers_too_large")

    def on_headers_complete(self) -> None:
        r = self.cur
        if r is None:
            return
        r.headers_done = True
        r.method = self.parser.get_method().decode("ascii", "replace")
        r.version = self.parser.get_http_version()
        r.keep_alive = self.parser.should_keep_alive()
        r.upgrade = self.parser.should_upgrade()
        for k, v in r.headers:
            lk = k.lower()
            if lk == "transfer-encoding" and v.strip().lower() != "chunked":
                r.error = HttpError(501, "unsupported Transfer-Encoding", "bad_transfer_encoding")
            elif lk == "expect":
                if v.strip().lower() == "100-continue":
                    r.expect_continue = True
                else:
                    r.error = HttpError(417, "unsupported Expect", "bad_expect")
            elif lk == "content-length":
                cl = v.strip()
                if len(cl) > 18 or (cl.isdigit() and int(cl) > self.max_body):
                    r.error = HttpError(413, f"request body exceeds {self.max_body} bytes", "body_too_large")
                elif cl.isdigit() and int(cl) and not r.error:
                    self._reserve(r, int(cl))

    def _reserve(self, r: Request, n: int) -> None:
        b = self.budget
        if b is None:
            return
        if not b.take(n):
            r.error = HttpError(503, "too many request bodies in flight; retry later", "body_budget")
            return
        r.reserved += n
        self.reserved += n

    def release(self, r: Request | None = None) -> None:
        """Give back a request's body bytes (all of this connection's when r is None)."""
        if self.budget is None:
            return
        n = self.reserved if r is None else min(r.reserved, self.reserved)
        if r is not None:
            r.reserved = 0
        self.reserved -= n
        self.budget.give(n)

    def on_body(self, body: bytes) -> None:
        r = self.cur
        if r is None or r.error:
            return
        if len(r.body) + len(body) > self.max_body:
            r.error = HttpError(413, f"request body exceeds {self.max_body} bytes", "body_too_large")
            return
        over = len(r.body) + len(body) - r.reserved
        if over > 0:  # chunked (no Content-Length): hold what arrives
            self._reserve(r, over)
            if r.error:
                return
        r.body += body

    def on_message_complete(self) -> None:
        r = self.cur
        if r is not None:
            r.complete = True
            self.done.append(r)
            self.cur = None

    # -- reading -------------------------------------------------------
    def _check_body(self, r: Request, now: float, start: float, end: float) -> None:
        if end and now >= end:
            raise HttpError(408, f"request body not received within {self.body_total:g} s", "body_timeout")
        took = now - start
        if self.body_min_rate and took >= self.BODY_RATE_GRACE_S and \
                len(r.body) < self.body_min_rate * took:
            raise HttpError(408, f"request body arriving slower than {self.body_min_rate} bytes/s",
                            "body_too_slow")

    def _feed(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as e:
            off = e.args[0] if e.args and isinstance(e.args[0], int) else len(data)
            self.leftover = data[off:]
            self.upgraded = True
            r = self.cur
            if r is not None and r.headers_done:  # CONNECT: llhttp stops before message_complete
                r.complete = True
                self.done.append(r)
                self.cur = None
        except httptools.HttpParserError as e:
            msg = str(e) or "malformed request"
            raise HttpError(400, msg[:100], "malformed_request") from None

    async def read_request(self) -> Request | None:
        """The next whole request, or None on a clean close between requests."""
        loop = asyncio.get_running_loop()
        # A kept-alive connection may idle idle_timeout for its next request; once
        # its first byte arrives, the head gets header_timeout.
        idle = self.served > 0 and self.cur is None and not self.head_pending
        deadline = loop.time() + (self.idle_timeout if idle else self.header_timeout)
        sent_continue = False
        body_start = body_end = last_data = 0.0
        while True:
            if self.done:
                r = self.done.popleft()
                if r.error:
                    raise r.error
                self.served += 1
                return r
            if self.upgraded:
                return None  # nothing more to read on this HTTP connection
            r = self.cur
            if idle and (r is not None or self.head_pending):
                idle = False
                deadline = loop.time() + self.header_timeout
            now = loop.time()
            if r is not None:
                if r.error:
                    raise r.error
                if r.headers_done:
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
                if r is not None and r.headers_done:
                    self._check_body(r, loop.time(), body_start, body_end)
                    raise HttpError(408, "request body stalled", "body_timeout")
                raise HttpError(408, "request header timeout", "header_timeout")
            try:
                data = await read_within(self.reader, READ_SIZE, timeout)
            except asyncio.TimeoutError:
                if r is None and self.cur is None and not self.head_pending:
                    return None  # idle keep-alive connection: just close
                if r is not None and r.headers_done:
                    now = loop.time()
                    self._check_body(r, now, body_start, body_end)
                    if now - last_data < self.body_timeout:
                        continue  # woke up only to check the body's deadline and rate
                    raise HttpError(408, "request body stalled", "body_timeout") from None
                raise HttpError(408, "request timeout", "header_timeout") from None
            last_data = loop.time()
            if not data:
                if self.cur is None and not self.done:
                    return None
                if self.done:
                    continue
                raise HttpError(400, "connection closed mid-request", "incomplete_request")
            if self.cur is None or not self.cur.headers_done:
                self.head_pending += len(data)
            self._feed(data)
            if self.cur is None or self.cur.headers_done:
                self.head_pending = 0
            elif self.head_pending > self.max_header:
                raise HttpError(431, "request header too large", "headers_too_large")


def render_head(status: int, reason: str, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}\r\n"]
    for k, v in headers:
        if not v and k == "X-Ringfence-Receipt":
            continue  # no receipt written: no id handed out
        lines.append(f"{k}: {v}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("latin-1", "replace")


REASONS = {
    200: "OK", 101: "Switching Protocols", 204: "No Content", 400: "Bad Request", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 413: "Payload Too Large",
    414: "URI Too Long", 417: "Expectation Failed", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}


def simple_response(status: int, body: bytes, content_type: str = "application/json",
                    extra: list[tuple[str, str]] | None = None, close: bool = False) -> bytes:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    if extra:
        headers += extra
    if close:
        headers.append(("Connection", "close"))
    return render_head(status, REASONS.get(status, "Status"), headers) + body
