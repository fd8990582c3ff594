"""Config for egress policy by host and method: first matching rule wins."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from .base import Section
from .secrets import _globs, _methods


class EgressRule(Section):
    """allow/deny METHODS to HOSTS (optionally PATHS, optionally only for some AGENTS)."""
    action: Literal["allow", "deny"] = Field(description="allow or deny")
    methods: Annotated[list[str], AfterValidator(_methods)] = Field(
        default_factory=lambda: ["*"], min_length=1, description="HTTP methods, or '*' for any")
    hosts: Annotated[list[str], AfterValidator(_globs)] = Field(
        default_factory=lambda: ["*"], min_length=1,
        description="host globs; *.x matches x and its subdomains; 'host/path-glob' also limits the path")
    paths: Annotated[list[str], AfterValidator(_globs)] = Field(
        default_factory=list, description="path globs (query excluded), e.g. /v1/*; empty = any")
    agents: list[str] = Field(default_factory=list,
                              description="agent ids (X-Agent header, MCP client name, exec profile); empty = any")


class EgressConfig(Section):
    default: Literal["allow", "deny"] = Field("allow", description="what happens when no rule matches")
    rules: list[EgressRule] = Field(default_factory=list, description="first match wins")

    @property
    def active(self) -> bool:
        return self.default == "deny" or bool(self.rules)
