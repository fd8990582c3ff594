"""The fast path: plain-HTTP absolute-URI proxy requests on asyncio Protocols.

The dominant agent request (GET http://..., small or no body, keep-alive,
a textual response with a length) is read with core.h1's engine (the rules
of the stream path), scanned with the same helpers as the stream path
(forward.py), sent on a pooled upstream Protocol (its response read with the
same engine) and answered with one transport.write: no stream objects, no
per-request task.

Everything else leaves the fast path: the client connection is handed, with
every byte not yet answered, to the stream-based code (server.serve_http),
which re-parses from the start of that request. That covers CONNECT, /fetch,
/ws, /healthz, upgrades, chunked or large bodies, Expect, heads split across
reads (slowloris), pipelining, parse errors and the kill switch. Likewise an
upstream response that must stream (SSE, binary, read-until-close) is handed
to the stream Response and relay_response, head and all.
"""
from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from ..core import fail_closed
from ..core.h1 import REQUEST, Message, Parser, field
from .forward import (AGENT_CARD_PATHS, buffered_reply, empty_reply, outbound_finish,
                      outbound_now, relay_response, split_headers, too_large_reply, upstream_head)
from .http1 import MAX_FIELDS, REASONS, HttpError
from .blockpage import wants_html
from .state import block_response, error_response, now
from .target import TargetError, parse_url
from .upstream import MAX_RESPONSE_HEAD, READ_SIZE, Conn, Response, UpstreamError, response_parser

if TYPE_CHECKING:
    from .server import ProxyServer

log = logging.getLogger("ringfence.proxy")

FAST_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
FAST_BODY_MAX = 64 * 1024      # bigger request bodies take the stream path
PENDING_MAX = 256 * 1024       # bytes held from a client while its request is in flight


def _streams(transport: Any, loop: asyncio.AbstractEventLoop, limit: int, server_side: bool
             ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, asyncio.StreamReaderProtocol]:
    """Put a StreamReaderProtocol on an open transport (the stream code takes over)."""
    reader = asyncio.StreamReader(limit=limit, loop=loop)
    if server_side:
        # As start_server builds it: StreamWriter.start_tls reads the server side
        # from the protocol's connected callback (TLS interception needs that).
        box: list[asyncio.StreamWriter] = []
        proto = asyncio.StreamReaderProtocol(reader, lambda r, w: box.append(w), loop=loop)
        transport.set_protocol(proto)
        proto.connection_made(transport)
        return reader, box[0], proto
    proto = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport.set_protocol(proto)
    proto.connection_made(transport)
    return reader, asyncio.StreamWriter(transport, proto, reader, loop), proto


