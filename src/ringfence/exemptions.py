"""Tool-scoped exemptions (`exemptions: [{rule, tools: [name], expires}]`), applied by the
MCP relays, which know the tool a decision is about. Host- and rule-scoped exemptions
are applied by the engine itself."""
from __future__ import annotations

from typing import Any

from .core import Decision, decide


def apply_tool_exemptions(config: Any, decision: Decision, tool: str) -> Decision:
    ex = [e for e in getattr(config, "exemptions", ()) if e.tools and tool in e.tools and e.active()]
    if not ex or decision.verdict == "allow" or decision.error or not decision.findings:
        return decision
    rules = {e.rule for e in ex}
    kept = [f for f in decision.findings if f.rule not in rules and f"{f.scanner}:{f.rule}" not in rules]
    if len(kept) == len(decision.findings):
        return decision
    d = decide(kept, enforce=config.enforce)
    return Decision(d.verdict, d.findings, d.reason, decision.content if d.verdict == "strip" else None,
                    decision.duration_ms)
