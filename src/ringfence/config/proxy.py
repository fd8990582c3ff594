"""Config for `ringfence run`: listener, TLS interception, WebSocket, admin, kill switch."""
from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from .base import Section


class ProxyConfig(Section):
    listen: str = Field("127.0.0.1:8888", description="HOST:PORT of the proxy listener")
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="larger bodies are refused (413), never passed unscanned")
    max_header_bytes: int = Field(64 * 1024, ge=1024, description="larger request heads are refused (431)")
    header_timeout_s: float = Field(10.0, gt=0, le=300, strict=False, description="time to send a request head (slowloris)")
    upstream_timeout_s: float = Field(30.0, gt=0, le=600, strict=False, description="time for an upstream to answer (504)")
    max_redirects: int = Field(5, ge=0, le=20, description="redirects /fetch follows, each hop rescanned")
    # Resource limits (slow bodies, memory, connections, idle sockets).
    body_timeout_s: float = Field(30.0, gt=0, le=3600, strict=False,
                                  description="total time a request body may take to arrive (then 408 and close)")
    body_min_rate_bytes_s: int = Field(512, ge=0, le=1 << 30,
                                       description="a body arriving slower than this (checked after its first "
                                                   "5 s) gets 408 and is closed; 0 turns the rate check off")
    max_buffered_body_bytes: int = Field(64 * 1024 * 1024, ge=1024,
                                         description="request-body bytes held across all connections; "
                                                     "over it a new body gets 503")
    max_connections: int = Field(1024, ge=1, le=1_000_000,
                                 description="client connections open at once; more are answered 503 and closed")
    idle_timeout_s: float = Field(30.0, gt=0, le=3600, strict=False,
                                  description="a keep-alive client connection idle this long is closed")
    tunnel_idle_timeout_s: float = Field(300.0, gt=0, le=86400, strict=False,
                                         description="a CONNECT tunnel or WebSocket with no traffic this long is closed")
    upstream_idle_timeout_s: float = Field(30.0, gt=0, le=3600, strict=False,
                                           description="pooled idle upstream connections are closed after this "
                                                       "(by a timer, also while the proxy is idle)")

    @model_validator(mode="after")
    def _budget_fits_a_body(self):
        if self.max_buffered_body_bytes < self.max_body_bytes:
            raise ValueError(f"max_buffered_body_bytes ({self.max_buffered_body_bytes}) must be at least "
                             f"max_body_bytes ({self.max_body_bytes}), or no full-size body is ever accepted")
        return self

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