class FastClient(asyncio.Protocol):
    """One client connection while it stays on the fast path."""

    def __init__(self, srv: "ProxyServer"):
        self.srv = srv
        self.loop = asyncio.get_running_loop()
        self.transport: Any = None
        cfg = srv.state.config.proxy
        self.parser = Parser(REQUEST, max_head=cfg.max_header_bytes, max_fields=MAX_FIELDS,
                             max_body=min(FAST_BODY_MAX, cfg.max_body_bytes))
        self.raw = b""                 # bytes since the start of the request not yet dispatched
        self.pending: list[bytes] = []  # bytes that arrived while busy
        self.pending_n = 0
        self.busy = False
        self.closed = False
        self.gone = False              # handed to the stream path
        self.eof = False
        self.read_paused = False
        self.write_paused = False
        self.last = self.loop.time()
        self.served = False            # answered a request (then idle_timeout_s applies)
        self.reserved = 0              # body bytes held against the server's BodyBudget
        self.timer: asyncio.TimerHandle | None = None
        # the request in flight
        self.req: Message | None = None
        self.t: Any = None
        self.st: Any = None
        self.mname = ""
        self.out_rid = ""
        self.intent = ""               # its intent receipt, until the outcome is written
        self.attempt = 0
        self.payload = b""
        self.hout: list[tuple[str, str]] = []
        self.addrs: list[str] = []

    @property
    def in_msg(self) -> bool:
        """A request is being read (the server's idle sweep leaves it alone)."""
        return self.parser.cur is not None

    # -- asyncio.Protocol ------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        if self.srv.at_capacity():
            self.gone = True  # never served: answer and close
            transport.write(error_response(503, "too_many_connections",
                                           "the proxy is at its connection limit (proxy.max_connections); "
                                           "retry later"))
            transport.close()
            return
        self.srv.fast_conns.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._outcome("aborted=client_closed")  # a request in flight: its answer is not awaited
        self._release()
        self._cancel_timer()
        self.srv.fast_conns.discard(self)

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        if not self.busy and not self.closed and not self.gone:
            self._next()

    def eof_received(self) -> bool:
        self.eof = True
        if self.busy or self.pending:
            return True  # keep the write side open for the answer in flight
        if self.parser.cur is not None:
            self._leave()  # the stream path answers a request cut short
            return True
        return False

    def data_received(self, data: bytes) -> None:
        if self.gone:
            return
        if self.busy or self.write_paused:
            self.pending.append(data)
            self.pending_n += len(data)
            if self.pending_n > PENDING_MAX and not self.read_paused:
                self.read_paused = True
                self.transport.pause_reading()
            return
        self._feed(data)

    # -- reading ---------------------------------------------------------
    def _feed(self, data: bytes) -> None:
        self.raw = self.raw + data if self.raw else data
        p = self.parser
        p.feed(data)
        m = p.cur
        if p.error is not None or p.upgraded or (m is not None and not m.head_done):
            self._leave()  # refused (the stream path answers), or a head split across reads
            return         # (the stream path times it)
        if p.done:
            r = p.done.popleft()
            if p.done or m is not None:
                self._leave()  # pipelined: the stream path queues requests
                return
            # the fast path serves an absolute http:// URI with a common method and a
            # Content-Length body within FAST_BODY_MAX (no chunked body, Expect or Upgrade)
            if r.upgrade or r.chunked or r.expect_continue or r.too_large or \
                    r.method not in FAST_METHODS or r.target[:7].lower() != b"http://":
                self._leave()
                return
            if r.length > 0 and not self.reserved:
                if not self.srv.budget.take(r.length):
                    self._leave()  # the stream path answers 503
                    return
                self.reserved = r.length
            self._cancel_timer()
            self._guard(self._dispatch, r)
        elif m is not None:
            if m.upgrade or m.chunked or m.expect_continue or m.too_large or \
                    m.method not in FAST_METHODS or m.target[:7].lower() != b"http://":
                self._leave()  # (as above)
            elif self.timer is None:
                # The body is on its way; if it dawdles, the stream path takes it over
                # (it enforces the body deadline, rate and memory budget).
                self.timer = self.loop.call_later(1.0, self._leave)
        else:
            self.raw = b""

    def _next(self) -> None:
        """After an answer: go on with what the client sent meanwhile."""
        if self.pending:
            data = b"".join(self.pending)
            self.pending.clear()
            self.pending_n = 0
            if self.read_paused:
                self.read_paused = False
                self.transport.resume_reading()
            self._feed(data)
        elif self.eof:
            self.transport.close()

    def _outcome(self, result: str, defer: str = "") -> None:
        """The outcome receipt of the request in flight, once."""
        rid, self.intent = self.intent, ""
        if rid or result.startswith("error="):
            self.srv.rec.outcome(rid, result, "forward", defer)

    def _release(self) -> None:
        if self.reserved:
            self.srv.budget.give(self.reserved)
            self.reserved = 0

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    # -- leaving the fast path -------------------------------------------
    def _take_streams(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.gone = True
        self._release()
        self._cancel_timer()
        self.srv.fast_conns.discard(self)
        tr = self.transport
        reader, writer, proto = _streams(tr, self.loop, 256 * 1024, True)
        if self.write_paused:
            proto.pause_writing()
        data = self.raw + b"".join(self.pending)
        self.raw = b""
        self.pending.clear()
        if self.read_paused:
            self.read_paused = False
            tr.resume_reading()
        if data:
            reader.feed_data(data)
        if self.eof:
            reader.feed_eof()
        return reader, writer

    def _leave(self) -> None:
        """Hand the connection, from the start of the current request, to serve_http."""
        if self.gone or self.closed:
            return
        reader, writer = self._take_streams()
        self.srv.adopt(reader, writer, None)

    # -- one request -----------------------------------------------------
    def _dispatch(self, r: Message) -> None:
        srv = self.srv
        if srv.hooks.kill_reason() is not None or getattr(srv.state.engine, "boundary", None) is not None:
            self._leave()  # the stream path answers (503 with its receipt; secrets, egress rules)
            return
        try:
            t = parse_url(r.target.decode("latin-1"), ("http",))
        except TargetError:
            self._leave()  # the stream path answers 400
            return
        self.raw = b""
        self.busy = True
        self.req = r
        self.t = t
        self.st = st = srv.state
        self.mname = method = r.method
        self.out_rid = ""
        self.attempt = 0
        self.hout, headers = split_headers(r.headers)  # (forwarded, scanned)
        started = now()
        done = outbound_now(srv, st, "forward", t, method, headers, r.body, started, "wait")
        if done is None:  # a DNS lookup: the one step that waits
            fut = asyncio.ensure_future(st.engine.acheck_url(t.url, method))
            fut.add_done_callback(partial(self._url_done, headers, started))
            return
        self._outbound(done)

    def _url_done(self, headers: list, started: float, fut: asyncio.Future) -> None:
        if self.closed:
            return
        try:
            got: Any = fut.result()
        except BaseException as e:
            got = e if isinstance(e, Exception) else RuntimeError("lookup cancelled")
        self._guard(self._outbound_after_dns, headers, started, got)

    def _outbound_after_dns(self, headers: list, started: float, got: Any) -> None:
        self._outbound(outbound_finish(self.srv, self.st, "forward", self.t, self.mname, headers,
                                       self.req.body, got, started, defer="wait"))

    def _guard(self, fn, *args) -> None:
        """Fail closed: an internal error drops the connection (never an allow)."""
        try:
            fn(*args)
        except Exception:
            log.exception("fast path failed")
            self.busy = False
            self.transport.abort()

    def _outbound(self, done: tuple) -> None:
        """The outbound decision, its receipt queued: go on once it is written (the
        intent is on disk before a byte leaves; a block answer after its receipt)."""
        d = done[0]
        if not d.blocked:
            self.intent = d.receipt_id  # a client gone meanwhile still gets its outcome
        if not self.srv.rec.written(partial(self._written, self._outbound_go, done)):
            self._outbound_go(done)

    def _written(self, then, arg: Any, err: BaseException | None) -> None:
        """A queued receipt landed (err None: go on) or could not be written: fail closed."""
        if self.closed:
            return
        if err is not None:
            self.intent = ""  # its intent is not on disk: nothing left, no outcome owed
            self._guard(self._answer, block_response(fail_closed(err)), False)
            return
        self._guard(then, arg)

    def _outbound_go(self, done: tuple) -> None:
        r, t = self.req, self.t
        d, addrs = done
        if d.blocked:
            self._answer(block_response(d, html=wants_html(r.headers)), True)
            return
        self.out_rid = self.intent = d.receipt_id
        self.addrs = addrs
        self.payload = upstream_head(self.mname, t, self.hout, len(r.body)) + r.body
        self._send()

    def _send(self) -> None:
        t = self.t
        key = ("fast", t.host, t.port, tuple(self.addrs))
        up = self.srv.pool.take_proto(key)
        if up is not None:
            up.start(self)
            return
        fut = asyncio.ensure_future(dial(self.srv, key, t.host, t.port, self.addrs))
        fut.add_done_callback(self._dialed)

    def _dialed(self, fut: asyncio.Future) -> None:
        try:
            up = fut.result()
        except UpstreamError as e:
            if not self.closed:
                self._guard(self.upstream_failed, e, None)
            return
        except BaseException as e:
            if not self.closed:
                self._guard(self.upstream_failed, UpstreamError(502, f"upstream error: {type(e).__name__}"), None)
            return
        if self.closed:
            up.close()
            return
        self._guard(up.start, self)

    # -- upstream results --------------------------------------------------
    def upstream_failed(self, e: UpstreamError, up: "UpstreamProto | None") -> None:
        # A pooled connection the server had already closed: retry once, fresh.
        if up is not None and up.reused and up.got == 0 and self.attempt == 0:
            self.attempt = 1
            fut = asyncio.ensure_future(dial(self.srv, up.key, self.t.host, self.t.port, self.addrs))
            fut.add_done_callback(self._dialed)
            return
        self._outcome(f"error={e.rule}")
        self._answer(error_response(e.status, e.rule, str(e), self.out_rid), False)

    def upstream_done(self, up: "UpstreamProto") -> None:
        t, method = self.t, self.mname
        srv = self.srv
        status = up.status
        reason = up.reason or REASONS.get(status, "")
        self._outcome(f"status={status} bytes={up.size}" + (" too_large" if up.too_large else ""), "wait")
        if up.empty:
            self._answer(empty_reply(method, status, reason, up.headers, self.out_rid), True)
            return
        if up.too_large:
            self._answer(too_large_reply(srv, "forward", t, method, srv.state.config.proxy.max_body_bytes),
                         False)
            return
        ct = field(up.headers, "content-type")
        ce = field(up.headers, "content-encoding").strip().lower()
        raw = b"".join(up.chunks) if len(up.chunks) != 1 else up.chunks[0]
        wait = srv.state.config.receipts.wait_written
        head, body = buffered_reply(srv, "forward", t, method, status, reason, up.headers, ct, ce, raw,
                                    wants_html(self.req.headers), "wait" if wait else "trip")
        if not (wait and srv.rec.written(partial(self._written, self._reply, (head, body)))):
            self._reply((head, body))

    def _reply(self, hb: tuple[bytes, bytes]) -> None:
        head, body = hb
        if len(body) < 262144:
            self._answer(head + body, True)
        else:
            self.transport.write(head)
            self._answer(body, True)

    def upstream_streams(self, conn: Conn, raw: bytes, no_body: bool) -> None:
        """The response must stream: relay it with the stream code, on streams."""
        self.intent = ""  # _relay writes the outcome once it has read the head
        reader, writer = self._take_streams()
        resp = Response(self.srv.pool, conn, no_body, self.st.config.proxy.upstream_timeout_s)
        conn.reader.feed_data(raw)
        self.srv.adopt(reader, writer, _relay(self.srv, self.t, self.mname, resp, writer, self.out_rid,
                                              self.req.version == "1.0", self.req.keep_alive, wants_html(self.req.headers)))

    def _answer(self, data: bytes, keep: bool) -> None:
        self.busy = False
        self._release()
        if self.closed:
            return
        tr = self.transport
        tr.write(data)
        if not keep or not self.req.keep_alive:
            tr.close()
            return
        self.last = self.loop.time()
        self.served = True
        if not self.write_paused:
            self._next()


async def _relay(srv: "ProxyServer", t: Any, method: str, resp: Response, writer: asyncio.StreamWriter,
                 out_rid: str, http10: bool, keep_alive: bool, html: bool = False) -> bool:
    srv.mark("forward", t.url, method)  # a streamed response: the kill switch may close it
    told = False  # the intent's outcome is written once the head is read (or it failed)
    try:
        await resp.read_head()  # re-parses the head the fast path saw
        srv.rec.outcome(out_rid, f"status={resp.status}", "forward")
        told = True
        keep = await relay_response(srv, "forward", t, method, resp, writer, out_rid, http10, html)
    except UpstreamError as e:
        resp.close()
        if not told:
            srv.rec.outcome(out_rid, f"error={e.rule}", "forward")
        writer.write(error_response(e.status, e.rule, str(e), out_rid))
        return False
    except BaseException:
        resp.close()
        if not told:
            srv.rec.outcome(out_rid, "aborted=cancelled", "forward")
        raise
    return keep and keep_alive


class UpstreamProto(asyncio.Protocol):
    """A pooled plain-HTTP upstream connection, one response at a time."""

    def __init__(self, key: tuple):
        self.key = key
        self.loop = asyncio.get_running_loop()
        self.transport: Any = None
        self.parser = response_parser()
        self.client: FastClient | None = None
        self.reused = False
        self.closed = False
        self.idle_since = 0.0
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.reason = ""
        self.headers: list[tuple[str, str]] = []
        self.chunks: list[bytes] = []
        self.size = 0
        self.raw = b""
        self.got = 0
        self.head_done = False
        self.complete = False
        self.keep_alive = False
        self.empty = False
        self.too_large = False
        self.no_body = False
        self.timeout = 0.0
        self.deadline = 0.0  # the server's sweeper answers 504 past it (no timer per request)

    def start(self, client: FastClient) -> None:
        self._reset()
        self.client = client
        cfg = client.st.config.proxy
        self.no_body = client.mname == "HEAD"
        self.parser.max_body = cfg.max_body_bytes
        self.parser.done.clear()
        self.timeout = cfg.upstream_timeout_s
        self.deadline = self.loop.time() + self.timeout
        client.srv.inflight.add(self)
        self.transport.write(client.payload)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.transport.close()

    # asyncio.Protocol
    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.client is not None:
            self._fail(UpstreamError(502, "upstream closed the connection", "upstream_closed"))

    def data_received(self, data: bytes) -> None:
        if self.client is None:
            self.close()  # nothing was asked: an idle connection must stay silent
            return
        self.got += len(data)
        self.deadline = self.loop.time() + self.timeout
        if not self.head_done:
            self.raw += data
            if self.got > MAX_RESPONSE_HEAD:
                self._fail(UpstreamError(502, "upstream response head too large"))
                return
        p = self.parser
        p.feed(data)
        m = p.msg
        if not self.head_done and m is not None and m.head_done and self._head(m):
            return  # handed to the stream code
        if p.upgraded:
            self.complete = True
            self.keep_alive = False
        elif p.error is not None and not self.too_large:
            self._fail(UpstreamError(p.error.status, str(p.error), p.error.rule))
            return
        if m is not None and self.head_done and not self.empty:
            self.size = m.size
            if m.too_large:
                self.too_large = True
            elif m.complete:
                self.complete = True
        if self.complete or self.too_large:
            self._done()

    def eof_received(self) -> None:
        return None

    def _head(self, m: Message) -> bool:
        """The response head: True when it must stream (handed over)."""
        self.head_done = True
        st = self.status = m.status
        self.reason = m.reason
        self.headers = m.headers
        self.chunks = m.chunks
        self.keep_alive = m.keep_alive
        if self.no_body or st in (204, 304) or st < 200:
            self.empty = self.complete = True
            self.keep_alive = False  # the parser cannot be told; do not reuse
            return False
        ct = field(m.headers, "content-type")
        if not m.framed or "text/event-stream" in ct.lower() or \
                not self.client.srv.state.engine.reads_whole(ct, self.client.t.path):
            self._to_streams()
            return True
        self.raw = b""
        return False

    def header(self, name: str, default: str = "") -> str:
        return field(self.headers, name, default)

    # outcomes
    def _stop_timer(self) -> FastClient | None:
        c, self.client = self.client, None
        if c is not None:
            c.srv.inflight.discard(self)
        return c

    def timed_out(self) -> None:
        """Called by the server's sweeper once `deadline` (renewed by each read) passed."""
        if self.client is not None:
            self._fail(UpstreamError(504, "upstream timed out", "upstream_timeout"))

    def _fail(self, e: UpstreamError) -> None:
        c = self._stop_timer()
        self.close()
        if c is not None and not c.closed:
            c._guard(c.upstream_failed, e, self)

    def _done(self) -> None:
        c = self._stop_timer()
        if self.complete and self.keep_alive and not self.too_large and self.status != 101 \
                and not self.closed:
            c.srv.pool.put_proto(self)
        else:
            self.close()
        if c is not None and not c.closed:
            c._guard(c.upstream_done, self)

    def _to_streams(self) -> None:
        c = self._stop_timer()
        if c is None or c.closed or self.closed:
            self.close()
            return
        scheme, host, port, addrs = "http", self.key[1], self.key[2], self.key[3]
        reader, writer, _ = _streams(self.transport, self.loop, READ_SIZE * 4, False)
        conn = Conn((scheme, host, port, addrs), reader, writer)
        self.closed = True  # this object no longer owns the transport
        c._guard(c.upstream_streams, conn, self.raw, self.no_body)


async def dial(srv: "ProxyServer", key: tuple, host: str, port: int, addrs: list[str]) -> UpstreamProto:
    """Connect to the first vetted address that answers (as Pool.dial, as a Protocol)."""
    if not addrs:
        raise UpstreamError(502, "no vetted address to dial", "no_address")
    loop = asyncio.get_running_loop()
    last: Exception | None = None
    for addr in addrs[:4]:
        try:
            _, proto = await asyncio.wait_for(
                loop.create_connection(lambda: UpstreamProto(key), addr, port), srv.pool.connect_timeout)
            return proto
        except asyncio.TimeoutError:
            last = UpstreamError(504, f"connect to {host}:{port} timed out", "upstream_timeout")
        except OSError as e:
            last = UpstreamError(502, f"connect to {host}:{port} failed: {e.strerror or e}",
                                 "upstream_unreachable")
    assert last is not None
    raise last


__all__ = ["FastClient", "UpstreamProto", "dial", "AGENT_CARD_PATHS", "HttpError"]
