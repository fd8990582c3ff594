"""MCP over SSE: replacement events, and scanning across event boundaries.
The splitter itself is core.stream's (shared with the proxy's SSE path)."""
from __future__ import annotations

from ..core import finding_as_block
from ..core import stream as _stream


# One SSE splitter for every transport (core/stream): CR, LF and CRLF line ends.
SseError = _stream.SseError
SseSplitter = _stream.SseSplitter


def event_bytes(data: bytes, event_id: str | None = None) -> bytes:
    """A replacement event carrying one JSON-RPC message."""
    head = f"id: {event_id}\n".encode() if event_id else b""
    return head + b"event: message\ndata: " + data.rstrip(b"\n") + b"\n\n"


TAIL_CHARS = 512
MAX_TAIL_PATHS = 64


def _text_leaves(value: object, path: str, out: list[tuple[str, str]], budget: list[int]) -> None:
    """String values only (no keys), iteratively bounded by `budget` nodes."""
    stack = [(value, path)]
    while stack and budget[0] > 0:
        v, p = stack.pop()
        budget[0] -= 1
        if isinstance(v, str):
            if v:
                out.append((p, v))
        elif isinstance(v, dict):
            stack.extend((x, f"{p}.{k}") for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend((x, f"{p}[{i}]") for i, x in reversed(list(enumerate(v))))


class CrossEventScan:
    """Rolling tails across the events of one SSE stream (sans-io).

    Each event is scanned whole by the Guard; this catches what only exists
    across an event boundary: a secret or an injection split between two
    events. A tail (last TAIL_CHARS) is kept per JSON path (a streamed field
    usually continues in the same path) and for the stream's last string.
    For each boundary the window tail+head is scanned (DLP and injection),
    and only findings that neither side has alone are reported: what is whole
    in one event is the Guard's call, not repeated here.
    """

    def __init__(self, engine: object, tail_chars: int = TAIL_CHARS, max_paths: int = MAX_TAIL_PATHS):
        self.engine = engine
        self.n = tail_chars
        self.max_paths = max_paths
        self.tails: dict[str, str] = {}
        self.last = ""
        self.events = 0

    def check(self, msg: object) -> list:
        self.events += 1
        if not isinstance(msg, dict):
            return []
        fields: list[tuple[str, str]] = []
        budget = [20_000]
        for part in ("params", "result", "error"):
            if part in msg:
                _text_leaves(msg[part], part, fields, budget)
        if not fields:
            return []
        windows: list[tuple[str, str, str]] = []
        first_path, first = fields[0]
        if self.last and self.tails.get(first_path) != self.last:
            windows.append((f"sse events {self.events - 1}/{self.events} {first_path}", self.last, first[:self.n]))
        new_tails: dict[str, str] = {}
        for path, text in fields:
            prev = new_tails.get(path, self.tails.get(path, ""))
            if prev:
                windows.append((f"sse events {self.events - 1}/{self.events} {path}", prev, text[:self.n]))
            new_tails[path] = (prev + text)[-self.n:] if len(text) < self.n else text[-self.n:]
        for path, tail in new_tails.items():
            self.tails.pop(path, None)
            self.tails[path] = tail
        while len(self.tails) > self.max_paths:
            self.tails.pop(next(iter(self.tails)))
        last = fields[-1][1]
        self.last = (self.last + last)[-self.n:] if len(last) < self.n else last[-self.n:]
        out = []
        for where, tail, head in windows:
            out += self._split_only(tail, head, where)
        return out

    def _split_only(self, tail: str, head: str, where: str) -> list:
        joined = tail + head  # no separator: a payload may be split mid-token
        # The same routing and exemptions as a whole message (engine.scan_text),
        # so splitting a payload across events never changes its verdict.
        found = self._scan(joined, where)
        if not found:
            return []
        alone = {(f.scanner, f.rule) for f in self._scan(tail, where)}
        alone |= {(f.scanner, f.rule) for f in self._scan(head, where)}
        return [_blocking(f) for f in found if (f.scanner, f.rule) not in alone]

    def _scan(self, text: str, where: str) -> list:
        d = self.engine.scan_text(text, "inbound", where, kind="tool_result")
        return [f for f in d.findings if f.action != "allow"]


def _blocking(f):
    return f if f.action in ("block", "warn") else finding_as_block(f)
