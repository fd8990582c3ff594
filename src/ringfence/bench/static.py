"""The stateless tier: each case as the Action and Content its live transport would
build, through the same Inspector (ringfence.core.inspect) and core (no sockets).

Fast and used in CI as a regression gate; the live runner (bench/live.py) is the
honest tier that sends every case over its real transport. A disagreement
between the two tiers is a bug.
"""
from __future__ import annotations

import base64
import ipaddress
import json
import urllib.parse
from typing import Any

from ..core import Action, Content, Decision, Finding, decide
from .cases import Case, scan_error_block

PUBLIC_TEST_ADDR = "203.0.113.10"
A2A_AGENT = "a2a-agent.bench.test"   # where the live tier sends A2A messages
WS_MAX_MESSAGE = 4 * 1024 * 1024      # the relay's cap


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


class _PublicResolver:
    """Every name resolves to a public documentation address: policy sees the
    original hostname, and SSRF judges literals on their literal."""

    def resolve(self, host: str, port: int) -> list[str]:
        return [PUBLIC_TEST_ADDR]


def make_engine(config: Any = None):
    from ..config import Config
    from ..engine import Engine
    from .cases import bench_config_data
    if config is None:
        config = Config.model_validate(bench_config_data())
    return Engine(config, resolver=_PublicResolver())


def fresh(engine: Any) -> Any:
    """Per-case fresh state without recompiling every pattern: drop the lazily
    built MCP and A2A scanners (they hold drift and session memory)."""
    engine._tools = None
    engine._a2a = None
    return engine


def _merge(*decisions: Decision, enforce: bool = True) -> Decision:
    findings: list[Finding] = []
    for d in decisions:
        findings += d.findings
    return decide(findings, enforce=enforce)


def _messages(case: Case) -> list[dict]:
    return case.payload.get("jsonrpc_messages", [])


def _host_path(url: str) -> tuple[str, str]:
    try:
        u = urllib.parse.urlsplit(url)
        return u.hostname or "", (u.path or "/") + (f"?{u.query}" if u.query else "")
    except ValueError:
        return "", "/"


def _request(engine: Any, transport: str, url: str, method: str, headers: dict, body: bytes) -> Decision:
    """An HTTP request as the forward path sees it: the URL step, then its
    headers and body through the Inspector's routes."""
    enforce = engine.config.enforce
    d_url, _ = engine.check_url(url, method)
    if d_url.blocked:
        return d_url
    host, path = _host_path(url)
    action = Action(transport, "outbound", url, method, kind="request")
    parts = [d_url]
    if headers:
        parts.append(engine.inspect(action, Content("headers", list(headers.items()), host=host, url=url)))
    if body:
        parts.append(engine.inspect(action, Content("body", body, _header(headers, "content-type"),
                                                    _header(headers, "content-encoding"), host, url, path)))
    return _merge(*parts, enforce=enforce)


def _response(engine: Any, transport: str, url: str, body: str, ctype: str) -> Decision:
    """A response as the relay sees it: read whole when the Inspector says so."""
    host, path = _host_path(url)
    if not engine.reads_whole(ctype, path):
        return decide([], enforce=engine.config.enforce)
    return engine.inspect(Action(transport, "inbound", url, "GET", kind="response"),
                          Content("response", body, ctype, "", host, url, path))


