"""The kill switch in the MCP wrappers: the same KillSwitch object (config
flag, sentinel file, SIGUSR1) as `ringfence run`, polled by a watcher so a
long-lived session notices within POLL_S after it flips."""
from __future__ import annotations

import asyncio
import signal
from typing import Any, Awaitable, Callable

POLL_S = 0.2


def kill_switch(config: Any) -> Any:
    from ..ops.killswitch import KillSwitch
    return KillSwitch(config)


def reason_of(ks: Any) -> Callable[[], str | None]:
    def reason() -> str | None:
        try:
            return ks.active()
        except Exception as e:  # fail closed: a kill switch we cannot read denies
            return f"kill switch error: {type(e).__name__}"
    return reason


def on_sigusr1(ks: Any) -> None:
    """SIGUSR1 toggles the kill switch, as for `ringfence run`."""
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, ks.toggle_signal)
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        pass


async def watch(reason: Callable[[], str | None], on_kill: Callable[[str], Awaitable[None]]) -> None:
    """Call on_kill(reason) each time the switch goes from off to on."""
    was_on = False
    while True:
        r = reason()
        if r is not None and not was_on:
            await on_kill(r)
        was_on = r is not None
        await asyncio.sleep(POLL_S)
