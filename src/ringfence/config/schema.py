"""The whole ringfence config: one YAML file, validated strictly."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Section
from .egress import EgressConfig
from .mcp import A2aConfig, McpConfig
from .proxy import AdminConfig, KillSwitchConfig, ProxyConfig, TlsConfig
from .receipts import ReceiptsConfig
from .secrets import Secrets
from .state import StateConfig
from .sections import DlpConfig, Exemption, InjectionConfig, SsrfConfig, UrlConfig


class Config(Section):
    version: int = Field(1, description="config format version")
    mode: Literal["strict", "balanced", "audit"] = Field(
        "balanced", description="balanced (default), strict, or audit (detect and receipt, never block)")
    dlp: DlpConfig = Field(default_factory=DlpConfig, description="outbound secret detection")
    injection: InjectionConfig = Field(default_factory=InjectionConfig, description="inbound prompt-injection detection")
    url: UrlConfig = Field(default_factory=UrlConfig, description="the URL pipeline: length, scheme, lists, entropy, rate limits")
    ssrf: SsrfConfig = Field(default_factory=SsrfConfig, description="internal-address protection")
    exemptions: list[Exemption] = Field(default_factory=list, description="narrow exemptions: one rule, optionally only on some domains")
    proxy: ProxyConfig = Field(default_factory=ProxyConfig, description="the HTTP proxy (ringfence run)")
    tls: TlsConfig = Field(default_factory=TlsConfig, description="TLS interception for CONNECT")
    admin: AdminConfig = Field(default_factory=AdminConfig, description="admin API (kill switch, reload) and Prometheus metrics")
    kill_switch: KillSwitchConfig = Field(default_factory=KillSwitchConfig, description="deny everything, from config, SIGUSR1, a sentinel file or the admin API")
    mcp: McpConfig = Field(default_factory=McpConfig, description="MCP proxying: tool poisoning, rug-pulls, tool policy, chains")
    a2a: A2aConfig = Field(default_factory=A2aConfig, description="agent-to-agent traffic")
    receipts: ReceiptsConfig = Field(default_factory=ReceiptsConfig, description="signed receipts and the evidence log")
    secrets: Secrets = Field(default_factory=dict, description="secrets the agent holds as placeholders; "
                             "ringfence puts the real value in on requests to their hosts")
    egress: EgressConfig = Field(default_factory=EgressConfig, description="egress policy by host and method")
    state: StateConfig = Field(default_factory=StateConfig, description="shared state for several instances: memory, redis or nats")

    @property
    def enforce(self) -> bool:
        return self.mode != "audit"
