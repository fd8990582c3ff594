"""Keep the local kill switch and the shared one in step (within ~1 s both ways).

The local KillSwitch object (ops/killswitch.py) stays the one every request asks, so
the fast path does not change. This adapter only moves its admin-API source:
- a change made here (admin API) is written to the shared backend;
- a change made elsewhere (another instance) is applied here with set_api().
Config, SIGUSR1 and sentinel-file sources stay local to each instance.
While the backend is unreachable the last known value holds, and `unavailable`
says so; transports that need fresh state (ringfence envoy serve) block then."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from typing import Any

from .base import State, StateUnavailable

log = logging.getLogger("ringfence.state")
POLL_S = 0.1  # one GET per 100 ms per instance: the 1 s promise holds on a loaded host
STALE_S = 2.0  # no successful sync for this long: the shared kill switch is unknown


class KillMirror:
    def __init__(self, state: State, killswitch: Any, instance: str | None = None):
        self.state = state
        self.ks = killswitch
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}"
        self._synced: bool | None = None
        self.last_ok = 0.0
        self.error = ""
        self._task: asyncio.Task | None = None

    @property
    def unavailable(self) -> str | None:
        """A reason when the shared kill switch could not be read lately, else None."""
        if time.monotonic() - self.last_ok <= STALE_S:
            return None
        return f"shared kill switch unknown: {self.error or 'not synced yet'}"

    def _local(self) -> bool:
        return bool(self.ks.sources().get("api"))

    async def sync_once(self) -> None:
        remote = await self.state.get_kill()
        local = self._local()
        if self._synced is None:  # first contact: the shared value wins, unless we are on
            if remote is not None and remote.get("active") != local and not local:
                self.ks.set_api(bool(remote["active"]))
                local = bool(remote["active"])
            elif local and not (remote or {}).get("active"):
                await self.state.set_kill(True, "kill switch on via admin API", self.instance)
            self._synced = local
        elif local != self._synced:  # changed here (admin API): tell the others
            await self.state.set_kill(local, "kill switch via admin API", self.instance)
            self._synced = local
        elif remote is not None and bool(remote.get("active")) != local:  # changed elsewhere
            self.ks.set_api(bool(remote["active"]))
            self._synced = bool(remote["active"])
            log.warning("kill switch %s by %s (shared)", "ON" if remote["active"] else "off",
                        remote.get("by") or "another instance")
        self.last_ok = time.monotonic()
        if self.error:
            log.warning("shared state back: %s", self.state.describe())
        self.error = ""

    async def run(self) -> None:
        while True:
            try:
                await self.sync_once()
            except StateUnavailable as e:
                if not self.error:
                    log.error("shared kill switch unreachable (keeping the last value): %s", e)
                self.error = str(e)
            except Exception as e:  # never let the mirror die silently
                log.error("kill switch mirror: %s: %s", type(e).__name__, e)
                self.error = str(e)
            await asyncio.sleep(POLL_S)

    def start(self) -> "KillMirror":
        self._task = asyncio.get_running_loop().create_task(self.run())
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass


def start_for(config: Any, killswitch: Any) -> KillMirror | None:
    """Called by `ringfence run`: a mirror when state.backend is shared, else None."""
    if killswitch is None or config.state.backend == "memory":
        return None
    import sys

    from . import StateUnavailable, open_state
    try:
        st = open_state(config.state)
    except StateUnavailable as e:  # the client library is missing: say what to do, do not run half-shared
        print(f"ringfence: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    log.info("shared kill switch on %s", st.describe())
    return KillMirror(st, killswitch).start()
