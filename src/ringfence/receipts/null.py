"""Receipts off, and the one way to open a writer: with no receipts directory configured
nothing of the signing stack (keys, libsodium, the canonical encoder) is imported, so a
one-shot command without receipts starts faster."""
from __future__ import annotations

from typing import Any


class NullWriter:
    """Receipts off: nothing written, so no receipt id is handed out."""
    enabled = False
    paths: list[str] = []

    def record(self, action: Any, decision: Any, egress: bool = False, wait: bool = False,
               defer: str = "") -> str:
        return ""  # nothing written: no id to hand out

    def flush(self, timeout: float = 30.0) -> None:
        return None

    def record_intent(self, action: Any, decision: Any, defer: str = "") -> str:
        return ""  # nothing written: no id to hand out (and no outcome to link)

    def record_outcome(self, intent_id: str, result: str, verdict: str = "allow", defer: str = "") -> str:
        return ""

    def open_session(self, kind: str, **facts: Any) -> str:
        return ""

    def close(self, reason: str = "shutdown") -> None:
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_writer(receipts_dir: str | None, signing_key: str | None, config: Any,
                session_id: str = "proxy") -> Any:
    """The writer transports call. No directory configured -> NullWriter."""
    if not (receipts_dir or config.receipts.dir):
        return NullWriter()
    from .writer import open_writer as open_signed
    return open_signed(receipts_dir, signing_key, config, session_id)
