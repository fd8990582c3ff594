"""Secrets at the boundary and egress rules for MCP (ringfence.secrets).

Streamable HTTP: every request to the upstream passes `upstream_request` after the
Guard allowed the message: placeholders in headers and body become real values for
an upstream among the secret's hosts (and each secret's `inject` target, e.g. an
Authorization header, is applied from the config), a real value or a misrouted
placeholder is refused, and egress rules decide on method and URL, per agent (the
MCP client's name from initialize, or an X-Agent header). Answers pass `scrub`.

stdio: `child_env` gives the server the real value of every environment variable
whose value is a placeholder (the client's config only ever holds the placeholder)."""
from __future__ import annotations

import os
from typing import Any

import orjson

from ..core import Action, decide, fail_closed
from . import jsonrpc


def _boundary(engine: Any) -> Any:
    return getattr(engine, "boundary", None)


def client_name(msg: Any) -> str:
    """clientInfo.name of an initialize request ('' otherwise)."""
    if not isinstance(msg, dict) or msg.get("method") != "initialize":
        return ""
    info = (msg.get("params") or {}).get("clientInfo") if isinstance(msg.get("params"), dict) else None
    name = info.get("name") if isinstance(info, dict) else None
    return name[:128] if isinstance(name, str) else ""


def upstream_request(engine: Any, writer: Any, transport: str, session_id: str, url: str, method: str,
                     headers: list[tuple[str, str]], body: bytes, agent: str = ""
                     ) -> tuple[list[tuple[str, str]], bytes, bytes | None]:
    """(headers, body, None) to send, or (.., .., JSON-RPC error bytes) when blocked
    (a receipt names the rule). Unchanged when no secrets or egress rules are set."""
    b = _boundary(engine)
    if b is None:
        return headers, body, None
    try:
        o = b.outbound(method, url, list(headers), bytes(body or b""), agent)
        d = decide(o.findings, enforce=engine.config.enforce) if o.findings else None
    except Exception as e:  # fail closed
        o, d = None, fail_closed(e)
    intent = o.intent() if o is not None else ""
    if d is not None or (o is not None and o.injected):
        meta = {"intent": intent} if intent else {}
        action = Action(transport, "outbound", url, method, session_id[:128], "", "upstream_request", meta)
        try:
            rid = writer.record(action, d or decide([]), wait=True)  # written on return
        except Exception as e:  # no receipt, no pass
            d, rid = fail_closed(e), ""
        if d is not None:
            d = d.with_receipt(rid or "")
    if d is not None and (d.blocked or o is None):
        top = d.top
        scanner, rule = (top.scanner, top.rule) if top else ("internal", "scan_error")
        err = jsonrpc.error_bytes(_msg_id(body), jsonrpc.BLOCKED, f"ringfence: blocked by {scanner}:{rule}",
                                  {"scanner": scanner, "rule": rule, "receipt_id": d.receipt_id})
        return headers, body, err
    if o is None or d is not None:  # audit mode: goes as written
        return headers, body, None
    return o.headers, o.body, None


def _msg_id(body: bytes) -> Any:
    try:
        msg = orjson.loads(body) if body and len(body) < (1 << 20) else None
    except orjson.JSONDecodeError:
        return None
    return msg.get("id") if isinstance(msg, dict) else None


def refuse_real_values(engine: Any, writer: Any, transport: str, session_id: str, line: bytes) -> bytes | None:
    """A client message to a stdio server that carries a managed secret's real value:
    the JSON-RPC error to answer with (a receipt names the rule), else None."""
    b = _boundary(engine)
    if b is None or not b.secrets or not line:
        return None
    try:
        found = b.real_value_findings(line.decode("utf-8", "replace"))
        d = decide(found, enforce=engine.config.enforce) if found else None
    except Exception as e:  # fail closed
        d = fail_closed(e)
    if d is None:
        return None
    try:
        rid = writer.record(Action(transport, "outbound", "mcp", "message", session_id[:128], "", "message"), d,
                            wait=True)
    except Exception as e:
        d, rid = fail_closed(e), ""
    if not d.blocked:
        return None
    top = d.top
    return jsonrpc.error_bytes(_msg_id(line), jsonrpc.BLOCKED, f"ringfence: blocked by {top.scanner}:{top.rule}",
                               {"scanner": top.scanner, "rule": top.rule, "receipt_id": rid or ""})


def scrub(engine: Any, data: bytes) -> bytes:
    """An upstream answer with echoed real values replaced by placeholders."""
    b = _boundary(engine)
    if b is None or not b.secrets or not data:
        return data
    return b.scrub(data) or data


def child_env(engine: Any, env: dict[str, str], environ: dict[str, str] | None = None) -> dict[str, str]:
    """The stdio server's environment: env, plus every variable of ours (allowlisted or
    not: the client put it there for the server) whose value holds a placeholder, with
    the real value in its place."""
    b = _boundary(engine)
    if b is None or not b.secrets:
        return env
    out = dict(env)
    out.update(b.child_env(dict(os.environ if environ is None else environ)))
    return out
