"""Exemptions the MCP relays apply themselves: tool-scoped ones (`tools: [name]`), which
only the relay can match (it knows the tool), and, when the config file changes while a
session runs (`ringfence allow`), the new rule- and tool-scoped ones: the relays re-read
the file's exemptions at most once a second. Host-scoped exemptions are the engine's."""
from __future__ import annotations

import os
import threading
import time
from typing import Any

from .core import Decision, decide

_lock = threading.Lock()
_live: dict[str, Any] = {"path": None, "mtime": None, "checked": 0.0, "exemptions": None}


def watch_config(path: str | None) -> None:
    """Follow this config file's exemptions from now on (None: only the loaded config)."""
    with _lock:
        _live.update(path=os.path.abspath(os.path.expanduser(path)) if path else None, mtime=None,
                     checked=0.0, exemptions=None)
        if path:
            try:
                _live["mtime"] = os.stat(_live["path"]).st_mtime_ns
            except OSError:
                pass


def _current(config: Any) -> tuple:
    path = _live["path"]
    if not path:
        return tuple(getattr(config, "exemptions", ()))
    now = time.monotonic()
    with _lock:
        if now - _live["checked"] >= 1.0:
            _live["checked"] = now
            try:
                m = os.stat(path).st_mtime_ns
            except OSError:
                m = _live["mtime"]
            if m != _live["mtime"]:
                try:
                    from .config import load_config
                    _live["exemptions"] = tuple(load_config(path).exemptions)
                    _live["mtime"] = m
                except Exception:  # an invalid file keeps what was loaded before
                    pass
        ex = _live["exemptions"]
    return ex if ex is not None else tuple(getattr(config, "exemptions", ()))


def apply_tool_exemptions(config: Any, decision: Decision, tool: str) -> Decision:
    if decision.verdict == "allow" or decision.error or not decision.findings:
        return decision
    ex = [e for e in _current(config)
          if ((e.tools and tool in e.tools) or (not e.tools and not e.domains)) and e.active()]
    if not ex:
        return decision
    rules = {e.rule for e in ex}
    kept = [f for f in decision.findings if f.rule not in rules and f"{f.scanner}:{f.rule}" not in rules]
    if len(kept) == len(decision.findings):
        return decision
    d = decide(kept, enforce=config.enforce)
    return Decision(d.verdict, d.findings, d.reason, decision.content if d.verdict == "strip" else None,
                    decision.duration_ms)
