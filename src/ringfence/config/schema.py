"""The whole ringfence config: one YAML file, validated strictly."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Section
from .mcp import A2aConfig, McpConfig
from .proxy import AdminConfig, KillSwitchConfig, ProxyConfig, TlsConfig
from .receipts import ReceiptsConfig
from .sections import DlpConfig, Exemption, InjectionConfig, SsrfConfig, UrlConfig


class Config(Section):
    version: int = Field(1, description="config format version")
    mode: Literal["strict", "balanced", "audit"] = Field(
        "balanced", description="audit: every block becomes a warning")
    dlp: DlpConfig = Field(default_factory=DlpConfig)
    injection: InjectionConfig = Field(default_factory=InjectionConfig)
    url: UrlConfig = Field(default_factory=UrlConfig)
    ssrf: SsrfConfig = Field(default_factory=SsrfConfig)
    exemptions: list[Exemption] = Field(default_factory=list)
    proxy: ProxyConfig = Field(default_factory=ProxyConfig)
    tls: TlsConfig = Field(default_factory=TlsConfig)
    admin: AdminConfig = Field(default_factory=AdminConfig)
    kill_switch: KillSwitchConfig = Field(default_factory=KillSwitchConfig)
    mcp: McpConfig = Field(default_factory=McpConfig)
    a2a: A2aConfig = Field(default_factory=A2aConfig)
    receipts: ReceiptsConfig = Field(default_factory=ReceiptsConfig)

    @property
    def enforce(self) -> bool:
        return self.mode != "audit"
