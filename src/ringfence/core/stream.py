"""Content that arrives in pieces: one SSE splitter and one bounded tail.

Every transport that scans a stream (proxy SSE, MCP Streamable HTTP SSE, A2A
streams, WebSocket messages) splits and joins with these, so a payload split
across chunks or events is seen the same way everywhere. Sans-io.

SSE lines end in CRLF, LF or a lone CR (the WHATWG event-stream grammar); a
blank line ends an event. A CR at the very end of a chunk waits for the next
byte, since it may be the first half of a CRLF."""
from __future__ import annotations

import re
from dataclasses import dataclass

_EOL = re.compile(rb"\r\n|\r|\n")

TAIL_CHARS = 512


class SseError(Exception):
    """A stream ringfence refuses: an event over the size cap."""


@dataclass(frozen=True, slots=True)
class SseEvent:
    raw: bytes                 # the event's bytes as received, blank line included
    data: bytes | None         # data lines joined with LF; None when there was none
    event_id: str | None
    name: str | None           # the `event:` field

    @property
    def text(self) -> str:
        """What an agent reads from this event: its event name and data."""
        parts = [self.name] if self.name else []
        if self.data is not None:
            parts.append(self.data.decode("utf-8", "replace"))
        return "\n".join(parts)

    def __iter__(self):  # (raw, data, id), the shape older callers unpack
        return iter((self.raw, self.data, self.event_id))


class SseSplitter:
    """Incremental, byte-preserving, bounded: feed() returns whole events."""

    def __init__(self, max_event_bytes: int):
        self.max = max_event_bytes
        self._buf = bytearray()
        self._pos = 0     # start of the current, incomplete line
        self._start = 0   # start of the current event

    def feed(self, chunk: bytes, final: bool = False) -> list[SseEvent]:
        self._buf += chunk
        buf = self._buf
        out: list[SseEvent] = []
        pos, start = self._pos, self._start
        while True:
            m = _EOL.search(buf, pos)
            if m is None:
                break
            if m.group() == b"\r" and m.end() == len(buf) and not final:
                break  # maybe half of a CRLF: wait for the next byte
            if m.start() == pos:  # a blank line ends the event (an empty one too:
                out.append(_parse(bytes(buf[start:m.end()])))  # byte-preserving)
                start = m.end()
            pos = m.end()
        if start:
            del buf[:start]
            pos -= start
            start = 0
        self._pos, self._start = pos, start
        if len(buf) > self.max:
            raise SseError(f"SSE event larger than {self.max} bytes")
        return out

    def finish(self) -> list[SseEvent]:
        """A last event without the closing blank line still counts."""
        out = self.feed(b"", final=True)
        raw = bytes(self._buf)
        self._buf = bytearray()
        self._pos = self._start = 0
        if not raw.strip():
            return out
        # Close it with a blank line in the stream's own line-end style.
        close = raw[-1:] if raw.endswith((b"\n", b"\r")) else b"\n\n"
        return out + [_parse(raw + close)]


def _parse(raw: bytes) -> SseEvent:
    data: list[bytes] = []
    event_id = name = None
    for line in _EOL.split(raw):
        if not line or line.startswith(b":"):
            continue
        field, sep, value = line.partition(b":")
        if sep and value.startswith(b" "):
            value = value[1:]
        if field == b"data":
            data.append(value)
        elif field == b"id":
            event_id = value.decode("utf-8", "replace")
        elif field == b"event":
            name = value.decode("utf-8", "replace")
    return SseEvent(raw, b"\n".join(data) if data else None, event_id, name)


class Tail:
    """The last `n` characters of what a stream has carried so far: joined in
    front of the next piece, so a payload split at any point is seen whole."""

    __slots__ = ("n", "text")

    def __init__(self, n: int = TAIL_CHARS):
        self.n = n
        self.text = ""

    def join(self, piece: str) -> str:
        """tail + piece (no separator: a payload may be split mid-token); the
        tail then moves to the end of that."""
        joined = self.text + piece
        self.text = joined[-self.n:]
        return joined
