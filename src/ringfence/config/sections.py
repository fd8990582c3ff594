"""Config sections owned by the core. Each area of ringfence may add its own
section module (config/<area>.py) and is composed in schema.py."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Section

Action = Literal["block", "warn"]
StripAction = Literal["block", "strip", "warn"]


class Exemption(Section):
    """A narrow exemption: one rule, on some domains (or every domain when omitted)."""
    rule: str = Field(description="rule id, e.g. dlp:jwt or injection:role_override")
    domains: list[str] = Field(default_factory=list, description="host patterns; *.x matches x and its subdomains")


class DlpConfig(Section):
    enabled: bool = True
    action: Action = "block"
    scan_env: bool = Field(True, description="match this process's sensitive environment values")
    env_min_length: int = Field(16, ge=8, le=4096)
    canaries: list[str] = Field(default_factory=list, description="literal canary tokens (>= 8 chars)")
    disabled_rules: list[str] = Field(default_factory=list)
    max_decode_depth: int = Field(4, ge=1, le=8)
    max_scan_bytes: int = Field(8 * 1024 * 1024, ge=1024)


class InjectionConfig(Section):
    enabled: bool = True
    action: StripAction = "block"
    disabled_rules: list[str] = Field(default_factory=list)
    max_decode_depth: int = Field(4, ge=1, le=8)
    max_scan_bytes: int = Field(16 * 1024 * 1024, ge=1024)
    threshold: float = Field(0.8, ge=0.1, le=5.0, strict=False,
                             description="score a hit needs to become a finding (lower = stricter)")


class UrlConfig(Section):
    max_url_length: int = Field(4096, ge=64, le=1_048_576)
    allowed_schemes: list[str] = Field(default_factory=lambda: ["http", "https", "ws", "wss"])
    allowlist: list[str] = Field(default_factory=list, description="if non-empty, only these hosts are allowed")
    blocklist: list[str] = Field(default_factory=lambda: [
        "*.pastebin.com", "*.hastebin.com", "*.paste.ee", "*.transfer.sh", "*.file.io",
        "*.requestbin.com", "*.requestbin.net", "*.webhook.site", "*.ngrok.io", "*.ngrok-free.app",
        "exfil-collector.example.net"])
    entropy_threshold: float = Field(4.5, ge=1.0, le=8.0, strict=False)
    entropy_min_length: int = Field(20, ge=8)
    subdomain_entropy_threshold: float = Field(4.0, ge=1.0, le=8.0, strict=False)
    subdomain_min_label: int = Field(8, ge=4)
    requests_per_minute: int | None = Field(None, ge=1, description="per registrable domain; null = unlimited")
    bytes_per_minute: int | None = Field(None, ge=1, description="data budget per registrable domain; null = unlimited")
    rate_limit_action: Action = Field("block", description="what a request over the rate limit or data budget gets")
    subdomain_entropy_exempt: list[str] = Field(default_factory=lambda: [
        "*.cloudfront.net", "*.on.aws", "*.execute-api.amazonaws.com", "*.azureedge.net", "*.azurefd.net",
        "*.netlify.app"],
        description="hosts whose subdomain labels are platform-assigned ids (no subdomain entropy check)")
    entropy_exempt_hosts: list[str] = Field(default_factory=list,
                                            description="hosts whose path/query values skip the entropy check")


class SsrfConfig(Section):
    enabled: bool = True
    trusted_domains: list[str] = Field(default_factory=list, description="hosts allowed to resolve to private addresses")
    ip_allowlist: list[str] = Field(default_factory=list, description="CIDRs allowed even though internal")
    dns_timeout_s: float = Field(5.0, gt=0, le=60, strict=False)
