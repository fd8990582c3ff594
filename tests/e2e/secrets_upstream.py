"""A local upstream for the secrets-at-the-boundary tests: plain HTTP and TLS (a
trustme CA) on loopback. /check answers 200 only with the real credential, /echo
echoes the Authorization header and query back, /mcp is a tiny MCP server that
checks its Authorization, and any WebSocket upgrade is logged and echoed."""
from __future__ import annotations

import asyncio
import json
import threading

import trustme
from aiohttp import WSMsgType, web

HOSTS = ("api.example.test", "other.example.test", "ws.example.test", "mcp.example.test")


class Upstream:
    def __init__(self, real: str):
        self.real = real
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert(*HOSTS, "127.0.0.1")
        self.log: list[dict] = []
        self.http_port = self.https_port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None

    def write_ca(self, path) -> str:
        self.ca.cert_pem.write_to_path(str(path))
        return str(path)

    def start(self) -> "Upstream":
        threading.Thread(target=self._run, daemon=True).start()
        assert self._ready.wait(10)
        return self

    def stop(self) -> None:
        fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        try:
            fut.result(5)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        import ssl
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(ctx)
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=ctx).start()
        addrs = self._runner.addresses
        self.http_port, self.https_port = addrs[0][1], addrs[1][1]

    def authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "") == f"Bearer {self.real}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.log.append({"method": request.method, "host": request.host, "path": request.path_qs,
                         "headers": dict(request.headers), "body": body.decode("utf-8", "replace")})
        if request.headers.get("Upgrade", "").lower() == "websocket":
            ws = web.WebSocketResponse(compress=False)
            await ws.prepare(request)
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await ws.send_str(msg.data)
            return ws
        if request.path == "/check":
            ok = self.authorized(request) or self.real in request.query.values()
            return web.json_response({"ok": ok}, status=200 if ok else 401)
        if request.path == "/echo":
            return web.Response(text=f"you sent: {request.headers.get('Authorization', '')} "
                                     f"{request.query_string} {body.decode('utf-8', 'replace')}",
                                content_type="text/plain")
        if request.path == "/mcp":
            return await self._mcp(request, body)
        return web.json_response({"ok": True})

    async def _mcp(self, request: web.Request, body: bytes) -> web.StreamResponse:
        if not self.authorized(request):
            return web.json_response({"error": "unauthorized"}, status=401)
        if request.method != "POST":
            return web.Response(status=405)
        rpc = json.loads(body)
        rid = rpc.get("id")
        headers = {"Mcp-Session-Id": "s-1"}
        if rid is None:
            return web.Response(status=202, headers=headers)
        method = rpc.get("method")
        if method == "initialize":
            result = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                      "serverInfo": {"name": "auth-checking", "version": "1"}}
        elif method == "tools/list":
            result = {"tools": [{"name": "whoami", "description": "Say which key the server got.",
                                 "inputSchema": {"type": "object", "properties": {}}}]}
        elif method == "tools/call":
            result = {"content": [{"type": "text", "text": "server saw " + request.headers["Authorization"]}],
                      "isError": False}
        else:
            result = {}
        return web.json_response({"jsonrpc": "2.0", "id": rid, "result": result}, headers=headers)
