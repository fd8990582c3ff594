"""MCP over Streamable HTTP: a reverse proxy (`--upstream URL --listen H:P`)
and a stdio-to-HTTP bridge (`--upstream URL` alone).

Every JSON-RPC message goes through the same Guard as stdio. JSON bodies are
forwarded as the original bytes on allow; SSE responses are split into events
and each event is scanned and flushed on its own (a clean event is written at
once, a blocked one is replaced by a JSON-RPC error event). Mcp-Session-Id,
MCP-Protocol-Version, Authorization and Last-Event-ID pass through. Compressed
upstream bodies are refused (we ask for identity), so scanners see plain text.
"""
from __future__ import annotations

import asyncio
import collections
import sys
import uuid
from typing import Any
from urllib.parse import urlsplit

from . import jsonrpc
from .boundary import client_name, scrub, upstream_request
from .bridge import HOUSEKEEPING, Guard, mcp_opt
from .jsonrpc import LineSplitter
from .sse import CrossEventScan, SseError, SseSplitter, event_bytes

# Request headers we pass upstream (everything else is dropped: hop-by-hop,
# cookies for other origins, encodings we would have to undo).
PASS_REQUEST = {"authorization", "mcp-session-id", "mcp-protocol-version", "last-event-id", "accept",
                "content-type", "user-agent", "mcp-method", "mcp-name"}
PASS_RESPONSE = {"content-type", "mcp-session-id", "mcp-protocol-version", "www-authenticate",
                 "cache-control", "allow", "retry-after", "location"}
CHUNK = 65536


def _is_sse(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == "text/event-stream"


def _is_json(content_type: str) -> bool:
    ct = content_type.split(";")[0].strip().lower()
    return ct == "application/json" or ct.endswith("+json")


class Sessions:
    """Guards by session key (Mcp-Session-Id, else the peer address), LRU-bounded.

    Each Guard holds its session's ToolSession, so session binding (a call to a
    tool the session never listed) holds per Mcp-Session-Id. An evicted session
    that comes back gets a Guard that refuses every tool call until the client
    lists tools again: eviction (e.g. forced by opening many sessions) must not
    lift the binding.
    """

    def __init__(self, engine: Any, writer: Any, transport: str, cap: int, server: str = ""):
        self.engine, self.writer, self.transport, self.cap = engine, writer, transport, cap
        self.server = server
        self.kill: Any = None   # the kill switch's reason(), given to every Guard
        self._d: collections.OrderedDict[str, Guard] = collections.OrderedDict()
        self._evicted: collections.OrderedDict[str, None] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._d)

    def get(self, key: str) -> Guard:
        g = self._d.get(key)
        if g is None:
            g = Guard(self.engine, self.writer, self.transport, key[:128], server=self.server)
            g.kill = self.kill
            if self._evicted.pop(key, 0) is None:
                g.tool_session.listed = True   # binding stays armed: nothing is listed yet
            self._d[key] = g
            while len(self._d) > self.cap:
                old, og = self._d.popitem(last=False)
                if og._tools_session is not None and og._tools_session.listed:
                    self._evicted[old] = None
                    while len(self._evicted) > self.cap * 10:
                        self._evicted.popitem(last=False)
        else:
            self._d.move_to_end(key)
        return g

    def rekey(self, old: str, new: str, guard: Guard) -> None:
        if old != new and self._d.get(old) is guard:
            del self._d[old]
            guard.session_id = new[:128]
            self._d[new] = guard

    def drop(self, key: str) -> None:
        self._d.pop(key, None)
        self._evicted.pop(key, None)


async def _read_capped(content: Any, cap: int) -> bytes | None:
    """Read a whole body, or None when it is larger than cap."""
    buf = bytearray()
    while True:
        chunk = await content.read(CHUNK)
        if not chunk:
            return bytes(buf)
        buf += chunk
        if len(buf) > cap:
            return None


# ---------------------------------------------------------------------------
# Reverse proxy
# ---------------------------------------------------------------------------

