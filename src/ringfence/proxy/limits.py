"""Process-wide limits the proxy shares across connections."""
from __future__ import annotations


class BodyBudget:
    """Request-body bytes buffered across all connections (config
    proxy.max_buffered_body_bytes). A body is admitted only while it fits, so
    many slow partial bodies cannot grow the process without bound."""

    __slots__ = ("cap", "used")

    def __init__(self, cap: int):
        self.cap = cap
        self.used = 0

    def take(self, n: int) -> bool:
        if self.used + n > self.cap:
            return False
        self.used += n
        return True

    def give(self, n: int) -> None:
        self.used = max(0, self.used - n)
