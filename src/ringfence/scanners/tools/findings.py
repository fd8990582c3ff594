"""Finding helpers shared by the tool scanners."""
from __future__ import annotations

import dataclasses

from ...core import Finding


def internal(e: BaseException, where: str) -> Finding:
    """An internal error as a block finding (fail closed)."""
    return Finding("internal", "scan_error", "high", f"{type(e).__name__}: {e}"[:80], where, "block")


def with_action(f: Finding, action: str) -> Finding:
    return f if f.action == action else dataclasses.replace(f, action=action)
