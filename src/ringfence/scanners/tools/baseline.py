"""Rug-pull baselines: each session's approved (first) definition of every tool,
prompt and resource as per-member SHA-256 fingerprints of canonical JSON; a
later listing that differs, adds or duplicates is reported."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ...core import Finding
from ..capabilities import ToolCaps
from ..chains import ChainTracker
from .definitions import MAX_NODES

MAX_DESC_KEEP = 2048       # description kept per tool for drift reports


class _TooDeep(Exception):
    pass


class _Tok(str):
    """A literal piece of the output (never confused with a user string)."""


def canonical(obj: Any, max_depth: int, max_nodes: int = MAX_NODES) -> bytes:
    """Sorted-key compact JSON, built iteratively (no recursion limit); raises _TooDeep past caps."""
    out: list[str] = []
    stack: list[tuple[Any, int]] = [(obj, 0)]
    n = 0
    while stack:
        node, d = stack.pop()
        n += 1
        if d > max_depth or n > max_nodes:
            raise _TooDeep()
        if type(node) is _Tok:
            out.append(node)
        elif isinstance(node, dict):
            items = sorted(((str(k), v) for k, v in node.items()), key=lambda kv: kv[0])
            seq: list[tuple[Any, int]] = [(_Tok("{"), d)]
            for i, (k, v) in enumerate(items):
                if i:
                    seq.append((_Tok(","), d))
                seq.append((_Tok(json.dumps(k, ensure_ascii=False) + ":"), d))
                seq.append((v, d + 1))
            seq.append((_Tok("}"), d))
            stack.extend(reversed(seq))
        elif isinstance(node, (list, tuple)):
            seq = [(_Tok("["), d)]
            for i, v in enumerate(node):
                if i:
                    seq.append((_Tok(","), d))
                seq.append((v, d + 1))
            seq.append((_Tok("]"), d))
            stack.extend(reversed(seq))
        else:
            out.append(json.dumps(node, ensure_ascii=False, default=str))
    return "".join(out).encode("utf-8", "surrogatepass")


def _canon(obj: Any, max_depth: int, shallow: bool) -> bytes:
    """Fast path: the C encoder when the walk showed the object is within the depth cap."""
    if shallow:
        try:
            return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=str).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError, RecursionError):
            pass
    return canonical(obj, max_depth)


@dataclass(slots=True)
class _Record:
    fp: str
    description: str          # head only (memory bound); desc_len is the real length
    desc_len: int
    params: frozenset[str]
    parts: dict[str, str]


_TOOL_KEYS = ("name", "title", "description", "inputSchema", "annotations", "outputSchema")
# The other listings an MCP server gives the agent: (the result member holding the
# items, what names an item, its noun in findings, the members its fingerprint covers).
LISTINGS = {
    "prompts/list": ("prompts", ("name",), "prompt", ("name", "title", "description", "arguments", "_meta")),
    "resources/list": ("resources", ("uri", "name"), "resource",
                       ("uri", "name", "title", "description", "mimeType", "annotations", "_meta")),
    "resources/templates/list": ("resourceTemplates", ("uriTemplate", "name"), "resource_template",
                                 ("uriTemplate", "name", "title", "description", "mimeType", "annotations", "_meta")),
}


@dataclass(slots=True)
class Listing:
    """One session's baseline of a prompts or resources listing."""
    method: str
    noun: str
    keys: tuple[str, ...]
    items: dict[str, _Record] = field(default_factory=dict)
    listed: bool = False
    paging: bool = False


@dataclass
class ToolSession:
    """Per MCP session state. Bounded: max_tools fingerprints, chain window."""
    server: str = ""
    max_tools: int = 10_000
    listed: bool = False
    paging: bool = False      # the first listing is still being paged in
    tools: dict[str, _Record] = field(default_factory=dict)
    chains: ChainTracker = field(default_factory=ChainTracker)
    caps: dict[str, ToolCaps] = field(default_factory=dict)  # from each tool's first listed definition
    listings: dict[str, "Listing"] = field(default_factory=dict)  # prompts and resources, by list method

    @property
    def known(self) -> set[str]:
        return set(self.tools)


