"""Config for MCP and A2A proxying."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Section


class McpConfig(Section):
    tool_poisoning_action: Literal["block", "warn"] = "block"
    rug_pull_action: Literal["block", "warn"] = "block"
    policy_action: Literal["block", "warn"] = "block"
    chain_action: Literal["block", "warn"] = "block"
    max_message_bytes: int = Field(8 * 1024 * 1024, ge=1024)
    env_allowlist: list[str] = Field(default_factory=lambda: [
        "PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TZ", "TMPDIR", "SHELL"])


class A2aConfig(Section):
    enabled: bool = True
    action: Literal["block", "warn"] = "block"
