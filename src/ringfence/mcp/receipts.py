"""Receipt writer for the MCP relays: the real one from ringfence.receipts when
it is installed, else a stand-in that only hands out ids (so the relays never
depend on it being present)."""
from __future__ import annotations

import uuid
from typing import Any


class _IdOnlyWriter:
    def record(self, action: Any, decision: Any) -> str:
        return uuid.uuid4().hex

    def close(self) -> None:
        pass


def open_receipts(receipts_dir: str, signing_key: str, config: Any, session_id: str) -> Any:
    try:
        from ringfence.receipts import open_writer
    except ImportError:
        return _IdOnlyWriter()
    return open_writer(receipts_dir or None, signing_key or None, config, session_id=session_id)
