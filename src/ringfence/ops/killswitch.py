"""Kill switch: one shared state, four OR-composed sources. Any active source denies all traffic.

API (every transport uses only this):

    ks = KillSwitch(config)
    ks.active()            -> reason (str) while engaged, else None. Cheap: no I/O on most calls.
    ks.engaged             -> bool, same as `ks.active() is not None`.
    await ks.wait_engaged() -> returns the reason once engaged (at once if already engaged).
                             Long-lived relays race this against their pumps and close when it wins.
    unsub = ks.subscribe(cb)  cb(reason: str | None) on every flip (engaged: reason; released: None).
                             Called from whatever thread flipped it (the sentinel watcher is a
                             thread): hop to your loop with loop.call_soon_threadsafe. unsub() stops it.
    ks.start_watcher()     starts the sentinel poller (idempotent): a sentinel file appearing or
                           going away is noticed within WATCH_INTERVAL_S even when no traffic flows.
    ks.stop_watcher()
    ks.set_api(bool), ks.toggle_signal(), ks.update_config(config): the sources; each notifies.
    ks.status()            -> {"active", "sources", "message"} (admin API).

Sources, reported in priority order: config flag, admin API, SIGUSR1 (toggles),
sentinel file. A sentinel stat error other than "not found" counts as active:
when we cannot tell, we deny.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from typing import Callable

log = logging.getLogger("ringfence.killswitch")


class KillSwitch:
    SENTINEL_CACHE_S = 0.1  # one stat per 100 ms at most, not one per request
    WATCH_INTERVAL_S = 0.2  # the watcher's poll: well inside the 1 s bound

    def __init__(self, config):
        self._lock = threading.RLock()
        self._notify_lock = threading.RLock()
        self._api = False
        self._signal = False
        self._sentinel_at = 0.0
        self._sentinel_state: str | None = None
        self._subs: dict[int, Callable[[str | None], None]] = {}
        self._next_sub = 0
        self._last: str | None = None   # reason at the last notification
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self.update_config(config)

    # -- sources -------------------------------------------------------------
    def update_config(self, config) -> None:
        ks = config.kill_switch
        with self._lock:
            self._config = ks.active
            self._sentinel = os.path.expanduser(ks.sentinel_file) if ks.sentinel_file else ""
            self._sentinel_at = 0.0
        self._changed()

    def set_api(self, active: bool) -> None:
        with self._lock:
            self._api = bool(active)
        self._changed()

    def toggle_signal(self) -> bool:
        """Flip the SIGUSR1 source; returns its new state."""
        with self._lock:
            self._signal = not self._signal
            now_on = self._signal
        self._changed()
        return now_on

    def _check_sentinel(self, fresh: bool = False) -> str | None:
        if not self._sentinel:
            return None
        now = time.monotonic()
        if not fresh and now - self._sentinel_at < self.SENTINEL_CACHE_S:
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

    # -- state ---------------------------------------------------------------
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

    @property
    def engaged(self) -> bool:
        return self.active() is not None

    def status(self) -> dict:
        reason = self.active()
        return {"active": reason is not None, "sources": self.sources(), "message": reason or ""}

    # -- notification ----------------------------------------------------------
    def subscribe(self, cb: Callable[[str | None], None]) -> Callable[[], None]:
        with self._lock:
            self._next_sub += 1
            key = self._next_sub
            self._subs[key] = cb

        def unsubscribe() -> None:
            with self._lock:
                self._subs.pop(key, None)
        return unsubscribe

    def _changed(self, fresh: bool = False) -> None:
        """Notify subscribers when engaged/released flipped (or the reason changed)."""
        # One flip at a time, computed and announced under the same lock, so two
        # threads (the watcher, the loop) can never announce them out of order.
        with self._notify_lock:
            if fresh:
                self._check_sentinel(fresh=True)
            reason = self.active()
            with self._lock:
                if (reason is None) == (self._last is None):
                    self._last = reason
                    return
                self._last = reason
                subs = list(self._subs.values())
            if reason:
                log.warning("kill switch engaged: %s", reason)
            else:
                log.warning("kill switch released")
            for cb in subs:
                try:
                    cb(reason)
                except Exception:  # one broken subscriber must not keep the others open
                    log.exception("kill switch subscriber failed")

    async def wait_engaged(self) -> str:
        """Return the reason as soon as the switch is engaged."""
        reason = self.active()
        if reason:
            return reason
        loop = asyncio.get_running_loop()
        fut: asyncio.Future = loop.create_future()

        def on_flip(r: str | None) -> None:
            if r:
                loop.call_soon_threadsafe(_resolve, fut, r)

        unsub = self.subscribe(on_flip)
        try:
            reason = self.active()  # flipped between the first check and subscribing
            if reason:
                return reason
            return await fut
        finally:
            unsub()

    # -- sentinel watcher ------------------------------------------------------
    def start_watcher(self) -> None:
        with self._lock:
            if self._watcher is not None and self._watcher.is_alive():
                return
            self._stop.clear()
            self._watcher = threading.Thread(target=self._watch, name="killswitch-sentinel", daemon=True)
            self._watcher.start()

    def stop_watcher(self) -> None:
        self._stop.set()
        w = self._watcher
        if w is not None and w is not threading.current_thread():
            w.join(timeout=2)
        self._watcher = None

    def _watch(self) -> None:
        while not self._stop.wait(self.WATCH_INTERVAL_S):
            try:
                self._changed(fresh=True)
            except Exception:
                log.exception("kill switch watcher failed")


def _resolve(fut: asyncio.Future, reason: str) -> None:
    if not fut.done():
        fut.set_result(reason)
