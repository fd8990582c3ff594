"""The stateless tier: each case's content straight through the Engine (no sockets).

Fast and used in CI as a regression gate; the live runner (bench/live.py) is the
honest tier that sends every case over its real transport. A disagreement
between the two tiers is a bug.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from ..core import Decision, Finding, decide
from .cases import Case, scan_error_block

PUBLIC_TEST_ADDR = "203.0.113.10"


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


def _ws_messages(frames: list[dict]) -> tuple[list[str], list[Finding]]:
    msgs, buf, problems = [], [], []
    for i, fr in enumerate(frames):
        if fr.get("rsv1") or fr.get("rsv2") or fr.get("rsv3"):
            problems.append(Finding("websocket", "rsv_bit_without_extension", "high",
                                    f"frame {i}", f"frame {i}", "block"))
        raw = fr.get("payload", "")
        data = base64.b64decode(raw) if fr.get("encoding") == "base64" else raw.encode()
        buf.append(data)
        if fr.get("fin", True):
            msgs.append(b"".join(buf).decode("utf-8", errors="replace"))
            buf = []
    if buf:
        msgs.append(b"".join(buf).decode("utf-8", errors="replace"))
    return msgs, problems


def evaluate(case: Case, engine: Any) -> Decision:
    """One case -> one Decision, using the same engine calls the transports make."""
    p, it = case.payload, case.input_type
    enforce = engine.config.enforce
    if it in ("url", "header", "request_body"):
        d, _ = engine.check_url(p["url"], p.get("method", "GET"))
        parts = [d]
        host = p["url"].split("/")[2] if "//" in p["url"] else ""
        if it == "header":
            parts.append(engine.scan_headers(list(p.get("headers", {}).items()), "outbound", host))
        if it == "request_body":
            parts.append(engine.scan_body(p.get("body", "").encode(), p.get("content_type", ""), "",
                                          "outbound", host))
        return _merge(*parts, enforce=enforce)
    if it == "response_content":
        body = p["response_body"]
        return engine.scan_response(body.encode(), _infer_ctype(body), "", p["url"].split("/")[2])
    if it in ("mcp_tool_call", "mcp_tool_sequence"):
        session = engine.tools.new_session()
        findings: list[Finding] = []
        for m in _messages(case):
            prm = m.get("params", {})
            findings += engine.tools.scan_tool_call(prm.get("name", ""), prm.get("arguments", {}), session)
        return decide(findings, enforce=enforce)
    if it == "mcp_tool_definition":
        session = engine.tools.new_session()
        findings = []
        tools = [t for m in _messages(case) for t in m.get("result", {}).get("tools", [])]
        if "mcp_tool_baseline" in case.requires:
            # Rug-pull: approve a benign baseline of the same tools first, then serve the payload.
            engine.tools.scan_tools_list([_benign_twin(t) for t in tools], session)
        findings += engine.tools.scan_tools_list(tools, session)
        return decide(findings, enforce=enforce)
    if it == "mcp_tool_result":
        findings = []
        for m in _messages(case):
            findings += engine.tools.scan_tool_result(m.get("result", {}))
        return decide(findings, enforce=enforce)
    if it == "a2a_message":
        findings = []
        for m in _messages(case):
            findings += engine.a2a.scan_request(json.dumps(m).encode(), "application/json", "/") or []
        return decide(findings, enforce=enforce)
    if it == "a2a_agent_card":
        card = p["agent_card"]
        return decide(engine.a2a.scan_agent_card(card.get("url", "https://agent.test/"), card), enforce=enforce)
    if it == "websocket_frame":
        msgs, problems = _ws_messages(p.get("frames", []))
        url_d, _ = engine.check_url(p["url"], "GET")  # /ws?url= runs the URL pipeline first
        parts = [url_d, decide(problems, enforce=enforce)]
        parts += [engine.scan_text(m, "outbound", f"ws.message[{i}]") for i, m in enumerate(msgs)]
        if len(msgs) > 1:
            parts.append(engine.scan_text("".join(msgs), "outbound", "ws.messages.joined"))
            # As the /ws relay does: JSON messages also join the previous message's last
            # string value with the next one's first (the raw join has `"}{"k":"` between).
            from ..proxy.websocket import TAIL_CHARS, edge_strings
            for i in range(1, len(msgs)):
                a_, b_ = edge_strings(msgs[i - 1]), edge_strings(msgs[i])
                if a_ is None and b_ is None:
                    continue
                left = (a_[1] if a_ else msgs[i - 1])[-TAIL_CHARS:]
                right = (b_[0] if b_ else msgs[i])[:TAIL_CHARS]
                parts.append(engine.scan_text(left + right, "outbound", f"ws.message[{i}] joined with [{i - 1}]"))
            # and, as the relay does, the session's recent token pieces (non-adjacent messages)
            from ..proxy.websocket import remember_pieces
            pieces: list[str] = []
            for m in msgs:
                if remember_pieces(pieces, m):
                    parts.append(engine.scan_fields([(f"ws piece {i}", p) for i, p in enumerate(pieces)]))
        return _merge(*parts, enforce=enforce)
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
    """block / allow, or error when the only reason to block was an internal scan error."""
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
