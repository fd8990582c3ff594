"""Config for MCP and A2A proxying."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from .base import Section


def _check_re2(v: str | None) -> str | None:
    if v is None:
        return v
    import re2
    try:
        re2.compile(v)
    except Exception as e:  # re2.error: report as a config error, not a traceback
        raise ValueError(f"invalid pattern {v[:60]!r}: {e}") from None
    return v


class ArgConstraint(Section):
    """One argument of a tool: the (RE2) pattern its value must / must not contain."""
    must_match: str | None = Field(None, description="RE2 pattern the value must contain (use ^...$ for whole)")
    must_not_match: str | None = Field(None, description="RE2 pattern the value must not contain")

    _v1 = field_validator("must_match", "must_not_match")(_check_re2)


class ServerPolicy(Section):
    """Per MCP server (key = server name, '*' = every server) tool lists and argument rules."""
    allow_tools: list[str] = Field(default_factory=list, description="tool globs; if non-empty only these")
    deny_tools: list[str] = Field(default_factory=list, description="tool globs that are always refused")
    arg_constraints: dict[str, dict[str, ArgConstraint]] = Field(
        default_factory=dict, description="tool glob -> argument name -> constraint")


class McpConfig(Section):
    tool_poisoning_action: Literal["block", "warn"] = Field("block", description="poisoned tool descriptions in tools/list")
    tool_result_credentials: Literal["strip", "block", "warn"] = Field(
        "strip", description="a credential in a tools/call result (local data on its way to the model "
        "provider): strip replaces it with a typed placeholder, block refuses the result, warn passes it")
    rug_pull_action: Literal["block", "warn"] = Field("block", description="a tool definition that changed after approval")
    policy_action: Literal["block", "warn"] = Field("block", description="tool calls matching a policy rule (rm -rf /, ...)")
    chain_action: Literal["block", "warn"] = Field("block", description="multi-step attack chains (secret read, then send)")
    max_message_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="larger JSON-RPC messages are refused")
    env_allowlist: list[str] = Field(default_factory=lambda: [
        "PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TZ", "TMPDIR", "SHELL"],
        description="env vars passed to a wrapped stdio server (ringfence's own secrets stay out)")
    shutdown_timeout_s: float = Field(5.0, gt=0, le=300, strict=False,
                                      description="after the client closes stdin, wait this long for the server's last answers")
    upstream_timeout_s: float = Field(300.0, gt=0, le=3600, strict=False,
                                      description="HTTP transports: longest wait for one upstream answer")
    max_sessions: int = Field(1000, ge=1, description="HTTP listener: sessions tracked at once (LRU)")
    added_tool_action: Literal["block", "warn"] = Field(
        "warn", description="a tool that first appears after the first tools/list")
    session_binding_action: Literal["block", "warn", "off"] = Field(
        "block", description="a call to a tool not listed in this session (once a list was seen)")
    input_injection: bool = Field(True, description="prompt-injection scan of tool-call arguments")
    max_tools: int = Field(10_000, ge=1, le=1_000_000, description="tools fingerprinted per session")
    max_schema_depth: int = Field(32, ge=4, le=256, description="deeper tool schemas are refused")
    chain_window: int = Field(20, ge=2, le=1000, description="calls remembered per session for chains")
    chain_window_s: float = Field(600.0, gt=0, le=86400, strict=False, description="seconds a call is remembered")
    chain_max_gap: int = Field(3, ge=0, le=100, description="unrelated calls allowed between chain steps")
    disabled_policy_rules: list[str] = Field(default_factory=list, description="tool-policy rule ids to turn off")
    allowed_hosts: list[str] = Field(default_factory=list, description=(
        "HTTP listener: Host header names accepted (DNS-rebinding guard); empty = loopback names only "
        "(localhost, 127.0.0.1, ::1) plus the listen address"))
    allowed_origins: list[str] = Field(default_factory=list, description=(
        "HTTP listener: browser Origins accepted, e.g. https://app.example; empty = loopback origins only; "
        "requests without an Origin (non-browser clients) are accepted"))
    servers: dict[str, ServerPolicy] = Field(default_factory=dict,
                                             description="per-server tool allow/deny lists and argument constraints")


class A2aConfig(Section):
    enabled: bool = Field(True, description="scan A2A messages and Agent Cards")
    action: Literal["block", "warn"] = Field("block", description="what an A2A finding does")