class ReverseProxy:
    """Streamable HTTP reverse proxy on the h1 server and a keep-alive upstream pool.
    Bodies go upstream as the bytes the client sent (never re-serialised)."""

    def __init__(self, engine: Any, writer: Any, upstream: str, listen_host: str = ""):
        from .h1 import UpstreamPool
        from .rebinding import HostOriginGuard
        self.guard = HostOriginGuard(mcp_opt(engine.config, "allowed_hosts", []),
                                     mcp_opt(engine.config, "allowed_origins", []), listen_host)
        self.engine = engine
        self.cfg = engine.config
        self.upstream = upstream
        u = urlsplit(upstream)
        self.up_path = u.path or "/"
        self.up_target = self.up_path + (f"?{u.query}" if u.query else "")
        self.sessions = Sessions(engine, writer, "mcp_http", mcp_opt(self.cfg, 'max_sessions', 1000))
        from .kill import kill_switch, reason_of
        self.killswitch = kill_switch(self.cfg)
        self.sessions.kill = reason_of(self.killswitch)
        self.pool = UpstreamPool(upstream, connect_timeout=10.0,
                                 read_timeout=mcp_opt(self.cfg, 'upstream_timeout_s', 300.0))

    def target(self, req: Any) -> str:
        """Our endpoint maps to the upstream endpoint; other paths (OAuth metadata...) map 1:1."""
        path = req.path
        if path in ("/", self.up_path):
            query = req.target[len(path):]
            if query and "?" in self.up_target:
                query = "&" + query[1:]
            return self.up_target + query
        return req.target

    def close(self) -> None:
        self.pool.close()

    @staticmethod
    def _headers(req: Any) -> list[tuple[str, str]]:
        h = [(k, v) for k, v in req.headers if k in PASS_REQUEST]
        h.append(("Accept-Encoding", "identity"))
        return h

    @staticmethod
    def _json(resp: Any, status: int, body: bytes, headers: list[tuple[str, str]] | None = None) -> None:
        resp.send(status, body, headers, "application/json")

    async def handle(self, req: Any, resp: Any) -> None:
        try:
            refused = self.guard.check(req.header("host"), req.header("origin"))
            if refused:
                status, msg = refused
                return self._json(resp, status, jsonrpc.error_bytes(None, jsonrpc.BLOCKED, f"ringfence: {msg}"))
            if req.method == "POST":
                return await self._post(req, resp)
            if req.method in ("GET", "DELETE"):
                return await self._other(req, resp)
            resp.send(405, b"", [("Allow", "GET, POST, DELETE")])
        except asyncio.CancelledError:
            raise
        except Exception as e:  # fail closed, never a traceback to the client
            print(f"ringfence: MCP HTTP proxy error: {type(e).__name__}: {e}", file=sys.stderr)
            if not resp.started:
                self._json(resp, 502, jsonrpc.error_bytes(None, jsonrpc.UPSTREAM_GONE, "ringfence: upstream error"))
            else:
                resp.conn.keep_alive_now = False
                resp.end()

    @staticmethod
    def _key(req: Any) -> str:
        sid = req.header("mcp-session-id")
        if sid:
            return "sid:" + sid[:200]
        return "peer:" + req.peer

    async def _post(self, req: Any, resp: Any) -> None:
        from .h1 import UpstreamError
        body = req.body
        key = self._key(req)
        if key.startswith("peer:") and body is not None and b'"initialize"' in body:
            # A new session: its own Guard (re-keyed to the server's Mcp-Session-Id below),
            # so clients initialising at once from one address do not share state.
            key = "init:" + uuid.uuid4().hex
        guard = self.sessions.get(key)
        o = guard.from_client(LineSplitter.OVERSIZE if body is None else body)
        if o.to_server is None:
            if o.to_client is not None:
                return self._json(resp, 200, o.to_client)
            return self._json(resp, 403, jsonrpc.error_bytes(
                None, jsonrpc.BLOCKED, "ringfence: message blocked",
                {"receipt_id": o.decision.receipt_id} if o.decision and o.decision.receipt_id else {}))
        guard.agent = client_name(o.message) or getattr(guard, "agent", "") or req.header("x-agent")[:128]
        hdrs, data, blocked = upstream_request(  # secrets and egress rules
            self.engine, guard.writer, "mcp_http", guard.session_id, self.upstream, "POST",
            self._headers(req), o.to_server, guard.agent)
        if blocked is not None:
            guard.forget(o.request_key, "aborted=blocked_before_send")
            return self._json(resp, 403, blocked)
        try:
            call = self.pool.request("POST", self.target(req), hdrs, data)
            housekeeping = isinstance(o.message, dict) and o.message.get("method") in HOUSEKEEPING
            up = await (call if housekeeping else _until_killed(guard, call))
        except _Killed as k:
            errs = guard.kill_pending(k.reason, [o.request_key] if o.request_key else [])
            return self._json(resp, 200, errs[0] if errs else jsonrpc.error_bytes(
                None, jsonrpc.BLOCKED, "ringfence: blocked by killswitch:killswitch"))
        except (UpstreamError, OSError) as e:
            errs = guard.fail_pending("upstream_unreachable", f"MCP upstream unreachable ({type(e).__name__})",
                                      [o.request_key] if o.request_key else [])
            return self._json(resp, 502, errs[0] if errs else jsonrpc.error_bytes(
                None, jsonrpc.UPSTREAM_GONE, "ringfence: MCP upstream unreachable"))
        try:
            sid = up.header("mcp-session-id")
            if sid and not req.header("mcp-session-id"):
                self.sessions.rekey(key, "sid:" + sid[:200], guard)
            elif key.startswith("init:"):
                self.sessions.drop(key)
            await self._relay_response(req, resp, up, guard, o.request_key)
        finally:
            up.release()

    async def _other(self, req: Any, resp: Any) -> None:
        from .h1 import UpstreamError
        key = self._key(req)
        g = self.sessions.get(key)
        hdrs, _, blocked = upstream_request(self.engine, g.writer, "mcp_http", g.session_id, self.upstream,
                                            req.method, self._headers(req), b"",
                                            getattr(g, "agent", "") or req.header("x-agent")[:128])
        if blocked is not None:
            return self._json(resp, 403, blocked)
        try:
            up = await self.pool.request(req.method, self.target(req), hdrs)
        except (UpstreamError, OSError):
            return self._json(resp, 502, jsonrpc.error_bytes(None, jsonrpc.UPSTREAM_GONE,
                                                             "ringfence: MCP upstream unreachable"))
        try:
            if req.method == "DELETE" and up.status < 300:
                self.sessions.drop(key)
            await self._relay_response(req, resp, up, self.sessions.get(key), None)
        finally:
            up.release()

    async def _relay_response(self, req: Any, resp: Any, up: Any, guard: Guard, req_key: tuple | None) -> None:
        headers = [(k, v) for k, v in up.headers if k in PASS_RESPONSE and k != "content-type"]
        enc = up.header("content-encoding", "identity").strip().lower()
        ctype = up.header("content-type")
        if enc not in ("", "identity"):
            errs = guard.fail_pending("encoded_response", "upstream sent a compressed body", [req_key] if req_key else [])
            return self._json(resp, 502, errs[0] if errs else b"")
        if _is_sse(ctype) and up.status < 300:
            return await self._relay_sse(req, resp, up, guard, req_key, headers)
        body = await up.read_capped(self.cfg.mcp.max_message_bytes)
        if body is None:
            errs = guard.fail_pending("oversize", "upstream response too large", [req_key] if req_key else [])
            return self._json(resp, 502, errs[0] if errs else b"")
        plain_type = ctype.split(";")[0].strip() or None
        if not body.strip():
            guard.forget(req_key)
            return resp.send(up.status, body, headers, plain_type)
        if _is_json(ctype):
            o = guard.from_server(body)
            if o.to_server is not None:
                await self._post_back(req, o.to_server)
            if o.to_client is not None:
                out = body if o.to_client is body else o.to_client.rstrip(b"\n")
                return resp.send(up.status, scrub(self.engine, out), headers, "application/json")
            if o.answers:   # the answer was refused: the request gets that error
                return self._json(resp, 200, o.answers[0])
            errs = guard.fail_pending("bad_upstream_response", "upstream answer was dropped",
                                      [req_key] if req_key else [])
            if errs:
                return self._json(resp, 502, errs[0])
            return resp.send(202 if up.status < 300 else up.status, b"", headers)
        # Not JSON-RPC (an HTTP error page, OAuth metadata...): scan as inbound text.
        guard.forget(req_key)
        d = self.engine.scan_response(body, ctype)
        if d.blocked:
            return self._json(resp, 502, jsonrpc.error_bytes(None, jsonrpc.BLOCKED, f"ringfence: blocked by {d.reason}"))
        return resp.send(up.status, scrub(self.engine, body), headers, plain_type)

    async def _relay_sse(self, req: Any, resp: Any, up: Any, guard: Guard, req_key: tuple | None,
                         headers: list[tuple[str, str]]) -> None:
        resp.start_stream(up.status, headers, "text/event-stream")
        split = SseSplitter(self.cfg.mcp.max_message_bytes)
        cross = CrossEventScan(self.engine)
        hk = req_key is not None and guard.pending.get(req_key, ("",))[0] in HOUSEKEEPING
        try:
            while True:
                try:
                    chunk = await (up.readany() if hk else _until_killed(guard, up.readany()))
                except _Killed as k:   # a long-lived stream ends within POLL_S, with a receipt
                    errs = guard.kill_pending(k.reason, [req_key] if req_key else [])
                    if not errs:
                        guard._killed(k.reason, "inbound", "stream", "GET" if req_key is None else "POST", "stream")
                    for err in errs:
                        await _quiet_write(resp, event_bytes(err))
                    resp.conn.keep_alive_now = False
                    resp.end()
                    return
                events = split.feed(chunk) if chunk else split.finish()
                for raw, data, eid in events:
                    if data is None:
                        await resp.write(raw)
                        continue
                    o = guard.from_server(data, cross)
                    if o.to_server is not None:
                        await self._post_back(req, o.to_server)
                    if o.to_client is not None:
                        await resp.write(scrub(self.engine, raw if o.to_client is data
                                               else event_bytes(o.to_client, eid)))
                    for err in o.answers:
                        await resp.write(event_bytes(err))
                if not chunk:
                    break
        except ConnectionResetError:  # the client left: stop reading upstream (release closes it)
            guard.forget(req_key, "aborted=client_closed")
            return
        except Exception as e:
            rule = "oversize" if isinstance(e, SseError) else "stream_error"
            for err in guard.fail_pending(rule, f"upstream stream failed ({type(e).__name__})",
                                          [req_key] if req_key else []):
                await _quiet_write(resp, event_bytes(err))
            resp.end()
            return
        if req_key is not None:  # stream ended without our answer
            for err in guard.fail_pending("stream_ended", "upstream closed the stream before answering", [req_key]):
                await _quiet_write(resp, event_bytes(err))
        resp.end()

    async def _post_back(self, req: Any, data: bytes) -> None:
        """Answer a blocked server->client request to the server (so it does not wait)."""
        try:
            up = await self.pool.request("POST", self.up_target, self._headers(req), data.rstrip(b"\n"))
            try:
                await up.read_capped(65536)
            finally:
                up.release()
        except Exception:
            pass


