"""Shared state behind one interface: memory (default), Redis/Valkey, NATS JetStream KV.

Backends' client libraries are imported only when chosen (extra `scale`), so ringfence
runs without them."""
from __future__ import annotations

from .base import State, StateUnavailable

__all__ = ["State", "StateUnavailable", "open_state", "unavailable_finding"]


def open_state(cfg) -> State:
    """Build the backend a `state:` config section names (no I/O yet: the first
    operation connects, so start-up never waits on the backend)."""
    timeout = cfg.timeout_ms / 1000.0
    if cfg.backend == "redis":
        from .redis import RedisState
        return RedisState(cfg.url, cfg.prefix, timeout)
    if cfg.backend == "nats":
        from .nats import NatsState
        return NatsState(cfg.url, cfg.prefix, timeout)
    from .memory import MemoryState
    return MemoryState(cfg.prefix, timeout)


def unavailable_finding(err: BaseException | str):
    """The block a decision gets when the state it needs cannot be read: state:unavailable."""
    from ..core import Finding
    return Finding("state", "unavailable", "high", f"shared state unreachable: {str(err)[:100]}", "state", "block")
