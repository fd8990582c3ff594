"""Receipt writer for the MCP relays: core.open_receipts (kept for its callers)."""
from __future__ import annotations

from ..core.record import NullWriter, open_receipts

__all__ = ["NullWriter", "open_receipts"]
