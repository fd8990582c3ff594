"""MCP over SSE: replacement events, and scanning across event boundaries.
The splitter itself is core.stream's (shared with the proxy's SSE path)."""
from __future__ import annotations

from ..core import stream as _stream


# One SSE splitter for every transport (core/stream): CR, LF and CRLF line ends.
SseError = _stream.SseError
SseSplitter = _stream.SseSplitter


def event_bytes(data: bytes, event_id: str | None = None) -> bytes:
    """A replacement event carrying one JSON-RPC message."""
    head = f"id: {event_id}\n".encode() if event_id else b""
    return head + b"event: message\ndata: " + data.rstrip(b"\n") + b"\n\n"


class CrossEventScan:
    """What exists only across the events of one SSE stream (a secret or an
    injection split between events, noise events between the halves included):
    core.stream's Joiner over each message's string leaves, with the same
    Inspector call (and so routing and exemptions) as a whole server message.
    What is whole in one event is the Guard's call, not repeated here."""

    def __init__(self, engine: object):
        self.joiner = _stream.inspector_joiner(engine, "inbound", kind="tool_result", raw=False)

    def check(self, msg: object) -> list:
        if not isinstance(msg, dict):
            return []
        fields = [leaf for part in ("params", "result", "error") if part in msg
                  for leaf in _stream.string_leaves(msg[part], part)]
        n = self.joiner.pieces + 1
        return list(self.joiner.feed(None, fields, f"sse events {n - 1}/{n}").findings)
