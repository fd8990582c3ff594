"""A small HTTP/1.1 server and keep-alive client on asyncio Protocols, for
the MCP reverse proxy (its hot path: one JSON POST in, one POST upstream).

aiohttp's server and client cost about 0.4 ms per proxied round trip on a
loaded 2-core box; these are thin Protocols that do only what the proxy
needs (parsing, its caps and rendering are core.h1's). Everything is
bounded: request line + headers (64 KiB, 100 headers), bodies (the caller's cap; an oversize body is discarded, never buffered
whole), requests queued per connection (pipelining pauses reading), upstream
reads (timeout per wait) and idle pooled connections.
"""
from __future__ import annotations

import asyncio
import collections
import socket
import ssl as _ssl
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from ..core.h1 import HOP_BY_HOP, REQUEST, RESPONSE, Message, Parser, chunk, request_head, response_head

MAX_HEAD = 64 * 1024
MAX_HEADERS = 100
IDLE_S = 120.0             # a client connection with no request in progress is closed after this
MAX_QUEUED = 8              # pipelined requests waiting per connection
UP_BUFFER = 1024 * 1024     # upstream bytes buffered before we stop reading
_NOT_RELAYED = HOP_BY_HOP | {"host", "content-length"}  # set here for the upstream hop


def _nodelay(transport: Any) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------

class Request:
    __slots__ = ("method", "target", "headers", "body", "peer", "keep_alive")

    def __init__(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes | None,
                 peer: str, keep_alive: bool):
        self.method = method
        self.target = target        # path and query as sent
        self.headers = headers      # [(lower-case name, value)]
        self.body = body            # None when it was larger than the cap
        self.peer = peer
        self.keep_alive = keep_alive

    def header(self, name: str, default: str = "") -> str:
        for k, v in self.headers:
            if k == name:
                return v
        return default

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


class Response:
    """Writes one response on a server connection: whole, or chunked (streaming)."""

    __slots__ = ("conn", "started", "chunked")

    def __init__(self, conn: "_ServerConn"):
        self.conn = conn
        self.started = False
        self.chunked = False

    def send(self, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None,
             content_type: str | None = None) -> None:
        h = list(headers or ())
        if content_type:
            h.append(("Content-Type", content_type))
        h.append(("Content-Length", str(len(body))))
        if not self.conn.keep_alive_now:
            h.append(("Connection", "close"))
        head = response_head(status, None, h)
        self.started = True
        self.conn.write(head + body if len(body) < 16384 else head)
        if len(body) >= 16384:
            self.conn.write(body)

    def start_stream(self, status: int, headers: list[tuple[str, str]], content_type: str) -> None:
        h = list(headers) + [("Content-Type", content_type), ("Transfer-Encoding", "chunked")]
        if not self.conn.keep_alive_now:
            h.append(("Connection", "close"))
        self.started = self.chunked = True
        self.conn.write(response_head(status, None, h))

    async def write(self, data: bytes) -> None:
        """One chunk; raises ConnectionResetError once the client is gone."""
        if self.conn.closed:
            raise ConnectionResetError("client went away")
        if data:
            self.conn.write(chunk(data))
            await self.conn.drain()

    def end(self) -> None:
        if self.chunked and not self.conn.closed:
            self.conn.write(chunk(b""))


Handler = Callable[[Request, Response], Awaitable[None]]