def _header(headers: dict, name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def _websocket(engine: Any, p: dict) -> Decision:
    """The /ws relay's steps: the upgrade's URL step, then client frames through
    the relay's own reassembly and its outbound joiner."""
    from ..core.stream import MessageAssembler, edge_fields, inspector_joiner, message_text, pieces_findings, remember_pieces
    from .wsraw import OPCODES
    enforce = engine.config.enforce
    url = p["url"]
    d_url, _ = engine.check_url(url, "GET")
    if d_url.blocked:
        return d_url
    host, _ = _host_path(url)
    asm = MessageAssembler(WS_MAX_MESSAGE, "ws client")
    joiner = inspector_joiner(engine, "outbound", host, paths=False)
    parts = [d_url]
    count = 0
    pieces: list[str] = []
    for fr in p.get("frames", []):
        raw = fr.get("payload", "")
        data = base64.b64decode(raw) if fr.get("encoding") == "base64" else raw.encode()
        op = OPCODES.get(fr.get("opcode", "text"), 0x1)
        rsv = 4 if fr.get("rsv1") else 0
        if op >= 8 and not rsv:
            continue   # control frames are relayed as they are
        got = asm.feed(fr.get("fin", True), rsv, op, data)
        if isinstance(got, Finding):
            return _merge(*parts, decide([got]), enforce=enforce)
        if got is None:
            continue
        count += 1
        text = message_text(got[0], got[1], "ws client")
        if isinstance(text, Finding):
            return _merge(*parts, decide([text]), enforce=enforce)
        d = joiner.feed(text, edge_fields(text), f"ws client message {count}")
        if not d.blocked and remember_pieces(pieces, text):   # as the relay: non-adjacent token pieces
            extra = pieces_findings(engine, pieces, host, "ws client")
            if extra:
                d = _merge(d, decide(extra, enforce=enforce), enforce=enforce)
        parts.append(d)
        if d.blocked:
            break
    return _merge(*parts, enforce=enforce)


def evaluate(case: Case, engine: Any) -> Decision:
    """One case -> one Decision: each case becomes the Action and Content its
    live transport would hand the Inspector (ringfence.core.inspect), through the same
    routes, joiner and reassembly."""
    p, it = case.payload, case.input_type
    enforce = engine.config.enforce
    if it in ("url", "header", "request_body"):
        headers = dict(p.get("headers", {})) if it != "url" else {}
        body = p.get("body", "").encode() if it == "request_body" else b""
        if body:
            headers.setdefault("Content-Type", p.get("content_type", "application/octet-stream"))
        return _request(engine, case.data.get("transport") or "forward", p["url"], p.get("method", "GET"), headers, body)
    if it == "response_content":
        body = p["response_body"]
        return _response(engine, case.data.get("transport") or "fetch", p["url"], body, _infer_ctype(body))
    if it in ("mcp_tool_call", "mcp_tool_sequence"):
        session = engine.tool_session()
        findings: list[Finding] = []
        for m in _messages(case):
            prm = m.get("params", {})
            name = prm.get("name", "")
            findings += engine.inspect(Action("mcp_stdio", "outbound", name, "tools/call", kind="tool_call"),
                                       Content("tool_call", (name, prm.get("arguments", {})),
                                               session=session)).findings
        return decide(findings, enforce=enforce)
    if it == "mcp_tool_definition":
        session = engine.tool_session()
        tools = [t for m in _messages(case) for t in m.get("result", {}).get("tools", [])]
        listing = Action("mcp_stdio", "inbound", "tools/list", "tools/list", kind="tools_list")
        if "mcp_tool_baseline" in case.requires:
            # Rug-pull: approve a benign baseline of the same tools first, then serve the payload.
            engine.inspect(listing, Content("tools_list", ([_benign_twin(t) for t in tools], False),
                                            session=session))
        return decide(list(engine.inspect(listing, Content("tools_list", (tools, False), session=session)).findings),
                      enforce=enforce)
    if it == "mcp_tool_result":
        findings = []
        for m in _messages(case):
            findings += engine.inspect(Action("mcp_stdio", "inbound", "tools/call", "tools/call", kind="tool_result"),
                                       Content("tool_result", m.get("result", {}), path="result")).findings
        return decide(findings, enforce=enforce)
    if it == "a2a_message":
        # As the live tier sends them: each message a JSON-RPC POST to the agent.
        headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        for m in _messages(case):
            d = _request(engine, "a2a", f"http://{A2A_AGENT}/", "POST", headers, json.dumps(m).encode())
            if d.verdict != "allow":
                return d
        return decide([], enforce=enforce)
    if it == "a2a_agent_card":
        card = p["agent_card"]
        host, _ = _host_path(str(card.get("url", "")))
        if not host or _is_ip(host):
            host = A2A_AGENT
        url = f"http://{host}/.well-known/agent-card.json"
        d_url, _ = engine.check_url(url, "GET")
        if d_url.blocked:
            return d_url
        return _merge(d_url, _response(engine, "a2a", url, json.dumps(card), "application/json"), enforce=enforce)
    if it == "websocket_frame":
        return _websocket(engine, p)
    raise ValueError(f"unknown input_type {it!r}")


def _benign_twin(tool: dict) -> dict:
    return {"name": tool.get("name", ""), "description": f"{tool.get('name', 'tool')}: returns data.",
            "inputSchema": tool.get("inputSchema", {"type": "object"})}


def _infer_ctype(body: str) -> str:
    s = body.lstrip()
    if s.startswith("<?xml"):
        return "application/xml"
    if s.startswith("<"):
        return "text/html"
    if s.startswith("{") or s.startswith("["):
        return "application/json"
    return "text/markdown"


def actual_verdict(d: Decision) -> str:
    """block / allow, or error when the only reason to block was an internal scan error.
    A strip is contained, as the live tier counts it: the offending span (an injection,
    a credential in a tool result) never reaches the client."""
    if d.verdict == "strip":
        return "block"
    if d.verdict != "block":
        return "allow"
    real = [f for f in d.findings if f.scanner != "internal" and f.action == "block"]
    return "block" if real or not scan_error_block(evidence_of(d)) else "error"


def evidence_of(d: Decision) -> dict:
    top = d.top
    ev: dict[str, Any] = {"decision": d.verdict, "findings": [f.to_json() for f in d.findings][:20]}
    if top is not None and d.verdict == "block":
        ev.update(scanner=top.scanner, rule=top.rule, block_reason=d.reason)
    if d.error:
        ev["error_message"] = d.error
    return ev
