"""The upstream HTTP/1.1 client: dial vetted addresses only, pool connections.

We dial exactly the addresses the engine vetted (no second DNS lookup, so no
DNS rebinding), keep idle connections per (scheme, host, port, address), and
parse responses with core.h1.
"""
from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections import deque
from typing import AsyncIterator

from ..core.h1 import RESPONSE, Message, Parser, field
from .http1 import read_within

log = logging.getLogger("ringfence.proxy")

READ_SIZE = 65536
MAX_IDLE_PER_KEY = 64
IDLE_TTL_S = 30.0
MAX_RESPONSE_HEAD = 256 * 1024
MAX_RESPONSE_FIELDS = 500
NO_CAP = 1 << 62


def response_parser(max_body: int = NO_CAP) -> Parser:
    """The engine for one upstream connection's responses."""
    return Parser(RESPONSE, max_head=MAX_RESPONSE_HEAD, max_fields=MAX_RESPONSE_FIELDS, max_body=max_body)


class UpstreamError(Exception):
    def __init__(self, status: int, message: str, rule: str = "upstream_error"):
        super().__init__(message)
        self.status = status
        self.rule = rule


class BodyTooLarge(Exception):
    pass


def client_tls_context(extra_ca: str | None = None) -> ssl.SSLContext:
    """Verifying client context; an extra CA can be added, never verification removed."""
    ctx = ssl.create_default_context()
    if extra_ca:
        ctx.load_verify_locations(cafile=extra_ca)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


class Conn:
    __slots__ = ("key", "reader", "writer", "idle_since", "reused")

    def __init__(self, key, reader, writer):
        self.key = key
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0
        self.reused = False

    def close(self) -> None:
        try:
            self.writer.close()
        except Exception:
            pass


class Response:
    """An upstream response being read. Headers are available; the body streams."""

    def __init__(self, pool: "Pool", conn: Conn, no_body: bool, timeout: float):
        self.pool = pool
        self.conn = conn
        self.timeout = timeout
        self.status = 0
        self.reason = ""
        self.headers: list[tuple[str, str]] = []
        self.keep_alive = False
        self.upgrade = False
        self.chunks: deque[bytes] = deque()
        self.headers_done = False
        self.complete = False
        self.no_body = no_body
        self.until_close = False
        self.leftover = b""
        self._got_bytes = 0
        self._parser = response_parser()
        self._done = False

    def _head(self, m: Message) -> None:
        self.headers_done = True
        self.status = m.status
        self.reason = m.reason
        self.headers = m.headers
        self.keep_alive = m.keep_alive
        self.upgrade = m.status == 101
        if self.no_body or m.status in (204, 304) or 100 <= m.status < 200:
            self.complete = True
            self.keep_alive = False  # the parser cannot be told; do not reuse
        elif not m.framed:
            self.until_close = True
            self.keep_alive = False

    def header(self, name: str, default: str = "") -> str:
        return field(self.headers, name, default)

    async def _pump(self) -> bool:
        """Read once from the socket into the parser. False on EOF."""
        try:
            data = await read_within(self.conn.reader, READ_SIZE, self.timeout)
        except asyncio.TimeoutError:
            raise UpstreamError(504, "upstream timed out", "upstream_timeout") from None
        except (ConnectionError, OSError) as e:
            raise UpstreamError(502, f"upstream connection error: {type(e).__name__}") from None
        if not data:
            if self.until_close and self.headers_done:
                self.complete = True
                return False
            raise UpstreamError(502, "upstream closed the connection", "upstream_closed")
        self._got_bytes += len(data)
        p = self._parser
        p.feed(data)
        m = p.msg
        if m is not None:
            if not self.headers_done and m.head_done:
                self._head(m)
            if m.chunks:
                self.chunks.extend(m.chunks)
                m.chunks.clear()
            if m.complete:
                self.complete = True
        p.done.clear()
        if p.upgraded:
            self.leftover = p.leftover
            self.complete = True
        elif p.error is not None:
            raise UpstreamError(p.error.status, str(p.error), p.error.rule)
        return True

    async def read_head(self) -> None:
        while not self.headers_done:
            await self._pump()

    async def iter_body(self) -> AsyncIterator[bytes]:
        while True:
            while self.chunks:
                yield self.chunks.popleft()
            if self.complete:
                return
            if not await self._pump():
                while self.chunks:
                    yield self.chunks.popleft()
                return

    async def read_body(self, cap: int) -> bytes:
        out = bytearray()
        async for c in self.iter_body():
            out += c
            if len(out) > cap:
                raise BodyTooLarge(f"upstream body exceeds {cap} bytes")
        return bytes(out)

    def release(self) -> None:
        """Return the connection to the pool if the response was read cleanly."""
        if self._done:
            return
        self._done = True
        if self.complete and self.keep_alive and not self.chunks and not self.upgrade:
            self.pool.put(self.conn)
        else:
            self.conn.close()

    def close(self) -> None:
        if not self._done:
            self._done = True
            self.conn.close()


