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
from .bridge import Guard, mcp_opt
from .jsonrpc import LineSplitter
from .sse import SseError, SseSplitter, event_bytes

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
    """Guards by session key (Mcp-Session-Id, else the peer address), LRU-bounded."""

    def __init__(self, engine: Any, writer: Any, transport: str, cap: int):
        self.engine, self.writer, self.transport, self.cap = engine, writer, transport, cap
        self._d: collections.OrderedDict[str, Guard] = collections.OrderedDict()

    def get(self, key: str) -> Guard:
        g = self._d.get(key)
        if g is None:
            g = Guard(self.engine, self.writer, self.transport, key[:128])
            self._d[key] = g
            while len(self._d) > self.cap:
                self._d.popitem(last=False)
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
    def __init__(self, engine: Any, writer: Any, upstream: str):
        self.engine = engine
        self.cfg = engine.config
        self.upstream = upstream
        u = urlsplit(upstream)
        self.origin = f"{u.scheme}://{u.netloc}"
        self.up_path = u.path or "/"
        self.sessions = Sessions(engine, writer, "mcp_http", mcp_opt(self.cfg, 'max_sessions', 1000))
        self.client: Any = None

    def target(self, path_qs: str, path: str) -> str:
        if path in ("/", self.up_path):
            return self.upstream + (path_qs[len(path):] if len(path_qs) > len(path) else "")
        return self.origin + path_qs

    async def start(self) -> None:
        import aiohttp
        self.client = aiohttp.ClientSession(
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=None, connect=10, sock_read=mcp_opt(self.cfg, 'upstream_timeout_s', 300.0)),
            connector=aiohttp.TCPConnector(limit=256, ttl_dns_cache=60))

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()

    def _headers(self, request: Any) -> dict[str, str]:
        h = {k: v for k, v in request.headers.items() if k.lower() in PASS_REQUEST}
        h["Accept-Encoding"] = "identity"
        return h

    def _json_response(self, status: int, body: bytes, extra: dict[str, str] | None = None) -> Any:
        from aiohttp import web
        return web.Response(status=status, body=body, content_type="application/json", headers=extra)

    async def handle(self, request: Any) -> Any:
        from aiohttp import web
        try:
            if request.method == "POST":
                return await self._post(request)
            if request.method in ("GET", "DELETE"):
                return await self._other(request)
            return web.Response(status=405, headers={"Allow": "GET, POST, DELETE"})
        except asyncio.CancelledError:
            raise
        except Exception as e:  # fail closed, never a traceback to the client
            print(f"ringfence: MCP HTTP proxy error: {type(e).__name__}: {e}", file=sys.stderr)
            return self._json_response(502, jsonrpc.error_bytes(None, jsonrpc.UPSTREAM_GONE,
                                                                "ringfence: upstream error"))

    def _key(self, request: Any) -> str:
        sid = request.headers.get("Mcp-Session-Id")
        if sid:
            return "sid:" + sid[:200]
        return "peer:" + str(request.remote)

    async def _post(self, request: Any) -> Any:
        from aiohttp import web
        cap = self.cfg.mcp.max_message_bytes
        body = await _read_capped(request.content, cap)
        key = self._key(request)
        guard = self.sessions.get(key)
        o = guard.from_client(LineSplitter.OVERSIZE if body is None else body)
        if o.to_server is None:
            if o.to_client is not None:
                return self._json_response(200, o.to_client)
            return self._json_response(403, jsonrpc.error_bytes(
                None, jsonrpc.BLOCKED, "ringfence: message blocked",
                {"receipt_id": o.decision.receipt_id if o.decision else ""}))
        try:
            resp = await self.client.post(self.target(request.path_qs, request.path), data=o.to_server,
                                          headers=self._headers(request))
        except Exception as e:
            errs = guard.fail_pending("upstream_unreachable", f"MCP upstream unreachable ({type(e).__name__})",
                                      [o.request_key] if o.request_key else [])
            return self._json_response(502, errs[0] if errs else jsonrpc.error_bytes(
                None, jsonrpc.UPSTREAM_GONE, "ringfence: MCP upstream unreachable"))
        try:
            sid = resp.headers.get("Mcp-Session-Id")
            if sid and not request.headers.get("Mcp-Session-Id"):
                self.sessions.rekey(key, "sid:" + sid[:200], guard)
            return await self._relay_response(request, resp, guard, o.request_key)
        finally:
            resp.release()

    async def _other(self, request: Any) -> Any:
        from aiohttp import web
        key = self._key(request)
        try:
            resp = await self.client.request(request.method, self.target(request.path_qs, request.path),
                                             headers=self._headers(request))
        except Exception:
            return self._json_response(502, jsonrpc.error_bytes(None, jsonrpc.UPSTREAM_GONE,
                                                                "ringfence: MCP upstream unreachable"))
        try:
            if request.method == "DELETE" and resp.status < 300:
                self.sessions.drop(key)
            return await self._relay_response(request, resp, self.sessions.get(key), None)
        finally:
            resp.release()

    async def _relay_response(self, request: Any, resp: Any, guard: Guard, req_key: tuple | None) -> Any:
        from aiohttp import web
        headers = {k: v for k, v in resp.headers.items() if k.lower() in PASS_RESPONSE}
        enc = resp.headers.get("Content-Encoding", "identity").strip().lower()
        ctype = resp.headers.get("Content-Type", "")
        if enc not in ("", "identity"):
            guard.forget(req_key)
            errs = guard.fail_pending("encoded_response", "upstream sent a compressed body", [req_key] if req_key else [])
            return self._json_response(502, errs[0] if errs else b"")
        if _is_sse(ctype) and resp.status < 300:
            return await self._relay_sse(request, resp, guard, req_key, headers)
        body = await _read_capped(resp.content, self.cfg.mcp.max_message_bytes)
        if body is None:
            errs = guard.fail_pending("oversize", "upstream response too large", [req_key] if req_key else [])
            return self._json_response(502, errs[0] if errs else b"")
        headers.pop("Content-Type", None)
        headers.pop("content-type", None)
        if not body.strip():
            guard.forget(req_key)
            return web.Response(status=resp.status, body=body, headers=headers,
                                content_type=ctype.split(";")[0] or None)
        if _is_json(ctype):
            o = guard.from_server(body)
            if o.to_server is not None:
                await self._post_back(request, o.to_server)
            if o.to_client is not None:
                return web.Response(status=resp.status, body=o.to_client.rstrip(b"\n") if o.to_client is not body else body,
                                    headers=headers, content_type="application/json")
            errs = guard.fail_pending("bad_upstream_response", "upstream answer was dropped",
                                      [req_key] if req_key else [])
            if errs:
                return self._json_response(502, errs[0])
            return web.Response(status=202 if resp.status < 300 else resp.status, headers=headers)
        # Not JSON-RPC (an HTTP error page, OAuth metadata...): scan as inbound text.
        guard.forget(req_key)
        d = self.engine.scan_response(body, ctype)
        if d.blocked:
            return self._json_response(502, jsonrpc.error_bytes(None, jsonrpc.BLOCKED,
                                                                f"ringfence: blocked by {d.reason}"))
        return web.Response(status=resp.status, body=body, headers=headers, content_type=ctype.split(";")[0] or None)

    async def _relay_sse(self, request: Any, resp: Any, guard: Guard, req_key: tuple | None,
                         headers: dict[str, str]) -> Any:
        from aiohttp import web
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        out = web.StreamResponse(status=resp.status, headers=headers)
        out.content_type = "text/event-stream"
        await out.prepare(request)
        split = SseSplitter(self.cfg.mcp.max_message_bytes)
        try:
            while True:
                chunk = await resp.content.readany()
                events = split.feed(chunk) if chunk else split.finish()
                for raw, data, eid in events:
                    if data is None:
                        await out.write(raw)
                        continue
                    o = guard.from_server(data)
                    if o.to_server is not None:
                        await self._post_back(request, o.to_server)
                    if o.to_client is not None:
                        await out.write(raw if o.to_client is data else event_bytes(o.to_client, eid))
                if not chunk:
                    break
        except (SseError, Exception) as e:
            rule = "oversize" if isinstance(e, SseError) else "stream_error"
            for err in guard.fail_pending(rule, f"upstream stream failed ({type(e).__name__})",
                                          [req_key] if req_key else []):
                await out.write(event_bytes(err))
            await out.write_eof()
            return out
        if req_key is not None:  # stream ended without our answer
            for err in guard.fail_pending("stream_ended", "upstream closed the stream before answering", [req_key]):
                await out.write(event_bytes(err))
        await out.write_eof()
        return out

    async def _post_back(self, request: Any, data: bytes) -> None:
        """Answer a blocked server->client request to the server (so it does not wait)."""
        try:
            async with self.client.post(self.upstream, data=data.rstrip(b"\n"),
                                        headers=self._headers(request)) as r:
                await r.read()
        except Exception:
            pass


