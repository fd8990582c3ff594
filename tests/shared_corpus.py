"""Where the shared corpora live: `../shared` beside the repository (or beside an
enclosing checkout, for worktrees), or $RINGFENCE_SHARED. A missing corpus is an
error, not a silent skip, unless RINGFENCE_ALLOW_NO_CORPUS=1."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    env = os.environ.get("RINGFENCE_SHARED")
    if env:
        return Path(env)
    for a in ROOT.parents:
        if (a / "shared").is_dir():
            return a / "shared"
    return ROOT.parent / "shared"


def require(sub: str) -> Path:
    """The path `shared/<sub>`; raises at import (a collection error) when absent."""
    p = shared_dir() / sub
    if not p.exists() and os.environ.get("RINGFENCE_ALLOW_NO_CORPUS") != "1":
        raise RuntimeError(f"shared corpus {p} is missing: put the shared checkout beside the repository, "
                           f"set RINGFENCE_SHARED, or set RINGFENCE_ALLOW_NO_CORPUS=1 to skip these tests")
    return p


AEB_CASES = "aeb/cases"
