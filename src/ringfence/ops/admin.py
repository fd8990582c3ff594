"""Admin API on its own port, away from the agent: kill switch, reload, metrics, health.

Every endpoint but /healthz and /metrics needs the bearer token (from the env var
named in config.admin.token_env). Without a token the kill-switch and reload
endpoints are disabled, not open.
"""
from __future__ import annotations

import hmac
import json
import os
from typing import Callable

from aiohttp import web

MAX_BODY = 1024


def make_admin_app(token: str, ks, metrics, reload_cb: Callable[[], bool] | None = None) -> web.Application:
    expected = f"Bearer {token}".encode() if token else b""

    def authorized(request: web.Request) -> web.Response | None:
        if not expected:
            return web.json_response({"error": "admin token not configured; set it in the environment "
                                               "variable named by admin.token_env"}, status=403)
        if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected):
            return web.json_response({"error": "missing or wrong bearer token"}, status=401)
        return None

    async def killswitch_get(request: web.Request) -> web.Response:
        return authorized(request) or web.json_response(ks.status())

    async def killswitch_post(request: web.Request) -> web.Response:
        if (denied := authorized(request)) is not None:
            return denied
        raw = await request.content.read(MAX_BODY + 1)
        try:
            body = json.loads(raw) if len(raw) <= MAX_BODY else None
        except ValueError:
            body = None
        if not isinstance(body, dict) or set(body) != {"active"} or not isinstance(body["active"], bool):
            return web.json_response({"error": 'body must be exactly {"active": true|false}'}, status=400)
        ks.set_api(body["active"])
        return web.json_response(ks.status())

    async def reload(request: web.Request) -> web.Response:
        if (denied := authorized(request)) is not None:
            return denied
        if reload_cb is None:
            return web.json_response({"error": "no config file to reload (started without --config)"}, status=409)
        ok = reload_cb()
        return web.json_response({"reloaded": ok}, status=200 if ok else 422)

    async def metrics_get(request: web.Request) -> web.Response:
        return web.Response(body=metrics.render(), headers={"Content-Type": metrics.content_type})

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "kill_switch": ks.active() is not None})

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_get("/v1/killswitch", killswitch_get)
    app.router.add_post("/v1/killswitch", killswitch_post)
    app.router.add_post("/v1/reload", reload)
    app.router.add_get("/metrics", metrics_get)
    app.router.add_get("/healthz", health)
    return app


async def start_admin(config, ks, metrics, reload_cb=None) -> web.AppRunner:
    """Start the admin listener (config.admin.listen). Returns the runner; `await runner.cleanup()` to stop."""
    token = os.environ.get(config.admin.token_env, "")
    app = make_admin_app(token, ks, metrics, reload_cb)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    host, _, port = config.admin.listen.rpartition(":")
    site = web.TCPSite(runner, host.strip("[]") or "127.0.0.1", int(port))
    await site.start()
    return runner