async def serve_async(engine: Any, writer: Any, upstream: str, host: str, port: int,
                      ready: Any = None, stop: asyncio.Event | None = None) -> int:
    from aiohttp import web
    proxy = ReverseProxy(engine, writer, upstream)
    await proxy.start()
    app = web.Application(client_max_size=engine.config.mcp.max_message_bytes + 1)
    app.router.add_route("*", "/{tail:.*}", proxy.handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
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
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await proxy.close()
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
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self.client: Any = None
        self.out: Any = None
        self.inflight: set[asyncio.Task] = set()
        self.get_task: asyncio.Task | None = None

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
            await self.out.write(_one_line(data))

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

    async def from_server(self, data: bytes) -> None:
        o = self.guard.from_server(data)
        if o.to_client is not None:
            if o.to_client is data:
                self._note_version(data)
            await self.emit(o.to_client)
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
            async with self.client.post(self.upstream, data=line.rstrip(b"\r\n"), headers=headers) as resp:
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
        while True:
            chunk = await resp.content.readany()
            for _, data, _ in (split.feed(chunk) if chunk else split.finish()):
                if data is not None and data.strip():
                    await self.from_server(data)
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
                async with self.client.get(self.upstream, headers=h) as resp:
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
        self.client = aiohttp.ClientSession(
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=None, connect=10, sock_read=mcp_opt(self.cfg, 'upstream_timeout_s', 300.0)))
        self.out = _Out()
        await self.out.open()
        reader, fileobj = await _open_stdin()
        split = LineSplitter(self.cfg.mcp.max_message_bytes)
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
                    async with self.client.delete(self.upstream, headers=h,
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