class _Killed(Exception):
    def __init__(self, reason: str):
        self.reason = reason


async def _until_killed(guard: Guard, aw: Any) -> Any:
    """Await `aw`, unless the kill switch goes on first (polled every POLL_S):
    then `aw` is cancelled and _Killed raised."""
    from .kill import POLL_S
    reason = guard.kill_reason()
    if reason is not None:
        aw.close() if asyncio.iscoroutine(aw) else None
        raise _Killed(reason)
    task = asyncio.ensure_future(aw)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=POLL_S)
            if done:
                return task.result()
            reason = guard.kill_reason()
            if reason is not None:
                task.cancel()
                try:
                    await task
                except BaseException:
                    pass
                raise _Killed(reason)
    except asyncio.CancelledError:
        task.cancel()
        raise


async def _quiet_write(resp: Any, data: bytes) -> None:
    try:
        await resp.write(data)
    except ConnectionResetError:
        pass


async def serve_async(engine: Any, writer: Any, upstream: str, host: str, port: int,
                      ready: Any = None, stop: asyncio.Event | None = None) -> int:
    from .h1 import start_server
    proxy = ReverseProxy(engine, writer, upstream, host)
    engine.tool_session()  # build the MCP scanners now, not on the first request
    import gc
    gc.freeze()  # start-up objects (compiled rules, tables) leave the collector's per-request walks
    server = await start_server(proxy.handle, host, port, engine.config.mcp.max_message_bytes)
    bound = server.sockets[0].getsockname()[1] if server.sockets else port
    print(f"ringfence: MCP HTTP proxy on http://{host}:{bound} -> {upstream}", file=sys.stderr, flush=True)
    if ready is not None:
        ready(bound)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    from .kill import on_sigusr1
    on_sigusr1(proxy.killswitch)
    try:
        await stop.wait()
    finally:
        server.close()
        proxy.close()
    return 0


