"""HTTP scan API: POST /v1/scan with a bearer token. Same JSON as `ringfence check --json`."""
from __future__ import annotations

import hmac
import json
from typing import Any

from aiohttp import web

from ..core import Action, Content, Decision, record

MAX_BODY = 1024 * 1024
KINDS = ("url", "text", "tool_call")


def _err(status: int, msg: str) -> web.Response:
    return web.json_response({"error": msg}, status=status)


def scan_request(engine: Any, req: dict) -> tuple[Decision, Action]:
    """Validate one scan request and run it. Raises ValueError for bad input."""
    kind = req.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if kind == "url":
        url = req.get("url")
        if not isinstance(url, str) or not url:
            raise ValueError("url: a non-empty string is required")
        resolve = bool(req.get("resolve", False))
        from ..commands.check import check_url_decision
        return check_url_decision(engine, url, not resolve), Action("api", "outbound", url[:2048], "GET", kind="url")
    if kind == "text":
        text = req.get("text")
        direction = req.get("direction", "outbound")
        if not isinstance(text, str):
            raise ValueError("text: a string is required")
        if direction not in ("outbound", "inbound"):
            raise ValueError("direction must be outbound or inbound")
        return engine.scan_text(text, direction, "text"), Action("api", direction, "text", "SCAN", kind="text")
    name = req.get("tool_name", req.get("name"))
    args = req.get("arguments", {})
    if not isinstance(name, str) or not name:
        raise ValueError("tool_name: a non-empty string is required")
    if not isinstance(args, (dict, list, str)):
        raise ValueError("arguments must be an object, array or string")
    action = Action("api", "outbound", name, "tools/call", kind="tool_call")
    return engine.inspect(action, Content("tool_call", (name, args))), action


def make_app(engine: Any, token: str, writer: Any = None) -> web.Application:
    expected = f"Bearer {token}".encode()

    async def scan(request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(auth, expected):
            return _err(401, "missing or wrong bearer token (Authorization: Bearer <token>)")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _err(413, f"body larger than {MAX_BODY} bytes")
        try:
            raw = await request.content.read(MAX_BODY + 1)
            if len(raw) > MAX_BODY:
                return _err(413, f"body larger than {MAX_BODY} bytes")
            req = json.loads(raw)
            if not isinstance(req, dict):
                raise ValueError("the body must be a JSON object")
            decision, action = scan_request(engine, req)
        except (ValueError, UnicodeDecodeError) as e:
            return _err(400, f"bad request: {e}")
        if writer is not None:
            decision = record(writer, action, decision)  # no receipt, no pass
        return web.json_response(decision.to_json())

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application(client_max_size=MAX_BODY + 1)
    app.router.add_post("/v1/scan", scan)
    app.router.add_get("/healthz", health)
    return app
