"""One HTTP/1.1 engine for both sides, without I/O (llhttp through httptools).

A Parser is fed bytes and collects messages: requests on a server, responses
on a client. It owns the rules every ringfence transport shares; the caller
owns sockets, timers, budgets and what to answer.

- llhttp refuses the classic smuggling shapes (duplicate or conflicting
  Content-Length, Content-Length with Transfer-Encoding, bad chunk sizes).
- Caps: head bytes (request target, status line and fields, and the bytes fed
  while a head is incomplete: slowloris), field count, body bytes (an oversize
  body sets `too_large` and is no longer stored; an oversize Content-Length
  sets it at once).
- Requests: Transfer-Encoding other than plain "chunked" is refused (501),
  Expect other than 100-continue (417).
- Errors are recorded, never raised from a callback: the first rule broken is
  kept, and an llhttp parse error overrides it (llhttp is the stricter judge).

Callbacks are kept light (each one is a call from C into Python): one Message
per message, header names matched by length before any lower-casing.
"""
from __future__ import annotations

import http
from collections import deque

import httptools

REQUEST, RESPONSE = 0, 1
_FRAMING = (b"content-length", b"transfer-encoding")
_REQUEST_FRAMING = _FRAMING + (b"expect",)

# Headers that describe one hop only; never forwarded.
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
    "te", "trailer", "transfer-encoding", "upgrade", "expect",
})

REASONS = {s.value: s.phrase for s in http.HTTPStatus}
REASONS.update({413: "Payload Too Large", 414: "URI Too Long", 422: "Unprocessable Entity"})


class H1Error(Exception):
    """A broken rule: the status to answer (502 on the client side), then close."""

    def __init__(self, status: int, message: str, rule: str = "bad_request"):
        super().__init__(message)
        self.status = status
        self.rule = rule


class Message:
    """One request or response. `body` is set on requests once complete;
    responses keep body pieces in `chunks` for the caller to take.

    The scalars are class-level defaults (one is written only when it
    differs): a message costs two lists to create."""

    method = ""
    target = b""
    status = 0
    reason = ""
    version = "1.1"
    size = 0                     # body bytes received
    body = b""
    length = -1                  # Content-Length, -1 when absent
    chunked = False
    framed = False               # Content-Length or Transfer-Encoding present
    expect_continue = False
    keep_alive = True
    upgrade = False
    head_done = False
    complete = False
    too_large = False
    head_bytes = 0
    reserved = 0                 # the caller's accounting (e.g. a shared body budget)
    error: H1Error | None = None  # the first rule this message broke

    headers: list[tuple[str, str]]  # these two are set by the Parser (no __init__ frame)
    chunks: list[bytes]

    def header(self, name: str, default: str = "") -> str:
        return field(self.headers, name, default)


def field(headers: list[tuple[str, str]], name: str, default: str = "") -> str:
    """The first value of a field, by case-insensitive name."""
    name = name.lower()
    for k, v in headers:
        if k.lower() == name:
            return v
    return default


