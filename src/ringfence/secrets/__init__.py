"""Secrets at the boundary and egress policy by host and method.

    boundary_for(config) -> Boundary | None     the compiled secrets + egress rules
    placeholder_env(config) -> {NAME: placeholder}   for `ringfence exec` (values never)

The agent holds placeholders; ringfence puts the real value in only on requests
to the hosts each secret belongs to (see boundary.py). Values are read once, at
config load (config/secrets.py), and held in memory only.
"""
from __future__ import annotations

import re
from typing import Any

from .boundary import Boundary, Outbound

_ENV_SAFE = re.compile(r"[^A-Za-z0-9_]")


def boundary_for(config: Any) -> Boundary | None:
    """The Boundary for a config, or None when neither secrets nor egress rules are set."""
    secrets = getattr(config, "secrets", None)
    egress = getattr(config, "egress", None)
    if not secrets and (egress is None or not egress.active):
        return None
    return Boundary(config)


def placeholder_env(config: Any) -> dict[str, str]:
    """The environment an agent gets instead of the real secrets: for each configured
    secret, the variable named like its source (value_from.env, else the secret's name
    upper-cased, e.g. `openai` -> OPENAI) set to its placeholder. Never a real value.

    `ringfence exec` merges this into the agent's environment (and sets HTTP(S)_PROXY),
    so code that reads OPENAI_API_KEY gets `rf-secret://openai` and the proxy swaps it
    for the real key on requests to the secret's hosts only. To give egress rules the
    profile as the agent's identity, put it in the proxy URL's user name:
    HTTPS_PROXY=http://PROFILE:@127.0.0.1:8888 (`agents: [PROFILE]` in a rule)."""
    out: dict[str, str] = {}
    for name, spec in (getattr(config, "secrets", None) or {}).items():
        var = spec.value_from.env or _ENV_SAFE.sub("_", name).upper()
        out[var] = spec.placeholder or f"rf-secret://{name}"
    return out


__all__ = ["Boundary", "Outbound", "boundary_for", "placeholder_env"]