class _ServerConn(asyncio.Protocol):
    def __init__(self, handler: Handler, max_body: int):
        self.handler = handler
        self.parser = Parser(REQUEST, max_head=MAX_HEAD, max_fields=MAX_HEADERS, max_body=max_body,
                             lower_names=True)
        self.transport: Any = None
        self.queue: collections.deque[Request] = collections.deque()
        self.task: asyncio.Task | None = None
        self.closed = False
        self.paused_write: asyncio.Future | None = None
        self.read_paused = False
        self.keep_alive_now = True
        self.peer = ""

    # asyncio.Protocol
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        _nodelay(transport)
        self.last_data = asyncio.get_running_loop().time()
        self.idle_timer = asyncio.get_running_loop().call_later(IDLE_S, self._idle)
        peer = transport.get_extra_info("peername")
        self.peer = str(peer[0]) if isinstance(peer, tuple) and peer else "unix"

    def _idle(self) -> None:
        if self.closed:
            return
        loop = asyncio.get_running_loop()
        left = self.last_data + IDLE_S - loop.time()
        if self.task is not None or left > 0:  # busy (e.g. a long SSE stream) or data came in
            self.idle_timer = loop.call_later(max(left, 1.0), self._idle)
            return
        self.transport.close()
        self.closed = True

    def data_received(self, data: bytes) -> None:
        self.last_data = asyncio.get_running_loop().time()
        p = self.parser
        p.feed(data)
        if p.error is not None or p.upgraded:  # no upgrades here
            st = p.error.status if p.error is not None else 400
            self._fail(431 if st in (414, 431) else st)
            return
        while p.done:
            self._queue(p.done.popleft())

    def connection_lost(self, exc: Any) -> None:
        self.closed = True
        self.idle_timer.cancel()
        if self.paused_write is not None and not self.paused_write.done():
            self.paused_write.set_result(None)
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def pause_writing(self) -> None:
        if self.paused_write is None or self.paused_write.done():
            self.paused_write = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.paused_write is not None and not self.paused_write.done():
            self.paused_write.set_result(None)

    def _queue(self, m: Message) -> None:
        req = Request(m.method, m.target.decode("latin-1"), m.headers,
                      None if m.too_large else m.body, self.peer, m.keep_alive)
        self.queue.append(req)
        if len(self.queue) >= MAX_QUEUED and not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._run())

    # internals
    def write(self, data: bytes) -> None:
        if not self.closed:
            self.transport.write(data)

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError("client went away")
        f = self.paused_write
        if f is not None and not f.done():
            await f
            if self.closed:
                raise ConnectionResetError("client went away")

    def _fail(self, status: int) -> None:
        if not self.closed:
            body = b'{"error":"bad request"}'
            self.transport.write(response_head(status, None, [("Content-Type", "application/json"),
                                                              ("Content-Length", str(len(body))),
                                                              ("Connection", "close")]) + body)
            self.transport.close()
        self.closed = True

    async def _run(self) -> None:
        try:
            while self.queue and not self.closed:
                req = self.queue.popleft()
                if self.read_paused and len(self.queue) < MAX_QUEUED // 2:
                    self.read_paused = False
                    self.transport.resume_reading()
                self.keep_alive_now = req.keep_alive
                resp = Response(self)
                try:
                    await self.handler(req, resp)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    if not resp.started:
                        resp.send(500, b'{"error":"internal error"}', content_type="application/json")
                    self.keep_alive_now = False
                if not resp.started:
                    resp.send(500, b"", content_type="application/json")
                if not self.keep_alive_now:
                    self.transport.close()
                    self.closed = True
                    return
        finally:
            self.task = None


async def start_server(handler: Handler, host: str, port: int, max_body: int) -> asyncio.AbstractServer:
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: _ServerConn(handler, max_body), host, port, reuse_address=True)


# ---------------------------------------------------------------------------
# Upstream client with a keep-alive pool
# ---------------------------------------------------------------------------

class UpstreamError(Exception):
    pass


class _UpConn(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: Any = None
        self.closed = False
        self.reused = False
        self.got_bytes = False
        self.parser = Parser(RESPONSE, max_head=MAX_HEAD, max_fields=MAX_HEADERS, max_body=1 << 62,
                             lower_names=True, skip_interim=True)
        self._new_response()

    def _new_response(self) -> None:
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.head_done: asyncio.Future | None = None
        self.chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self.done = False
        self.paused = False
        self.waiter: asyncio.Future | None = None
        self.framed = False     # has Content-Length or chunked (else the body ends at close)
        self.keep_alive = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        _nodelay(transport)

    def data_received(self, data: bytes) -> None:
        self.got_bytes = True
        p = self.parser
        p.feed(data)
        if p.error is not None or p.upgraded:  # this connection is done
            self._abort(UpstreamError(f"bad upstream response ({p.error or 'upgrade'})"))
            return
        p.done.clear()  # the response read is p.msg
        m = p.msg
        if m is None or not m.head_done:
            return
        if not self.status:
            self.status = m.status
            self.headers = m.headers
            self.framed = m.framed or m.status in (204, 304)
            self.keep_alive = m.keep_alive
            if self.head_done is not None and not self.head_done.done():
                self.head_done.set_result(None)
        if m.chunks:
            self.chunks.extend(m.chunks)
            self.buffered += sum(map(len, m.chunks))
            m.chunks.clear()
            if self.buffered > UP_BUFFER and not self.paused:
                self.paused = True
                self.transport.pause_reading()
            self._wake()
        if m.complete:
            self.done = True
            self._wake()

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Any) -> None:
        self.closed = True
        if self.head_done is not None and not self.head_done.done():
            self.head_done.set_exception(UpstreamError("upstream closed the connection"))
        self._wake()

    def _abort(self, e: Exception) -> None:
        if self.head_done is not None and not self.head_done.done():
            self.head_done.set_exception(e)
        self.closed = True
        self.transport.close()
        self._wake()

    def _wake(self) -> None:
        w = self.waiter
        if w is not None and not w.done():
            w.set_result(None)


