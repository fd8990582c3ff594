"""text/event-stream scanning, event by event.

Clean events are released at once; a detection ends the stream. core.stream's
Joiner joins each event with the stream so far (raw text, its JSON data's
strings, and across a few noise events), so a payload split across events is
still seen."""
from __future__ import annotations

import zlib
from typing import Any

from ..core import Decision, Finding, decide
from ..core.stream import SseError as StreamSseError
from ..core.stream import SseEvent, SseSplitter, inspector_joiner, json_fields
MAX_EVENT_BYTES = 1024 * 1024


class SseError(Exception):
    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


class StreamDecoder:
    """Incremental gzip/deflate decoding with an output cap (bombs refused)."""

    def __init__(self, encoding: str, cap: int):
        enc = encoding.strip().lower()
        self.cap = cap
        self.out = 0
        if enc in ("", "identity"):
            self.z = None
        elif enc in ("gzip", "x-gzip"):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self.z = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise SseError("unsupported_encoding", f"event stream with Content-Encoding {enc!r} is not scanned")

    def feed(self, data: bytes) -> bytes:
        if self.z is None:
            return data
        try:
            out = self.z.decompress(data, MAX_EVENT_BYTES)
        except zlib.error as e:
            raise SseError("bad_encoding", f"corrupt compressed stream: {e}") from None
        if self.z.unconsumed_tail:
            raise SseError("decompression_bomb", "compressed event expands beyond the cap")
        self.out += len(out)
        if self.out > self.cap:
            raise SseError("decompressed_too_large", "decoded event stream exceeds the cap")
        return out


class SseScanner:
    """Splits with core.stream's SseSplitter and joins with its Tail: the same
    splitting and joining as the MCP SSE path."""

    def __init__(self, engine: Any, host: str):
        self.engine = engine
        self.host = host
        self.split = SseSplitter(MAX_EVENT_BYTES)
        self.joiner = inspector_joiner(engine, "inbound", host)
        self.events = 0
        self.scanned = 0

    def feed(self, data: bytes) -> tuple[bytes, Decision | None]:
        """Bytes of complete clean events to release now, and a non-allow Decision if any."""
        try:
            events = self.split.feed(data)
        except StreamSseError:
            f = Finding("content", "sse_event_too_large", "high", "", "sse", "block")
            return b"", decide([f])
        return self._release(events)

    def finish(self) -> tuple[bytes, Decision | None]:
        """End of stream: scan whatever partial event remains."""
        return self._release(self.split.finish())

    def _release(self, events: list[SseEvent]) -> tuple[bytes, Decision | None]:
        out = bytearray()
        warn: Decision | None = None
        for ev in events:
            d = self._scan(ev)
            if d.verdict in ("block", "strip"):
                return bytes(out), d
            if d.verdict == "warn":
                warn = d
            out += ev.raw
        return bytes(out), warn

    def _scan(self, ev: SseEvent) -> Decision:
        self.events += 1
        self.scanned += len(ev.raw)
        text = ev.text
        if not text.strip():
            return Decision("allow")
        return self.joiner.feed(text, event_fields(ev), f"sse event {self.events}")


def event_fields(ev: SseEvent) -> list[tuple[str, str]] | None:
    """An event's data as fields: its JSON strings (a streamed answer continues
    in the same JSON path), else the data itself. None when the event is its
    plain data alone: the joiner's raw join already puts the pieces together."""
    if ev.data is None:
        return []
    data = ev.data.decode("utf-8", "replace")
    fields = json_fields(data)
    if fields:
        return fields
    return [("data", data)] if ev.name else None
