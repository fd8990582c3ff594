"""The only caller of the receipt writer, with one policy: no receipt, no pass.

When a receipt cannot be written, the action is blocked (fail closed) and no
receipt id is handed out. Every transport, the check command and the scan API
record through here."""
from __future__ import annotations

import logging
from typing import Any, Callable

from .decide import fail_closed
from ..receipts.null import NullWriter, open_writer
from .types import Action, Decision

__all__ = ["NullWriter", "open_receipts", "record", "record_outcome", "after_written"]

log = logging.getLogger("ringfence.record")


def open_receipts(receipts_dir: str | None, signing_key: str | None, config: Any,
                  session_id: str = "proxy") -> Any:
    """The one way a transport gets its writer: signed receipts when a directory
    is configured, else the receipts package's NullWriter."""
    return open_writer(receipts_dir or None, signing_key or None, config, session_id=session_id)


def record(writer: Any, action: Action, decision: Decision,
           count: Callable[[str], Any] | None = None, defer: str = "") -> Decision:
    """Sign and append one receipt for `decision`; return it with its receipt id.
    A failed write turns an allow (or warn/strip) into a fail-closed block.

    An allowed egress action (`action.meta["egress"]`) gets a durable intent
    receipt before any byte leaves, when the writer supports them; `count`
    receives "receipts_written" / "receipts_failed" for metrics.

    The receipt is written when this returns, unless `defer` (a writer with a
    signer thread only): "wait" queues it and the caller must not act before
    after_written() calls back; "trip" queues it and nobody waits (a failure to
    write it then blocks every later action: the writer refuses from then on)."""
    try:
        kw = {"defer": defer} if defer else {}
        if action.meta.get("egress") and not decision.blocked and hasattr(writer, "record_intent"):
            rid = writer.record_intent(action, decision, **kw)
        else:
            rid = writer.record(action, decision, wait=True, **kw)
    except Exception as e:
        if count is not None:
            count("receipts_failed")
        log.error("receipt write failed: %s", type(e).__name__)
        return fail_closed(e) if not decision.blocked else decision.with_receipt("")
    if count is not None and getattr(writer, "enabled", False):
        count("receipts_written")
    return decision.with_receipt(rid or "")


def after_written(writer: Any, callback: Callable[[BaseException | None], Any]) -> bool:
    """After a deferred record() on this thread: False when its receipt is already
    written (go on at once); else True, and `callback(error)` runs on the running
    event loop once it is written (error None) or failed (then fail closed)."""
    tickets = getattr(writer, "tickets", None)
    last = getattr(writer, "last_ticket", None)
    if tickets is None or last is None:
        return False
    ticket = last()
    if not ticket:
        return False
    import asyncio
    try:
        if tickets.check(ticket):
            return False
    except Exception as e:  # it failed already: the caller fails closed, on the loop as usual
        asyncio.get_running_loop().call_soon(callback, e)
        return True
    tickets.notify(ticket, asyncio.get_running_loop(), callback)
    return True


def record_outcome(writer: Any, intent_id: str, result: str, defer: str = "") -> str:
    """The outcome receipt of an intent, once its exchange ended: `result` is what the
    transport saw ("status=200 bytes=512", "error=upstream_timeout", "closed ..."), never
    content. The bytes have left already, so a failed write blocks nothing: it is logged
    and `ringfence verify` shows the intent without an outcome. Returns the receipt id."""
    fn = getattr(writer, "record_outcome", None)
    if fn is None or not intent_id:
        return ""
    try:
        return (fn(intent_id, result, defer=defer) if defer else fn(intent_id, result)) or ""
    except Exception as e:
        log.error("outcome receipt failed: %s", type(e).__name__)
        return ""
