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
                 "complete", "headers_done", "head_bytes", "error", "expect_continue")

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

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 max_header_bytes: int, max_body_bytes: int, header_timeout: float,
                 body_timeout: float):
        self.reader = reader
        self.writer = writer
        self.max_header = max_header_bytes
        self.max_body = max_body_bytes
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
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
            elif lk == "content-length" and len(v) > 18:
                r.error = HttpError(413, "body too large", "body_too_large")

    def on_body(self, body: bytes) -> None:
        r = self.cur
        if r is None or r.error:
            return
        if len(r.body) + len(body) > self.max_body:
            r.error = HttpError(413, f"request body exceeds {self.max_body} bytes", "body_too_large")
            return
        r.body += body

    def on_message_complete(self) -> None:
        r = self.cur
        if r is not None:
            r.complete = True
            self.done.append(r)
            self.cur = None

    # -- reading -------------------------------------------------------
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
        deadline = loop.time() + self.header_timeout
        sent_continue = False
        while True:
            if self.done:
                r = self.done.popleft()
                if r.error:
                    raise r.error
                return r
            if self.upgraded:
                return None  # nothing more to read on this HTTP connection
            r = self.cur
            if r is not None:
                if r.error:
                    raise r.error
                if r.headers_done:
                    if r.expect_continue and not sent_continue:
                        sent_continue = True
                        self.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    timeout = self.body_timeout
                else:
                    timeout = deadline - loop.time()
            else:
                timeout = deadline - loop.time()
            if timeout <= 0:
                raise HttpError(408, "request header timeout", "header_timeout")
            try:
                data = await read_within(self.reader, READ_SIZE, timeout)
            except asyncio.TimeoutError:
                if r is None and self.cur is None:
                    return None  # idle keep-alive connection: just close
                raise HttpError(408, "request timeout", "header_timeout") from None
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
