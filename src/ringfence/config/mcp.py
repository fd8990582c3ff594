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
    shutdown_timeout_s: float = Field(5.0, gt=0, le=300, strict=False,
                                      description="after the client closes stdin, wait this long for the server's last answers")
    upstream_timeout_s: float = Field(300.0, gt=0, le=3600, strict=False,
                                      description="HTTP transports: longest wait for one upstream answer")
    max_sessions: int = Field(1000, ge=1, description="HTTP listener: sessions tracked at once (LRU)")


class A2aConfig(Section):
    enabled: bool = True
    action: Literal["block", "warn"] = "block"
