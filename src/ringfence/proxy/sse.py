"""text/event-stream scanning, event by event.

Clean events are released at once; a detection ends the stream. A rolling tail
of the previous events' text is prepended to each scan, so an injection split
across two events is still seen."""
from __future__ import annotations

import zlib
from typing import Any

from ..core import Decision, Finding, decide

TAIL_CHARS = 512
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


def _event_text(raw: bytes) -> str:
    """The text an agent would read from one event: its data lines (and event name)."""
    text = raw.decode("utf-8", "replace")
    out = []
    for line in text.splitlines():
        if line.startswith("data:"):
            out.append(line[5:].lstrip(" ") if line[5:6] == " " else line[5:])
        elif line.startswith("event:"):
            out.append(line[6:].strip())
    return "\n".join(out)


class SseScanner:
    def __init__(self, engine: Any, host: str):
        self.engine = engine
        self.host = host
        self.buf = bytearray()
        self.tail = ""
        self.events = 0
        self.scanned = 0

    def feed(self, data: bytes) -> tuple[bytes, Decision | None]:
        """Bytes of complete clean events to release now, and a non-allow Decision if any."""
        self.buf += data
        out = bytearray()
        warn: Decision | None = None
        while True:
            idx, sep = _find_boundary(self.buf)
            if idx < 0:
                break
            raw = bytes(self.buf[:idx + sep])
            del self.buf[:idx + sep]
            d = self._scan(raw)
            if d.verdict in ("block", "strip"):
                return bytes(out), d
            if d.verdict == "warn":
                warn = d
            out += raw
        if len(self.buf) > MAX_EVENT_BYTES:
            f = Finding("content", "sse_event_too_large", "high", "", "sse", "block")
            return bytes(out), decide([f])
        return bytes(out), warn

    def finish(self) -> tuple[bytes, Decision | None]:
        """End of stream: scan whatever partial event remains."""
        if not self.buf:
            return b"", None
        raw = bytes(self.buf)
        self.buf.clear()
        d = self._scan(raw)
        return (b"", d) if d.verdict in ("block", "strip") else (raw, d if d.verdict == "warn" else None)

    def _scan(self, raw: bytes) -> Decision:
        self.events += 1
        text = _event_text(raw)
        self.scanned += len(raw)
        if not text.strip():
            return Decision("allow")
        joined = self.tail + text  # no separator: a payload may be split mid-token
        d = self.engine.scan_text(joined, "inbound", f"sse event {self.events}", self.host)
        self.tail = joined[-TAIL_CHARS:]
        return d


def _find_boundary(buf: bytearray) -> tuple[int, int]:
    """Index and length of the first blank-line separator (\\n\\n, \\r\\n\\r\\n or \\r\\r)."""
    best = (-1, 0)
    for sep in (b"\n\n", b"\r\n\r\n", b"\r\r"):
        i = buf.find(sep)
        if i >= 0 and (best[0] < 0 or i < best[0]):
            best = (i, len(sep))
    return best
