"""Findings -> one Decision, and the one answer an agent gets for a block.

The only place findings become a verdict: audit mode, strip-or-block for a
transport that cannot rewrite, fail closed on internal errors."""
from __future__ import annotations

import dataclasses
import time
from typing import Any

from .types import SEVERITY_RANK, VERDICT_RANK, Decision, Finding, Verdict

BLOCK_MESSAGE = "ringfence blocked this; the receipt id identifies the decision for the operator"


def agent_answer(d: "Decision") -> dict[str, Any]:
    """The one body every transport hands an agent for a block: scanner, rule,
    receipt id and a fixed message; never blocked content (issue 9)."""
    top = d.top
    out = {
        "blocked": True,
        "scanner": top.scanner if top else "",
        "rule": top.rule if top else "",
        "receipt_id": d.receipt_id,
        "reason": d.reason or (f"{top.scanner}:{top.rule}" if top else "blocked"),
        "message": BLOCK_MESSAGE,
        "findings": [f.to_agent_json() for f in d.findings][:20],
    }
    if not d.receipt_id:
        del out["receipt_id"]  # no receipt written: no id handed out
    return out


def decide(findings: list[Finding] | tuple[Finding, ...], *, enforce: bool = True,
           started: float | None = None, content: str | bytes | None = None) -> Decision:
    """Findings -> one Decision. `enforce=False` (audit mode) turns blocks into warnings."""
    verdict: Verdict = "allow"
    for f in findings:
        if VERDICT_RANK[f.action] > VERDICT_RANK[verdict]:
            verdict = f.action
    if not enforce and verdict in ("block", "strip"):
        verdict = "warn"
    top = max(findings, key=lambda f: (VERDICT_RANK[f.action], SEVERITY_RANK.get(f.severity, 0)), default=None)
    reason = f"{top.scanner}:{top.rule}" if top and verdict != "allow" else ""
    ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    return Decision(verdict, tuple(findings), reason, content if verdict == "strip" else None, ms)


def fail_closed(exc: BaseException, started: float | None = None) -> Decision:
    """Internal error while scanning: block, and say why."""
    ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    msg = f"{type(exc).__name__}: {exc}"[:200]
    f = Finding("internal", "scan_error", "high", msg[:80], action="block")
    return Decision("block", (f,), "internal:scan_error (fail closed)", None, ms, error=msg)


def as_block(d: Decision) -> Decision:
    """For a transport that cannot rewrite content: strip becomes block."""
    if d.verdict != "strip":
        return d
    return dataclasses.replace(d, verdict="block", content=None)


def finding_as_block(f: Finding) -> Finding:
    return f if f.action == "block" else dataclasses.replace(f, action="block")
