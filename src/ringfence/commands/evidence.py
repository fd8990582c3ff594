"""Session receipts for long-running commands (`run`, `mcp proxy`): one call at start;
the writer signs session_close itself when it is closed."""
from __future__ import annotations

import hashlib
import os
from typing import Any

_RULESET: str = ""


def ruleset_hash() -> str:
    """SHA-256 over the built-in rule modules (rules are data: this names the rule set)."""
    global _RULESET
    if not _RULESET:
        from .. import rules
        h = hashlib.sha256()
        base = os.path.dirname(rules.__file__)
        for name in sorted(os.listdir(base)):
            if name.endswith(".py"):
                with open(os.path.join(base, name), "rb") as f:
                    h.update(name.encode() + b"\0" + f.read() + b"\0")
        _RULESET = "sha256:" + h.hexdigest()
    return _RULESET


def open_session(writer: Any, config: Any, kind: str, **extra: Any) -> None:
    """Sign session_open (config hash, ruleset hash, version, key fingerprint) and start
    heartbeats every receipts.heartbeat_s. No-op when receipts are off."""
    if not getattr(writer, "enabled", False) or not hasattr(writer, "open_session"):
        return
    from .. import __version__
    writer.open_session(kind, ruleset_hash=ruleset_hash(), version=__version__,
                        heartbeat_s=getattr(config.receipts, "heartbeat_s", 30),
                        extra={k: str(v)[:200] for k, v in extra.items() if v})
