"""Config sections owned by the core. Each area of ringfence may add its own
section module (config/<area>.py) and is composed in schema.py."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from .base import Section

Action = Literal["block", "warn"]
StripAction = Literal["block", "strip", "warn"]


class Exemption(Section):
    """A narrow exemption: one rule, on some domains (or every domain when omitted)."""
    rule: str = Field(description="rule id, e.g. dlp:jwt or injection:role_override")
    domains: list[str] = Field(default_factory=list, description="host patterns; *.x matches x and its subdomains")
    tools: list[str] = Field(default_factory=list, description="MCP tool names; when set, only calls of these tools")
    expires: str = Field("", description="UTC time (2026-01-31T12:00:00Z) after which the exemption is ignored; "
                                         "empty = never")
    note: str = Field("", max_length=512, description="why it exists, e.g. the receipt it came from")

    @field_validator("expires")
    @classmethod
    def _expires(cls, v: str) -> str:
        if v:
            expiry_ts(v)
        return v

    def active(self, now: float | None = None) -> bool:
        import time
        return not self.expires or expiry_ts(self.expires) > (time.time() if now is None else now)


def expiry_ts(v: str) -> float:
    """Seconds since the epoch for an RFC 3339 UTC time; ValueError otherwise."""
    import datetime
    if not v.endswith("Z"):
        raise ValueError(f"expires must be a UTC time ending in Z, e.g. 2026-01-31T12:00:00Z (got {v!r})")
    try:
        dt = datetime.datetime.fromisoformat(v[:-1] + "+00:00")
    except ValueError:
        raise ValueError(f"expires is not a time: {v!r} (want e.g. 2026-01-31T12:00:00Z)") from None
    return dt.timestamp()


class DlpConfig(Section):
    """Outbound secret detection (URLs, headers, bodies, tool arguments, frames)."""
    enabled: bool = Field(True, description="scan outbound content for secrets")
    action: Action = Field("block", description="what a DLP finding does: block or warn")
    scan_env: bool = Field(True, description="match this process's sensitive environment values")
    env_min_length: int = Field(16, ge=8, le=4096, description="shortest env value treated as a secret")
    canaries: list[str] = Field(default_factory=list, description="literal canary tokens (>= 8 chars)")
    disabled_rules: list[str] = Field(default_factory=list, description="DLP rule ids to turn off")
    max_decode_depth: int = Field(4, ge=1, le=8, description="layers of base64/hex/percent/... decoded")
    max_scan_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="larger content is blocked (fail closed)")


class InjectionConfig(Section):
    """Inbound prompt-injection detection (responses, tool results, tool descriptions)."""
    enabled: bool = Field(True, description="scan inbound content for prompt injection")
    action: StripAction = Field("block", description="block, strip (remove the injected span) or warn")
    disabled_rules: list[str] = Field(default_factory=list, description="injection family ids to turn off")
    max_decode_depth: int = Field(4, ge=1, le=8, description="layers of base64/hex/percent/... decoded")
    max_scan_bytes: int = Field(16 * 1024 * 1024, ge=1024, description="larger content is blocked (fail closed)")
    threshold: float = Field(0.8, ge=0.1, le=5.0, strict=False,
                             description="score a hit needs to become a finding (lower = stricter)")


class UrlConfig(Section):
    max_url_length: int = Field(4096, ge=64, le=1_048_576, description="longer URLs are blocked, checked first")
    allowed_schemes: list[str] = Field(default_factory=lambda: ["http", "https", "ws", "wss"],
                                       description="URL schemes that may leave")
    allowlist: list[str] = Field(default_factory=list, description="if non-empty, only these hosts are allowed")
    blocklist: list[str] = Field(default_factory=lambda: [
        "*.pastebin.com", "*.hastebin.com", "*.paste.ee", "*.transfer.sh", "*.file.io",
        "*.requestbin.com", "*.requestbin.net", "*.webhook.site", "*.ngrok.io", "*.ngrok-free.app"],
        description="hosts never reached; *.x matches x and its subdomains")
    entropy_threshold: float = Field(4.5, ge=1.0, le=8.0, strict=False,
                                     description="bits/char above which a path or query value looks like data")
    entropy_min_length: int = Field(20, ge=8, description="shortest path/query value checked for entropy")
    subdomain_entropy_threshold: float = Field(4.0, ge=1.0, le=8.0, strict=False,
                                               description="bits/char above which a subdomain label looks like data")
    subdomain_min_label: int = Field(8, ge=4, description="shortest subdomain label checked (DNS exfiltration)")
    requests_per_minute: int | None = Field(None, ge=1, description="per registrable domain; null = unlimited")
    bytes_per_minute: int | None = Field(None, ge=1, description="data budget per registrable domain; null = unlimited")
    rate_limit_action: Action = Field("block", description="what a request over the rate limit or data budget gets")
    subdomain_entropy_exempt: list[str] = Field(default_factory=lambda: [
        "*.cloudfront.net", "*.on.aws", "*.execute-api.amazonaws.com", "*.azureedge.net", "*.azurefd.net",
        "*.netlify.app", "*.amazonaws.com", "*.awsapprunner.com",
        "*.elasticbeanstalk.com", "*.azurewebsites.net", "*.core.windows.net", "*.azurestaticapps.net",
        "*.azurecontainerapps.io", "*.cloudapp.azure.com", "*.run.app", "*.appspot.com", "*.cloudfunctions.net",
        "*.web.app", "*.firebaseapp.com", "*.herokuapp.com", "*.herokudns.com", "*.vercel.app", "*.fly.dev",
        "*.onrender.com", "*.pages.dev", "*.workers.dev", "*.amplifyapp.com", "*.railway.app",
        "*.deno.dev",
        # hosted backends: the first label is the project ref the platform assigned
        # (Supabase: 20 random letters), published in every client bundle
        "*.supabase.co", "*.supabase.in", "*.nhost.run", "*.firebaseio.com", "*.neon.tech", "*.xata.sh",
        "*.upstash.io", "*.turso.io"],
        description="hosts whose subdomain labels are platform-assigned ids (no subdomain entropy check; "
                    "hostname DLP still runs)")
    entropy_exempt_hosts: list[str] = Field(default_factory=list,
                                            description="hosts whose path/query values skip the entropy check")


class SsrfConfig(Section):
    """Server-side request forgery: internal addresses are never dialed."""
    enabled: bool = Field(True, description="block internal, loopback, link-local and metadata addresses")
    trusted_domains: list[str] = Field(default_factory=list, description="hosts allowed to resolve to private addresses")
    ip_allowlist: list[str] = Field(default_factory=list, description="CIDRs allowed even though internal")
    dns_timeout_s: float = Field(5.0, gt=0, le=60, strict=False, description="DNS lookup timeout (a failure blocks)")
