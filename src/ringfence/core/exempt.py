"""Exemptions: which findings a narrow `exemptions:` entry (one rule, optionally on some
hosts or some MCP tools, optionally until a date) takes out before a Decision is made.

One implementation for every transport. Host-scoped entries match the host as the client
sent it; tool-scoped ones the MCP tool's name; unscoped ones apply everywhere. A relay
that runs for a long time can follow its config file (`watch_config`), so `ringfence
allow` takes effect in running sessions: the file is re-read at most once a second, and
an invalid file keeps what was loaded before."""
from __future__ import annotations

import os
import threading
import time
from typing import Any

from .decide import decide
from .types import Decision, Finding

__all__ = ["apply", "current", "keep", "watch_config"]

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


def current(config: Any) -> tuple:
    """The exemptions in force: the watched file's when one is watched, else the config's."""
    path = _live["path"]
    if not path:
        return tuple(getattr(config, "exemptions", ()) or ())
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
                    from ..config import load_config
                    _live["exemptions"] = tuple(load_config(path).exemptions)
                    _live["mtime"] = m
                except Exception:  # an invalid file keeps what was loaded before
                    pass
        ex = _live["exemptions"]
    return ex if ex is not None else tuple(getattr(config, "exemptions", ()) or ())


def _covers(e: Any, f: Finding, host: str, tool: str, host_matches) -> bool:
    if e.rule not in (f.rule, f"{f.scanner}:{f.rule}"):
        return False
    if e.expires and not e.active():
        return False
    if e.tools and tool not in e.tools:
        return False
    if e.domains:
        return bool(host) and any(host_matches(host, d) for d in e.domains)
    return True


def keep(findings: list[Finding] | tuple[Finding, ...], config: Any, host: str = "",
         tool: str = "") -> list[Finding]:
    """The findings no exemption in force covers (for this host and this tool)."""
    if not findings:
        return list(findings)
    ex = current(config)
    if not ex:
        return list(findings)
    from .inspect import host_matches   # inspect imports this module
    return [f for f in findings if not any(_covers(e, f, host, tool, host_matches) for e in ex)]


def apply(decision: Decision, config: Any, host: str = "", tool: str = "") -> Decision:
    """A Decision with the exempted findings taken out (the same object when none is)."""
    if decision.verdict == "allow" or decision.error or not decision.findings:
        return decision
    kept = keep(decision.findings, config, host, tool)
    if len(kept) == len(decision.findings):
        return decision
    d = decide(kept, enforce=config.enforce)
    return Decision(d.verdict, d.findings, d.reason, decision.content if d.verdict == "strip" else None,
                    decision.duration_ms)