def _runner():
    try:
        import uvloop
        return asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:
        return asyncio.Runner()


def serve(engine: Any, writer: Any, upstream: str, host: str, port: int) -> int:
    with _runner() as r:
        return r.run(serve_async(engine, writer, upstream, host, port))


# ---------------------------------------------------------------------------
# stdio -> Streamable HTTP bridge
# ---------------------------------------------------------------------------

VERSION_META_KEY = "io.modelcontextprotocol/protocolVersion"
NAME_PARAM = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


def _header_value(value: str) -> str:
    """Printable ASCII as is; anything else in the =?base64?...?= form MCP defines."""
    if all(0x20 <= ord(c) <= 0x7E for c in value) and value == value.strip() and not value.startswith("=?base64?"):
        return value
    import base64
    return "=?base64?" + base64.b64encode(value.encode("utf-8")).decode("ascii") + "?="


def routing_headers(msg: Any) -> dict[str, str]:
    """2026-07-28 requests carry their version, method and name in headers too."""
    if not isinstance(msg, dict) or not isinstance(msg.get("method"), str):
        return {}
    params = msg.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    version = meta.get(VERSION_META_KEY) if isinstance(meta, dict) else None
    if not isinstance(version, str):
        return {}
    h = {"MCP-Protocol-Version": _header_value(version), "Mcp-Method": _header_value(msg["method"])}
    key = NAME_PARAM.get(msg["method"])
    if key and isinstance(params.get(key), str):
        h["Mcp-Name"] = _header_value(params[key])
    return h


