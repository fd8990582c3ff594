"""Config for `ringfence run`: listener, TLS interception, WebSocket, admin, kill switch."""
from __future__ import annotations

from pydantic import Field, field_validator

from .base import Section


class ProxyConfig(Section):
    listen: str = Field("127.0.0.1:8888", description="HOST:PORT of the proxy listener")
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="larger bodies are refused (413), never passed unscanned")
    max_header_bytes: int = Field(64 * 1024, ge=1024, description="larger request heads are refused (431)")
    header_timeout_s: float = Field(10.0, gt=0, le=300, strict=False, description="time to send a request head (slowloris)")
    upstream_timeout_s: float = Field(30.0, gt=0, le=600, strict=False, description="time for an upstream to answer (504)")
    max_redirects: int = Field(5, ge=0, le=20, description="redirects /fetch follows, each hop rescanned")

    @field_validator("listen")
    @classmethod
    def _listen_port(cls, v: str) -> str:
        host, sep, port = v.rpartition(":")
        if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(f"want HOST:PORT with a port in 1-65535, got {v!r}")
        return v


class TlsConfig(Section):
    intercept: bool = Field(False, description="decrypt CONNECT tunnels and scan them in full (needs `ringfence tls init`)")
    ca_dir: str = Field("~/.ringfence/ca", description="where `ringfence tls init` writes the CA")
    include: list[str] = Field(default_factory=list, description="hosts to intercept; empty = all")
    exclude: list[str] = Field(default_factory=list, description="hosts never intercepted")


class AdminConfig(Section):
    listen: str = Field("127.0.0.1:8889", description="admin API and metrics listener")
    token_env: str = Field("RINGFENCE_ADMIN_TOKEN", description="env var holding the bearer token")


class KillSwitchConfig(Section):
    active: bool = Field(False, description="deny all traffic (503) while true")
    sentinel_file: str = Field("", description="when this file exists, deny all traffic")