class Parser:
    """Feed bytes with feed(); complete messages queue in `done`, the one being
    read is `cur`; `msg` is the latest begun (for a client reading a response)."""

    def __init__(self, side: int, *, max_head: int, max_fields: int, max_body: int,
                 lower_names: bool = False, skip_interim: bool = False):
        self.side = side
        self.max_head = max_head
        self.max_fields = max_fields
        self.max_body = max_body
        self.lower_names = lower_names
        self.skip_interim = skip_interim  # drop 1xx responses (a client waiting for the final one)
        if side == RESPONSE:  # llhttp looks the callbacks up once, here
            self.on_header = self._response_header
            self.on_message_complete = self._response_complete
        self.p = (httptools.HttpRequestParser if side == REQUEST else httptools.HttpResponseParser)(self)
        self.done: deque[Message] = deque()
        self.cur: Message | None = None
        self.msg: Message | None = None
        self.error: H1Error | None = None  # the first error on this connection
        self.malformed = False        # llhttp refused the bytes (nothing more can be read)
        self.upgraded = False
        self.leftover = b""           # bytes after a CONNECT or Upgrade head
        self.head_fed = 0             # bytes fed while a head is incomplete

    # -- errors ---------------------------------------------------------
    def _fail(self, status: int, message: str, rule: str) -> None:
        if self.side == RESPONSE:
            status, rule = 502, "upstream_error"
        m = self.cur
        if m is not None and m.error is None:
            m.error = H1Error(status, message, rule)
        if self.error is None:
            self.error = m.error if m is not None else H1Error(status, message, rule)

    def _head_bytes(self, m: Message, n: int) -> None:
        m.head_bytes += n
        if m.head_bytes > self.max_head:
            if self.side == REQUEST:
                self._fail(431, "request header too large", "headers_too_large")
            else:
                self._fail(502, "upstream response head too large", "")

    # -- llhttp callbacks -------------------------------------------------
    def on_message_begin(self) -> None:
        self.cur = self.msg = m = Message()
        m.headers = []
        m.chunks = []

    def on_url(self, url: bytes) -> None:
        m = self.cur
        m.target += url
        m.head_bytes += len(url)
        if len(m.target) > self.max_head:
            self._fail(414, "request target too long", "uri_too_long")

    def on_status(self, status: bytes) -> None:
        m = self.cur
        m.reason += status.decode("latin-1")
        m.head_bytes += len(status)

    def on_header(self, name: bytes, value: bytes) -> None:
        m = self.cur
        h = m.headers
        if len(h) >= self.max_fields:
            self._fail(431, "too many header fields", "headers_too_large")
            return
        n = len(name)
        m.head_bytes += n + len(value) + 4  # checked once the head is complete
        if n == 14 or n == 17 or n == 6:  # content-length, transfer-encoding, expect (not accept)
            ln = name.lower()
            if ln in _REQUEST_FRAMING:
                self._framing(m, ln, value)
        k = name.decode("latin-1")
        h.append((k.lower() if self.lower_names else k, value.decode("latin-1")))

    def _response_header(self, name: bytes, value: bytes) -> None:
        m = self.cur
        h = m.headers
        if len(h) >= self.max_fields:
            self._fail(502, "upstream sent too many headers", "")
            return
        n = len(name)
        m.head_bytes += n + len(value) + 4
        if (n == 14 or n == 17) and name.lower() in _FRAMING:
            m.framed = True  # (its body is counted as it comes: no Content-Length check here)
        k = name.decode("latin-1")
        h.append((k.lower() if self.lower_names else k, value.decode("latin-1")))

    def _framing(self, m: Message, name: bytes, value: bytes) -> None:
        """A request's Content-Length, Transfer-Encoding and Expect."""
        if name == b"content-length":
            m.framed = True
            cl = value.strip()
            if len(cl) > 18 or (cl.isdigit() and int(cl) > self.max_body):
                m.too_large = True
            elif cl.isdigit():
                m.length = int(cl)
        elif name == b"transfer-encoding":
            m.framed = True
            if value.strip().lower() == b"chunked":
                m.chunked = True
            else:
                self._fail(501, "unsupported Transfer-Encoding", "bad_transfer_encoding")
        elif name == b"expect":
            if value.strip().lower() == b"100-continue":
                m.expect_continue = True
            else:
                self._fail(417, "unsupported Expect", "bad_expect")

    def on_headers_complete(self) -> None:
        m = self.cur
        p = self.p
        if m.head_bytes > self.max_head:
            self._head_bytes(m, 0)
        if self.side == REQUEST:
            m.method = p.get_method().decode("ascii", "replace")
            m.upgrade = p.should_upgrade()
            m.version = p.get_http_version()
        else:  # (a response's version is not read: no caller needs it)
            m.status = st = p.get_status_code()
            if self.skip_interim and 100 <= st < 200 and st != 101:
                return  # an interim response: its head is not the one awaited
            m.upgrade = st == 101
        m.keep_alive = p.should_keep_alive()  # llhttp answers this right here, not after
        m.head_done = True

    def on_body(self, body: bytes) -> None:
        m = self.cur
        m.size += len(body)
        if m.too_large:
            return
        if m.size > self.max_body:
            m.too_large = True
            m.chunks.clear()
            return
        m.chunks.append(body)

    def on_message_complete(self) -> None:
        m = self.cur
        self.cur = None
        m.complete = True
        c = m.chunks
        m.body = c[0] if len(c) == 1 else b"".join(c)
        c.clear()
        self.done.append(m)

    def _response_complete(self) -> None:
        m = self.cur
        self.cur = None
        if m.head_done:  # (not a skipped interim response)
            m.complete = True
            self.done.append(m)

    # -- feeding ----------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Parse `data`; read `error`, `done`, `cur` and `upgraded` afterwards."""
        try:
            self.p.feed_data(data)
        except httptools.HttpParserUpgrade as e:
            off = e.args[0] if e.args and isinstance(e.args[0], int) else len(data)
            self.leftover = data[off:]
            self.upgraded = True
            m = self.cur
            if m is not None and m.head_done:  # llhttp stops before message_complete
                self.on_message_complete()  # (the response side's, on a client)
        except httptools.HttpParserError as e:
            msg = str(e) or "malformed message"
            self.malformed = True
            if self.side == REQUEST:
                self.error = H1Error(400, msg[:100], "malformed_request")
            else:
                self.error = H1Error(502, f"malformed upstream response: {msg[:80]}", "upstream_error")
        m = self.cur
        if m is None or m.head_done:
            self.head_fed = 0
        else:
            self.head_fed += len(data)
            if self.head_fed > self.max_head:
                self._head_bytes(m, self.max_head + 1)

    def take(self) -> Message | None:
        return self.done.popleft() if self.done else None


def render_head(start: str, headers: list[tuple[str, str]]) -> bytes:
    """A request or status line and its fields (a field with CR or LF is dropped:
    a relayed value never splits a message)."""
    text = "".join([f"{k}: {v}\r\n" for k, v in headers])
    n = len(headers)
    if text.count("\n") != n or text.count("\r") != n:  # rare: filter field by field
        text = "".join([f"{k}: {v}\r\n" for k, v in headers
                        if not ("\r" in k or "\n" in k or "\r" in v or "\n" in v)])
    return f"{start}\r\n{text}\r\n".encode("latin-1", "replace")


def response_head(status: int, reason: str | None, headers: list[tuple[str, str]]) -> bytes:
    """reason None: the standard phrase."""
    if reason is None:
        reason = REASONS.get(status, "Status")
    return render_head(f"HTTP/1.1 {status} {reason}", headers)


def request_head(method: str, target: str, headers: list[tuple[str, str]]) -> bytes:
    return render_head(f"{method} {target} HTTP/1.1", headers)


def chunk(data: bytes) -> bytes:
    """One chunk of a chunked body (b"" ends it)."""
    return b"%x\r\n%s\r\n" % (len(data), data) if data else b"0\r\n\r\n"
