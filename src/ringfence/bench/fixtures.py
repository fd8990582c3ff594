"""Offline fixtures for the live bench: one catch-all server on a loopback address,
plain on port 80 and TLS on 443 (leaf per SNI from a throwaway CA). It plays the
HTTP sink, the content server, the WebSocket echo, the A2A agent and the MCP
Streamable-HTTP server, and logs everything it receives (proof of delivery)."""
from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from .testca import TestCA


class Plan:
    """What the fixture should answer for the current case."""

    def __init__(self) -> None:
        self.response_body: str | None = None
        self.content_type = "text/plain"
        self.agent_card: dict | None = None
        self.tools: list[dict] = []
        self.tool_lists: list[list[dict]] = []   # successive tools/list answers (rug-pull)
        self.call_results: dict[str, dict] = {}  # tools/call id -> result


class Fixture:
    def __init__(self, host: str = "127.0.0.1", http_port: int = 0, https_port: int = 0,
                 default_names: tuple[str, ...] = (), extra_ports: dict[int, bool] | None = None):
        self.host, self.http_port, self.https_port = host, http_port, https_port
        # Case URLs with other ports (wss://host:9443/...): port -> TLS. Best effort:
        # a port that cannot be bound is left out (that case then errors, as before).
        self.extra_ports = dict(extra_ports or {})
        self.bound_extra: list[int] = []
        self.default_names = tuple(default_names)
        self.ca = TestCA()
        self.plan = Plan()
        self.log: list[dict] = []
        self.ws_log: list[dict] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # -- lifecycle (own thread and loop, so the runner can stay synchronous) --
    def start(self) -> "Fixture":
        self._thread = threading.Thread(target=self._run, daemon=True, name="bench-fixture")
        self._thread.start()
        self._ready.wait(10)
        if self._error:
            raise self._error
        return self

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._start())
        except BaseException as e:  # port in use, permission denied
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        plain = web.TCPSite(self._runner, self.host, self.http_port)
        await plain.start()
        tls = web.TCPSite(self._runner, self.host, self.https_port, ssl_context=self.ca.server_context(self.default_names))
        await tls.start()
        addrs = self._runner.addresses
        self.http_port, self.https_port = addrs[0][1], addrs[1][1]
        for port, use_tls in sorted(self.extra_ports.items()):
            ctx = self.ca.server_context(self.default_names) if use_tls else None
            try:
                await web.TCPSite(self._runner, self.host, port, ssl_context=ctx).start()
            except OSError:
                continue
            self.bound_extra.append(port)

    def stop(self) -> None:
        if self._loop and self._runner:
            fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
            try:
                fut.result(5)
            except Exception:
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)

    def reset(self, plan: Plan | None = None) -> None:
        self.plan = plan or Plan()
        self.log.clear()
        self.ws_log.clear()

    # -- handlers --------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._ws(request)
        body = await request.read()
        entry = {"method": request.method, "host": request.host, "path": request.path_qs,
                 "headers": dict(request.headers), "body": body.decode("utf-8", errors="replace")}
        self.log.append(entry)
        path = request.path
        if path.endswith("/agent-card.json") or path.endswith("/agent.json"):
            if self.plan.agent_card is not None:
                return web.json_response(self.plan.agent_card)
        if path == "/mcp":
            return await self._mcp(request, body)
        rpc = _json(body)
        if isinstance(rpc, dict) and str(rpc.get("method", "")).startswith(("message/", "tasks/")):
            return await self._a2a(request, rpc)
        if self.plan.response_body is not None and request.method in ("GET", "HEAD"):
            return web.Response(body=self.plan.response_body.encode(),
                                headers={"Content-Type": self.plan.content_type})
        return web.json_response({"ok": True, "received": len(body)})

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=4 * 1024 * 1024, compress=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.ws_log.append({"type": "text", "data": msg.data})
                await ws.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                self.ws_log.append({"type": "binary", "data": msg.data.hex()})
                await ws.send_bytes(msg.data)
        return ws

    async def _a2a(self, request: web.Request, rpc: dict) -> web.StreamResponse:
        reply = {"jsonrpc": "2.0", "id": rpc.get("id"), "result": {
            "kind": "message", "messageId": str(uuid.uuid4()), "role": "agent",
            "parts": [{"kind": "text", "text": "Done."}]}}
        if rpc.get("method") == "message/stream":
            resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await resp.prepare(request)
            await resp.write(f"data: {json.dumps(reply)}\n\n".encode())
            await resp.write_eof()
            return resp
        return web.json_response(reply)

    async def _mcp(self, request: web.Request, body: bytes) -> web.StreamResponse:
        rpc = _json(body)
        if request.method != "POST" or not isinstance(rpc, dict):
            return web.Response(status=405 if request.method != "POST" else 400)
        method, rid = rpc.get("method"), rpc.get("id")
        headers = {"Mcp-Session-Id": request.headers.get("Mcp-Session-Id") or "bench-session"}
        if rid is None:
            return web.Response(status=202, headers=headers)
        if method == "initialize":
            result: Any = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                           "serverInfo": {"name": "bench-mock", "version": "1"}}
        elif method == "tools/list":
            result = {"tools": self.plan.tool_lists.pop(0) if self.plan.tool_lists else self.plan.tools}
        elif method == "tools/call":
            result = self.plan.call_results.get(str(rid)) or {"content": [{"type": "text", "text": "ok"}],
                                                              "isError": False}
        else:
            result = {}
        return web.json_response({"jsonrpc": "2.0", "id": rid, "result": result}, headers=headers)


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body[:1] in (b"{", b"[") else None
    except ValueError:
        return None