def _one_line(data: bytes) -> bytes:
    """JSON text on one line. Raw CR/LF can only be whitespace between tokens
    in valid JSON, so dropping them keeps the meaning (and usually the bytes)."""
    data = data.strip()
    if b"\n" in data or b"\r" in data:
        data = data.replace(b"\r", b"").replace(b"\n", b"")
    return data + b"\n"


class Bridge:
    def __init__(self, engine: Any, writer: Any, upstream: str):
        self.engine = engine
        self.cfg = engine.config
        self.upstream = upstream
        self.guard = Guard(engine, writer, "mcp_http", uuid.uuid4().hex, server=upstream)
        from .kill import kill_switch, reason_of
        self.killswitch = kill_switch(self.cfg)
        self.guard.kill = reason_of(self.killswitch)
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self.client: Any = None
        self.out: Any = None
        self.inflight: set[asyncio.Task] = set()
        self.get_task: asyncio.Task | None = None
        self.agent = ""

    def headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
             "Accept-Encoding": "identity"}
        if self.session_id:
            h["Mcp-Session-Id"] = self.session_id
        if self.protocol_version:
            h["MCP-Protocol-Version"] = self.protocol_version
        return h

    async def emit(self, data: bytes | None) -> None:
        if data is not None:
            await self.out.write(_one_line(scrub(self.engine, data)))

    def _upstream(self, method: str, headers: dict[str, str], body: bytes = b"") -> tuple[Any, bytes, bytes | None]:
        """Secrets and egress rules on a request to the upstream: (headers, body, error)."""
        h, data, err = upstream_request(self.engine, self.guard.writer, "mcp_http", self.guard.session_id,
                                        self.upstream, method, list(headers.items()), body, self.agent)
        return h, data, err

    def _note_version(self, data: bytes) -> None:
        # Remember the negotiated protocol version (2025-06-18 needs the header after initialize).
        if b'"protocolVersion"' in data:
            try:
                msg = jsonrpc.parse(data)
                v = msg.get("result", {}).get("protocolVersion") if isinstance(msg, dict) else None
                if isinstance(v, str) and len(v) < 40:
                    self.protocol_version = v
            except (jsonrpc.JsonRpcError, AttributeError):
                pass

    async def from_server(self, data: bytes, stream: Any = None) -> None:
        o = self.guard.from_server(data, stream)
        if o.to_client is not None:
            if o.to_client is data:
                self._note_version(data)
            await self.emit(o.to_client)
        for err in o.answers:
            await self.emit(err)
        if o.to_server is not None:
            self._spawn(self.post(o.to_server, None))

    def _spawn(self, coro: Any) -> None:
        t = asyncio.create_task(coro)
        self.inflight.add(t)
        t.add_done_callback(self.inflight.discard)

    async def post(self, line: bytes, req_key: tuple | None, msg: Any = None) -> None:
        try:
            headers = self.headers()
            headers.update(routing_headers(msg))
            self.agent = client_name(msg) or self.agent
            hdrs, data, err = self._upstream("POST", headers, line.rstrip(b"\r\n"))
            if err is not None:
                self.guard.forget(req_key)
                return await self.emit(err)
            async with self.client.post(self.upstream, data=data, headers=hdrs,
                                        proxy=self.via) as resp:
                sid = resp.headers.get("Mcp-Session-Id")
                if sid and sid != self.session_id:
                    self.session_id = sid
                    self.guard.session_id = sid[:128]
                    if self.get_task is None:
                        self.get_task = asyncio.create_task(self.listen())
                enc = resp.headers.get("Content-Encoding", "identity").strip().lower()
                ctype = resp.headers.get("Content-Type", "")
                if enc not in ("", "identity"):
                    raise IOError("upstream sent a compressed body")
                if resp.status >= 400:
                    body = await _read_capped(resp.content, 65536) or b""
                    if _is_json(ctype) and body.strip():
                        await self.from_server(body)
                    if req_key in self.guard.pending:
                        for err in self.guard.fail_pending("upstream_http_error",
                                                           f"MCP upstream answered HTTP {resp.status}", [req_key]):
                            await self.emit(err)
                    return
                if _is_sse(ctype):
                    await self.read_sse(resp)
                else:
                    body = await _read_capped(resp.content, self.cfg.mcp.max_message_bytes)
                    if body is None:
                        raise IOError("upstream response too large")
                    if body.strip():
                        await self.from_server(body)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            for err in self.guard.fail_pending("upstream_error", f"MCP upstream failed ({type(e).__name__})",
                                               [req_key] if req_key else []):
                await self.emit(err)
            return
        if req_key is not None and req_key in self.guard.pending:
            for err in self.guard.fail_pending("stream_ended", "upstream closed without answering", [req_key]):
                await self.emit(err)

    async def read_sse(self, resp: Any) -> None:
        split = SseSplitter(self.cfg.mcp.max_message_bytes)
        cross = CrossEventScan(self.engine)
        while True:
            chunk = await resp.content.readany()
            for _, data, _ in (split.feed(chunk) if chunk else split.finish()):
                if data is not None and data.strip():
                    await self.from_server(data, cross)
            if not chunk:
                return

    async def listen(self) -> None:
        """The optional GET stream for server-initiated messages, with backoff (1 s .. 30 s)."""
        delay = 1.0
        while True:
            try:
                h = self.headers()
                h.pop("Content-Type", None)
                h["Accept"] = "text/event-stream"
                hdrs, _, err = self._upstream("GET", h)
                if err is not None:
                    return
                async with self.client.get(self.upstream, headers=hdrs, proxy=self.via) as resp:
                    if resp.status in (404, 405) or resp.status >= 400 and resp.status != 503:
                        return  # the server offers no GET stream
                    if _is_sse(resp.headers.get("Content-Type", "")):
                        delay = 1.0
                        await self.read_sse(resp)
            except asyncio.CancelledError:
                raise
            except Exception:
                pass
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

    async def run(self) -> int:
        import aiohttp

        from .stdio import _open_stdin, _Out
        from .upproxy import proxy_for
        u = urlsplit(self.upstream)
        via = proxy_for(u.scheme, u.hostname or "")  # HTTPS_PROXY etc. (e.g. inside exec --contain)
        self.via = (f"http://[{via[0]}]:{via[1]}" if ":" in via[0] else f"http://{via[0]}:{via[1]}") if via else None
        self.client = aiohttp.ClientSession(
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=None, connect=10, sock_read=mcp_opt(self.cfg, 'upstream_timeout_s', 300.0)))
        self.out = _Out()
        await self.out.open()
        reader, fileobj = await _open_stdin()
        split = LineSplitter(self.cfg.mcp.max_message_bytes)
        from .kill import on_sigusr1, watch

        async def on_kill(reason: str) -> None:
            for err in self.guard.kill_pending(reason):
                await self.emit(err)
        on_sigusr1(self.killswitch)
        watch_task = asyncio.create_task(watch(self.guard.kill_reason, on_kill))
        try:
            while True:
                chunk = await reader.read(CHUNK) if reader is not None else \
                    await asyncio.to_thread(fileobj.read1, CHUNK)
                for line in (split.feed(chunk) if chunk else split.finish()):
                    o = self.guard.from_client(line)
                    if o.to_client is not None:
                        await self.emit(o.to_client)
                    if o.to_server is not None:
                        self._spawn(self.post(o.to_server, o.request_key, o.message))
                if not chunk:
                    break
            if self.inflight:
                await asyncio.wait(set(self.inflight), timeout=mcp_opt(self.cfg, 'shutdown_timeout_s', 5.0))
        finally:
            watch_task.cancel()
            for t in list(self.inflight):
                t.cancel()
            if self.get_task is not None:
                self.get_task.cancel()
            for err in self.guard.fail_pending("shutdown", "ringfence shut down before the upstream answered"):
                await self.emit(err)
            if self.session_id:
                try:
                    h = self.headers()
                    h.pop("Content-Type", None)
                    hdrs, _, err = self._upstream("DELETE", h)
                    if err is not None:
                        raise IOError("DELETE refused by egress rules")
                    async with self.client.delete(self.upstream, headers=hdrs, proxy=self.via,
                                                  timeout=aiohttp.ClientTimeout(total=2)) as r:
                        await r.read()
                except Exception:
                    pass
            await self.client.close()
            await self.out.close()
        return 0


def run_bridge(engine: Any, writer: Any, upstream: str) -> int:
    # stdlib loop: uvloop aborts when a watched stdin/stdout pipe closes at EOF
    with asyncio.Runner() as r:
        return r.run(Bridge(engine, writer, upstream).run())
