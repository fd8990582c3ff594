"""The types every part of ringfence shares: Action, Finding, Decision.

A transport builds an Action, scanners turn content into Findings, and
core.decide turns Findings into one Decision. Transports act only on
Decisions, and core.record is the only caller of the receipt writer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["allow", "warn", "strip", "block"]
Direction = Literal["outbound", "inbound"]
Severity = Literal["low", "medium", "high", "critical"]

# Strongest verdict wins when findings disagree.
VERDICT_RANK = {"allow": 0, "warn": 1, "strip": 2, "block": 3}
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def redact(secret: str, keep: int = 4) -> str:
    """A short, safe excerpt of a matched value: never the whole secret."""
    s = secret.replace("\n", " ").replace("\r", " ")
    if len(s) <= keep * 2:
        return s[: min(2, len(s))] + "***"
    return f"{s[:keep]}***{s[-2:]}" if len(s) > 16 else f"{s[:keep]}***"


@dataclass(frozen=True, slots=True)
class Finding:
    scanner: str            # dlp, injection, url, ssrf, tool_poison, rug_pull, policy, chain, ...
    rule: str               # stable rule id, e.g. "aws_access_key"
    severity: Severity = "high"
    excerpt: str = ""       # redacted; never the whole secret
    where: str = ""         # url.query, body.json.$.a, frame 3, tools/list[2].inputSchema ...
    action: Verdict = "block"  # what config says to do about this finding
    span: tuple[int, int] | None = None  # offsets in the scanned text, for strip

    def to_json(self) -> dict[str, Any]:
        """The full form, for receipts, logs and operator tools (check, scan API)."""
        d = {"scanner": self.scanner, "rule": self.rule, "severity": self.severity, "excerpt": self.excerpt}
        if self.where:
            d["where"] = self.where
        return d

    def to_agent_json(self) -> dict[str, str]:
        """What the agent may be told: no excerpt and no location. An excerpt of
        blocked inbound content would hand the agent what was blocked, and one of
        outbound content is a piece of the secret."""
        return {"scanner": self.scanner, "rule": self.rule, "severity": self.severity}


@dataclass(frozen=True, slots=True)
class Action:
    """What is about to cross the boundary. Built once per event, never mutated."""
    transport: str          # fetch, forward, connect, intercept, websocket, mcp_stdio, mcp_http, a2a, check, api
    direction: Direction
    target: str             # URL, host:port, or tool name
    method: str = ""        # HTTP method, WS, or JSON-RPC method
    session_id: str = ""
    request_id: str = ""
    kind: str = ""          # url, text, headers, body, tool_call, tool_result, tools_list, frame ...
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Content:
    """What an Action carries, as the Inspector routes it: (Action.direction,
    kind) picks the scanners (core.inspect ROUTES)."""
    kind: str                     # headers, body, response, text, tool_call, tools_list, tool_result
    data: Any = b""               # bytes or text; (name, value) pairs for headers; MCP: see ROUTES
    content_type: str = ""
    encoding: str = ""            # Content-Encoding, when data is still encoded
    host: str = ""                # the host as the client sent it (exemptions, budgets)
    url: str = ""
    path: str = ""                # request path: A2A endpoints and Agent Card paths route on it
    session: Any = None           # MCP: the tool session that calls and listings update (chains, baselines)


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    content: str | bytes | None = None   # rewritten content when verdict == "strip"
    duration_ms: float = 0.0
    error: str = ""                      # set when the decision came from an internal error (fail closed)
    receipt_id: str = ""

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"

    @property
    def top(self) -> Finding | None:
        """The finding that drove the verdict (strongest action, then severity)."""
        if not self.findings:
            return None
        return max(self.findings, key=lambda f: (VERDICT_RANK[f.action], SEVERITY_RANK.get(f.severity, 0)))

    def with_receipt(self, receipt_id: str) -> "Decision":
        # Direct construction: dataclasses.replace costs ~3 us on the per-request path.
        return Decision(self.verdict, self.findings, self.reason, self.content, self.duration_ms,
                        self.error, receipt_id)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "verdict": self.verdict,
            "findings": [f.to_json() for f in self.findings],
            "duration_ms": round(self.duration_ms, 3),
        }
        if self.reason:
            d["reason"] = self.reason
        if self.error:
            d["error"] = self.error
        if self.receipt_id:
            d["receipt_id"] = self.receipt_id
        return d


# The MCP listings other than tools/list that the Inspector's "listing" route reads:
# list method -> the result member holding the items.
MCP_LISTINGS = {"prompts/list": "prompts", "resources/list": "resources",
                "resources/templates/list": "resourceTemplates"}
