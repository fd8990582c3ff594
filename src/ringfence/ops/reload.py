"""Config reload on SIGHUP and on file change. The new config is fully loaded and
validated first; an invalid one is rejected and the old one keeps running."""
from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import Callable

from ..config import ConfigError, load_config

log = logging.getLogger("ringfence.reload")
logging.getLogger("watchfiles").setLevel(logging.WARNING)  # it logs every change at INFO


class Reloader:
    def __init__(self, path: str, on_new_config: Callable, on_error: Callable | None = None,
                 debounce_ms: int = 100):
        # Absolute: the watcher reports absolute paths, and a relative one never matched.
        self.path = str(Path(path).expanduser().absolute())
        self.on_new_config = on_new_config
        self.on_error = on_error
        self.debounce_ms = debounce_ms
        self._task: asyncio.Task | None = None
        self._stop = asyncio.Event()

    def reload(self) -> bool:
        """Load and swap. Returns False (old config kept) when the new one is invalid."""
        try:
            cfg = load_config(self.path)
        except ConfigError as e:
            log.error("config reload rejected, keeping the running config: %s", e)
            if self.on_error:
                self.on_error(e)
            return False
        self.on_new_config(cfg)
        log.warning("config reloaded from %s", self.path)
        return True

    async def start(self, sighup: bool = True) -> None:
        if sighup:
            loop = asyncio.get_running_loop()
            try:
                loop.add_signal_handler(signal.SIGHUP, self.reload)
            except (NotImplementedError, RuntimeError):
                pass
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        from watchfiles import awatch
        target = Path(self.path)
        try:
            async for _ in awatch(target.parent, stop_event=self._stop, debounce=self.debounce_ms,
                                  recursive=False, watch_filter=lambda _c, p: Path(p) == target):
                self.reload()
        except Exception as e:  # a broken watcher must not take the proxy down; SIGHUP still works
            log.error("config file watch stopped: %s", e)

    async def stop(self) -> None:
        self._stop.set()
        if self._task:
            try:
                await asyncio.wait_for(self._task, 2)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._task.cancel()