class UpResponse:
    def __init__(self, pool: "UpstreamPool", conn: _UpConn):
        self.pool = pool
        self.conn = conn
        self.status = conn.status
        self.headers = conn.headers
        self._released = False

    def header(self, name: str, default: str = "") -> str:
        for k, v in self.headers:
            if k == name:
                return v
        return default

    async def readany(self) -> bytes:
        """The next body bytes, b"" at the end. Raises UpstreamError on a cut or a timeout."""
        c = self.conn
        while True:
            if c.chunks:
                data = c.chunks.popleft() if len(c.chunks) == 1 else b"".join(c.chunks)
                c.chunks.clear()
                c.buffered = 0
                if c.paused and not c.closed:
                    c.paused = False
                    c.transport.resume_reading()
                return data
            if c.done:
                return b""
            if c.closed:
                if c.framed:
                    raise UpstreamError("upstream cut the response short")
                return b""   # body delimited by close
            loop = asyncio.get_running_loop()
            c.waiter = loop.create_future()
            h = loop.call_later(self.pool.read_timeout, c._abort, UpstreamError("upstream read timed out"))
            try:
                await c.waiter
            finally:
                h.cancel()
                c.waiter = None

    async def read_capped(self, cap: int) -> bytes | None:
        """The whole body, or None when it is larger than cap."""
        buf = b""
        while True:
            chunk = await self.readany()
            if not chunk:
                return buf
            buf = chunk if not buf else buf + chunk
            if len(buf) > cap:
                return None

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        c = self.conn
        if c.done and not c.closed and not c.chunks and c.keep_alive:
            self.pool._put(c)
        else:
            c.closed = True
            if c.transport is not None:
                c.transport.close()


class UpstreamPool:
    """Keep-alive connections to one upstream origin (idle ones capped)."""

    def __init__(self, url: str, connect_timeout: float = 10.0, read_timeout: float = 300.0,
                 max_idle: int = 32):
        u = urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.host = u.hostname
        self.port = u.port or (443 if u.scheme == "https" else 80)
        self.host_header = u.netloc.rsplit("@", 1)[-1]
        self.ssl = _ssl.create_default_context() if u.scheme == "https" else None
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_idle = max_idle
        self.idle: collections.deque[_UpConn] = collections.deque()

    def _put(self, c: _UpConn) -> None:
        c._new_response()
        c.reused = True
        c.got_bytes = False
        self.idle.append(c)
        while len(self.idle) > self.max_idle:
            self.idle.popleft().transport.close()

    async def _connect(self) -> _UpConn:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(_UpConn, self.host, self.port, ssl=self.ssl,
                                       server_hostname=self.host if self.ssl else None),
                self.connect_timeout)
        except (OSError, asyncio.TimeoutError) as e:
            raise UpstreamError(f"cannot connect to upstream ({type(e).__name__})") from None
        return conn

    async def request(self, method: str, target: str, headers: list[tuple[str, str]],
                      body: bytes = b"") -> UpResponse:
        h = [("Host", self.host_header)] + [(k, v) for k, v in headers if k.lower() not in _NOT_RELAYED]
        if body or method in ("POST", "PUT", "PATCH"):
            h.append(("Content-Length", str(len(body))))
        data = request_head(method, target, h) + body
        for attempt in (0, 1):
            conn = None
            while self.idle:
                c = self.idle.pop()
                if not c.closed:
                    conn = c
                    break
            if conn is None:
                conn = await self._connect()
            loop = asyncio.get_running_loop()
            conn.head_done = loop.create_future()
            conn.transport.write(data)
            timer = loop.call_later(self.read_timeout, conn._abort, UpstreamError("upstream read timed out"))
            try:
                await conn.head_done
            except asyncio.CancelledError:
                conn.closed = True   # abandoned mid-request: never back in the pool
                conn.transport.close()
                raise
            except UpstreamError:
                # A pooled connection the server had already closed: retry once on a fresh one.
                if attempt == 0 and conn.reused and not conn.got_bytes:
                    continue
                raise
            finally:
                timer.cancel()
            return UpResponse(self, conn)
        raise UpstreamError("upstream unreachable")

    def close(self) -> None:
        while self.idle:
            self.idle.pop().transport.close()
