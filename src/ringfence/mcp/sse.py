"""Incremental Server-Sent Events splitter (sans-io), byte-preserving.

feed() returns whole events as (raw bytes including the blank line, data
bytes or None when the event has no data field, event id or None). Lines
end in LF or CRLF; a lone-CR stream is not split and hits the size cap
(fail closed). Each event is capped; an oversize event raises SseError.
"""
from __future__ import annotations


class SseError(Exception):
    pass


class SseSplitter:
    def __init__(self, max_event_bytes: int):
        self.max = max_event_bytes
        self._buf = bytearray()
        self._pos = 0  # start of the current, incomplete line

    def feed(self, chunk: bytes) -> list[tuple[bytes, bytes | None, str | None]]:
        self._buf += chunk
        out = []
        start = 0
        buf = self._buf
        i = self._pos
        while True:
            nl = buf.find(b"\n", i)
            if nl < 0:
                break
            if nl == i or (nl == i + 1 and buf[i] == 13):  # blank line ends the event
                out.append(_parse(bytes(buf[start:nl + 1])))
                start = nl + 1
            i = nl + 1
        if start:
            del buf[:start]
            i -= start
        self._pos = i
        if len(buf) > self.max:
            raise SseError(f"SSE event larger than {self.max} bytes")
        return out

    def finish(self) -> list[tuple[bytes, bytes | None, str | None]]:
        """A last event without the closing blank line still counts."""
        if not self._buf.strip():
            return []
        raw = bytes(self._buf) + b"\n\n"
        self._buf = bytearray()
        self._pos = 0
        return [_parse(raw)]


def _parse(raw: bytes) -> tuple[bytes, bytes | None, str | None]:
    data: list[bytes] = []
    event_id = None
    for line in raw.split(b"\n"):
        line = line.rstrip(b"\r")
        if not line or line.startswith(b":"):
            continue
        name, sep, value = line.partition(b":")
        if sep and value.startswith(b" "):
            value = value[1:]
        if name == b"data":
            data.append(value)
        elif name == b"id":
            event_id = value.decode("utf-8", "replace")
    return raw, (b"\n".join(data) if data else None), event_id


def event_bytes(data: bytes, event_id: str | None = None) -> bytes:
    """A replacement event carrying one JSON-RPC message."""
    head = f"id: {event_id}\n".encode() if event_id else b""
    return head + b"event: message\ndata: " + data.rstrip(b"\n") + b"\n\n"