def _dead(c) -> bool:
    """A pooled Conn or fastpath.UpstreamProto the peer has closed."""
    if isinstance(c, Conn):
        return c.writer.is_closing() or c.reader.at_eof()
    return c.closed or c.transport is None or c.transport.is_closing()


class Pool:
    def __init__(self, *, connect_timeout: float = 10.0, extra_ca: str | None = None,
                 idle_ttl: float = IDLE_TTL_S):
        self.connect_timeout = connect_timeout
        self.tls = client_tls_context(extra_ca)
        self.idle: dict[tuple, deque[Conn]] = {}
        self.idle_ttl = idle_ttl

    def expire(self) -> int:
        """Close idle connections older than idle_ttl (called by a timer). Returns how many."""
        if not self.idle:
            return 0
        old = time.monotonic() - self.idle_ttl
        n = 0
        for key in list(self.idle):
            q = self.idle[key]
            keep = deque()
            for c in q:
                if c.idle_since < old or _dead(c):
                    c.close()
                    n += 1
                else:
                    keep.append(c)
            if keep:
                self.idle[key] = keep
            else:
                del self.idle[key]
        return n

    def put(self, conn: Conn) -> None:
        q = self.idle.setdefault(conn.key, deque())
        if len(q) >= MAX_IDLE_PER_KEY or conn.writer.is_closing():
            conn.close()
            return
        conn.idle_since = time.monotonic()
        q.append(conn)

    # Fast-path connections (fastpath.UpstreamProto) share the idle map under their own
    # keys ("fast", host, port, addrs), so the stream path never takes one.
    def put_proto(self, up) -> None:
        q = self.idle.setdefault(up.key, deque())
        if len(q) >= MAX_IDLE_PER_KEY or up.closed:
            up.close()
            return
        up.idle_since = time.monotonic()
        q.append(up)

    def take_proto(self, key: tuple):
        q = self.idle.get(key)
        now = time.monotonic()
        while q:
            up = q.pop()
            if up.closed or up.transport.is_closing() or now - up.idle_since > self.idle_ttl:
                up.close()
                continue
            up.reused = True
            return up
        return None

    def _take(self, key: tuple) -> Conn | None:
        q = self.idle.get(key)
        now = time.monotonic()
        while q:
            c = q.pop()
            if c.writer.is_closing() or c.reader.at_eof() or now - c.idle_since > self.idle_ttl:
                c.close()
                continue
            c.reused = True
            return c
        return None

    async def dial(self, scheme: str, host: str, port: int, addrs: list[str]) -> Conn:
        """Connect to the first vetted address that answers."""
        if not addrs:
            raise UpstreamError(502, "no vetted address to dial", "no_address")
        key = (scheme, host, port, tuple(addrs))
        last: Exception | None = None
        for addr in addrs[:4]:
            try:
                r, w = await asyncio.wait_for(asyncio.open_connection(
                    addr, port, ssl=self.tls if scheme in ("https", "wss") else None,
                    server_hostname=host if scheme in ("https", "wss") else None,
                    limit=READ_SIZE * 4), self.connect_timeout)
                return Conn(key, r, w)
            except asyncio.TimeoutError:
                last = UpstreamError(504, f"connect to {host}:{port} timed out", "upstream_timeout")
            except ssl.SSLError as e:
                last = UpstreamError(502, f"upstream TLS error: {e.reason or e}", "upstream_tls")
            except OSError as e:
                last = UpstreamError(502, f"connect to {host}:{port} failed: {e.strerror or e}",
                                     "upstream_unreachable")
        assert last is not None
        raise last

    async def request(self, scheme: str, host: str, port: int, addrs: list[str], head: bytes,
                      body: bytes, *, timeout: float, no_body: bool = False) -> Response:
        """Send one request (head already rendered) and read the response head."""
        key = (scheme, host, port, tuple(addrs))
        for attempt in (0, 1):
            conn = self._take(key) if attempt == 0 else None
            if conn is None:
                conn = await self.dial(scheme, host, port, addrs)
            resp = Response(self, conn, no_body, timeout)
            try:
                conn.writer.write(head + body if len(body) < 65536 else head)
                if len(body) >= 65536:
                    conn.writer.write(body)
                await conn.writer.drain()
                await resp.read_head()
                return resp
            except (UpstreamError, ConnectionError, OSError) as e:
                conn.close()
                # A pooled connection the server had already closed: retry once, fresh.
                if conn.reused and resp._got_bytes == 0 and attempt == 0:
                    continue
                if isinstance(e, UpstreamError):
                    raise
                raise UpstreamError(502, f"upstream connection error: {type(e).__name__}") from None
            except BaseException:
                conn.close()
                raise
        raise UpstreamError(502, "upstream failed")

    def close(self) -> None:
        for q in self.idle.values():
            for c in q:
                c.close()
        self.idle.clear()
