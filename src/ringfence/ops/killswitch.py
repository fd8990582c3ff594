"""Kill switch: four OR-composed sources. Any active source denies all traffic (503).

Sources, reported in priority order: config flag, admin API, SIGUSR1 (toggles),
sentinel file. A sentinel stat error other than "not found" counts as active:
when we cannot tell, we deny.
"""
from __future__ import annotations

import os
import threading
import time


class KillSwitch:
    SENTINEL_CACHE_S = 0.1  # one stat per 100 ms at most, not one per request

    def __init__(self, config):
        self._lock = threading.Lock()
        self._api = False
        self._signal = False
        self._sentinel_at = 0.0
        self._sentinel_state: str | None = None
        self.update_config(config)

    def update_config(self, config) -> None:
        ks = config.kill_switch
        with self._lock:
            self._config = ks.active
            self._sentinel = os.path.expanduser(ks.sentinel_file) if ks.sentinel_file else ""
            self._sentinel_at = 0.0

    def set_api(self, active: bool) -> None:
        with self._lock:
            self._api = bool(active)

    def toggle_signal(self) -> None:
        with self._lock:
            self._signal = not self._signal

    def _check_sentinel(self) -> str | None:
        if not self._sentinel:
            return None
        now = time.monotonic()
        if now - self._sentinel_at < self.SENTINEL_CACHE_S:
            return self._sentinel_state
        try:
            os.stat(self._sentinel)
            state = f"sentinel file {self._sentinel} exists"
        except FileNotFoundError:
            state = None
        except OSError as e:
            state = f"sentinel file {self._sentinel} unreadable ({e.strerror})"
        self._sentinel_at, self._sentinel_state = now, state
        return state

    def sources(self) -> dict[str, bool]:
        return {"config": self._config, "api": self._api, "signal": self._signal,
                "sentinel": self._check_sentinel() is not None}

    def active(self) -> str | None:
        """The reason when active, else None."""
        if self._config:
            return "kill switch on in config"
        if self._api:
            return "kill switch on via admin API"
        if self._signal:
            return "kill switch on via SIGUSR1"
        return self._check_sentinel()

    def status(self) -> dict:
        reason = self.active()
        return {"active": reason is not None, "sources": self.sources(), "message": reason or ""}
