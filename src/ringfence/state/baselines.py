"""MCP tool-definition baselines shared by every instance: the first definition any
instance sees for (server, tool) is the approved one (compare-and-set), and a later
different definition, seen by any instance, is a rug-pull."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from ..core import Finding
from .base import State, StateUnavailable

_PARTS = ("name", "title", "description", "inputSchema", "annotations", "outputSchema")
MAX_TOOLS = 1000  # per listing; more is refused by the tools scanner anyway


def fingerprint(tool: dict) -> str:
    """sha256 over the parts of a tool definition an agent relies on (canonical JSON)."""
    doc = {k: tool.get(k) for k in _PARTS}
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class SharedBaselines:
    def __init__(self, config: Any, state: State):
        self.state = state
        self.action = config.mcp.rug_pull_action

    async def check(self, server: str, tools: list) -> list[Finding]:
        findings: list[Finding] = []
        for i, tool in enumerate(tools[:MAX_TOOLS]):
            if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
                continue
            name = tool["name"]
            fp = fingerprint(tool)
            key = f"{server}#{name}"
            try:
                for _ in range(4):  # lost a race: read again
                    old, ver = await self.state.get_baseline(key)
                    if old is not None:
                        break
                    if await self.state.cas_baseline(key, fp, 0):
                        old = fp
                        break
            except StateUnavailable as e:
                from . import unavailable_finding
                return findings + [unavailable_finding(e)]
            if old is not None and old != fp:
                findings.append(Finding("rug_pull", "tool_definition_changed", "critical",
                                        f"{name[:60]}: differs from the definition approved on the shared baseline",
                                        f"tools/list[{i}]", self.action))
        return findings


class SyncBaselines:
    """The same baselines for the synchronous MCP tools scanner (ringfence mcp proxy),
    through the per-process bridge. An unreachable backend blocks (state:unavailable)."""

    def __init__(self, cfg: Any):
        from .syncbridge import bridge_for
        self.bridge = bridge_for(cfg)

    def check(self, server: str, name: str, fp: str, where: str, action: str) -> Finding | None:
        b = self.bridge
        key = f"{server}#{name}"
        try:
            old = None
            for _ in range(4):
                old, _ver = b.call(lambda k: b.state.get_baseline(k), key)
                if old is not None or b.call(lambda k, v: b.state.cas_baseline(k, v, 0), key, fp):
                    break
        except StateUnavailable as e:
            from . import unavailable_finding
            return unavailable_finding(e)
        if old is not None and old != fp:
            return Finding("rug_pull", "tool_definition_changed", "critical",
                           f"{name[:60]}: differs from the definition approved on the shared baseline",
                           where, action)
        return None