def drift(mcp, shared, tool: dict, name: str, session: ToolSession, first: bool, tw: str,
          seen_now: dict[str, str], complete: bool, listing: Listing | None = None) -> list[Finding]:
    """Rug-pull check of one definition against the session's (and `shared`) baseline.
    `listing`: a prompts or resources listing (its own baseline and names); None for tools."""
    md = mcp.max_schema_depth
    parts = {}
    keys = listing.keys if listing is not None else _TOOL_KEYS
    noun = listing.noun if listing is not None else "tool"
    store = listing.items if listing is not None else session.tools
    try:
        for k in keys:
            parts[k] = hashlib.sha256(_canon(tool.get(k), md, complete)).hexdigest()
    except _TooDeep:
        return []  # already refused as schema_too_complex
    fp = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    desc = tool.get("description") if isinstance(tool.get("description"), str) else ""
    schema = tool.get("inputSchema") if isinstance(tool.get("inputSchema"), dict) else {}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    params = frozenset(str(k) for k in list(props)[:1000])
    rug = mcp.rug_pull_action
    if name in seen_now:
        if seen_now[name] != fp:
            return [Finding("rug_pull", f"duplicate_{noun}_name", "high", f"{name[:40]} listed twice, differently",
                            tw, rug)]
        return []
    seen_now[name] = fp
    if shared is not None:
        f = shared.check(session.server, name if listing is None else f"{listing.method} {name}", fp, tw, rug)
        if f is not None:
            return [f]
    old = store.get(name)
    if old is None:
        if len(store) >= session.max_tools:
            return [Finding("rug_pull", f"too_many_{noun}s", "high", f"over {session.max_tools} {noun}s", tw, "block")]
        store[name] = _Record(fp, desc[:MAX_DESC_KEEP], len(desc), params, parts)
        if first:
            return []
        return [Finding("rug_pull", f"{noun}_added_after_approval", "medium", name[:80], tw,
                        mcp.added_tool_action)]
    if old.fp == fp:
        return []
    # The approved (first) definition stays the baseline.
    return [Finding("rug_pull", f"{noun}_definition_changed", "critical", _diff(old, desc, params, parts)[:160],
                    tw, rug)]


def _diff(old: _Record, desc: str, params: frozenset[str], parts: dict[str, str]) -> str:
    bits: list[str] = []
    if old.parts.get("description") != parts.get("description"):
        od, olen = old.description, old.desc_len
        if desc.startswith(od) and len(desc) > olen:
            tail = desc[olen:].strip()
            bits.append(f"description grew by {len(desc) - olen} chars: '...{tail[:60]}'")
        elif od.startswith(desc[:MAX_DESC_KEEP]) and len(desc) < olen:
            bits.append(f"description shrank by {olen - len(desc)} chars")
        else:
            k = 0
            while k < min(len(od), len(desc)) and od[k] == desc[k]:
                k += 1
            bits.append(f"description changed ({olen} -> {len(desc)} chars) at {k}: '{desc[k:k + 60]}'")
    added = sorted(params - old.params)
    removed = sorted(old.params - params)
    if added:
        bits.append("param added: " + ", ".join(a[:30] for a in added[:5]))
    if removed:
        bits.append("param removed: " + ", ".join(r[:30] for r in removed[:5]))
    order = ("inputSchema", "outputSchema", "annotations", "title")
    for k in order + tuple(k for k in parts if k not in order and k not in ("name", "description")):
        if old.parts.get(k) != parts.get(k) and not (k == "inputSchema" and (added or removed)):
            bits.append(f"{k} changed")
    return "; ".join(bits) or "definition changed"
