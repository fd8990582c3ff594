"""Config for shared state: where rate limits, budgets, the kill switch, session taint
and MCP tool baselines live when several ringfence instances act as one."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from .base import Section

_PREFIX = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class StateConfig(Section):
    backend: Literal["memory", "redis", "nats"] = Field(
        "memory", description="memory (one process, the default), redis (Redis 6.2+ or Valkey) or nats (JetStream KV)")
    url: str = Field("", description="redis://host:6379/0 (rediss:// for TLS) or nats://host:4222; "
                                     "required for redis and nats")
    prefix: str = Field("ringfence", description="key prefix (Redis) or KV bucket name (NATS): "
                                                 "letters, digits, _ and -; instances that act as one share it")
    timeout_ms: int = Field(250, ge=10, le=10_000,
                            description="per-operation timeout; past it the decision that needed the state "
                                        "is blocked (state:unavailable)")

    @model_validator(mode="after")
    def _check(self) -> "StateConfig":
        if not _PREFIX.match(self.prefix):
            raise ValueError("state.prefix: use 1-64 letters, digits, '_' or '-'")
        if self.backend == "memory":
            if self.url:
                raise ValueError("state.url is only used with backend redis or nats")
            return self
        if not self.url:
            raise ValueError(f"state.url is required with backend {self.backend} "
                             f"(e.g. {'redis://127.0.0.1:6379/0' if self.backend == 'redis' else 'nats://127.0.0.1:4222'})")
        schemes = ("redis://", "rediss://", "unix://") if self.backend == "redis" else ("nats://", "tls://")
        if not self.url.startswith(schemes):
            raise ValueError(f"state.url for backend {self.backend} must start with {' or '.join(schemes)}")
        return self
