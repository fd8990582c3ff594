"""Content that arrives in pieces: one SSE splitter and one joiner.

Every transport that scans a stream (proxy SSE, MCP Streamable HTTP SSE, A2A
streams, WebSocket messages and frames) splits and joins with these, so a
payload split across chunks or events is seen the same way everywhere.
Chunked HTTP bodies are reassembled whole (under the body cap) before they are
scanned, so they need no joiner. Sans-io.

SSE lines end in CRLF, LF or a lone CR (the WHATWG event-stream grammar); a
blank line ends an event. A CR at the very end of a chunk waits for the next
byte, since it may be the first half of a CRLF."""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

from .decide import decide, fail_closed, finding_as_block
from .jsonwalk import MAX_DEPTH, Walk
from .types import Decision, Finding
from ..text.unpack import bytes_to_text

_EOL = re.compile(rb"\r\n|\r|\n")

TAIL_CHARS = 512
GAP_PIECES = 4          # a payload's halves may have up to GAP_PIECES - 1 whole pieces between them
GAP_CHARS = 160         # ... each half within GAP_CHARS characters (secrets and injection sentences fit)
GAP_HEADS = 4           # ... the second half in one of the piece's first GAP_HEADS fields
MAX_PATHS = 64          # per-path tails kept for structured pieces (JSON leaves)
MAX_WINDOW_FIELDS = 16  # fields of one piece that open cross-piece windows
JSON_MAX = 1024 * 1024  # bigger JSON pieces are joined as raw text only
JSON_NODES = 20000      # nodes walked per piece to find its strings


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


Inspect = Callable[[str, str], Decision]   # (text, where) -> the Inspector's Decision for this stream


class Joiner:
    """One joiner across the pieces of one stream, in one direction.

    `inspect(text, where)` is the Inspector call for the stream (direction,
    content kind and host already bound): the joiner never calls a scanner,
    so routing and exemptions are the Inspector's and a payload gets one
    verdict however it is split.

    A piece is raw text (an SSE event, a WebSocket message) and/or its string
    fields in document order (JSON leaves as (path, text)). What it catches,
    each side of a split bounded by `window` characters:
    - raw streams (`raw=True`): the piece is scanned after the raw tail of the
      stream in one call (the piece alone and a contiguous split);
    - the end of the previous piece's last string joined with this piece's
      fields (a JSON message's strings are not adjacent in its raw text);
    - per path (`paths=True`, fields are JSON paths): the same field's previous
      text joined with its new text;
    - across noise: the stream's end as of each of the last GAP_PIECES - 1
      pieces before the previous one, joined with this piece's first fields,
      so a payload split in two with up to GAP_PIECES - 1 whole pieces (pings,
      progress notes) between its halves is seen whole (the stated bound: each
      half within GAP_CHARS, the second in one of the first GAP_HEADS fields).
    Window findings that either side has alone are left out (each side was or
    is judged whole). The piece and all windows go to the Inspector in one
    call (clean traffic costs one scan); only when that call finds something
    are they scanned one by one."""

    def __init__(self, inspect: Inspect, *, raw: bool, paths: bool = True, enforce: bool = True,
                 window: int = TAIL_CHARS, gap: int = GAP_PIECES, max_paths: int = MAX_PATHS):
        self.inspect = inspect
        self.raw = Tail(window) if raw else None
        self.paths = paths
        self.enforce = enforce
        self.n = window
        self.max_paths = max_paths
        self.tails: dict[str, str] = {}
        self.last = ""                          # the end of the stream's strings so far
        self.ends: deque[str] = deque(maxlen=max(1, gap))  # self.last as of each recent piece
        self.prev_fields = False                # the previous piece had structured fields
        self.pieces = 0

    def feed(self, text: str | None, fields: Iterable[tuple[str, str]] | None = None,
             where: str = "stream") -> Decision:
        """One piece -> the Decision for what this piece adds to the stream.
        Internal errors fail closed."""
        self.pieces += 1
        try:
            # A stream is never rewritten: strip means block here.
            found = [finding_as_block(f) if f.action == "strip" else f for f in self._findings(text, fields, where)]
            return decide(found, enforce=self.enforce)
        except Exception as e:
            return fail_closed(e)

    def _findings(self, text: str | None, fields: Iterable[tuple[str, str]] | None, where: str) -> list[Finding]:
        main = self.raw.join(text) if self.raw is not None and text is not None and text.strip() else ""
        structured = fields is not None
        items = [(p, v) for p, v in (fields if structured else [("", text or "")]) if v]
        windows = self._windows(items, structured, where) if items else []
        if not main and not windows:
            return []
        # One call for the piece and every window; the separator keeps them apart,
        # and a hit is confirmed part by part (a match across a separator is no finding).
        if not _live(self.inspect("\n\n".join([main] + [t + h for _, t, h in windows]), where)):
            return []
        found = list(self.inspect(main, where).findings) if main else []
        return found + self._split_only(windows)

    def _windows(self, items: list[tuple[str, str]], structured: bool, where: str) -> list[tuple[str, str, str]]:
        """The cross-piece windows this piece opens, as (where, tail, head); the
        stream's state then moves past the piece."""
        windows: list[tuple[str, str, str]] = []
        heads = items[:MAX_WINDOW_FIELDS]
        # The previous piece's end + this piece's first string: a raw stream has
        # that join already when neither piece is structured.
        if self.last and (self.raw is None or structured or self.prev_fields):
            path, head = heads[0]
            if self.tails.get(path) != self.last:   # else the per-path window below is this one
                windows.append((f"{where} (joined with the previous piece)", self.last, head[:self.n]))
        new_tails: dict[str, str] = {}
        if structured and self.paths:
            for path, value in heads:
                prev = new_tails.get(path, self.tails.get(path, ""))
                if prev:
                    windows.append((f"{where} {path} (joined with its previous text)", prev, value[:self.n]))
                new_tails[path] = (prev + value)[-self.n:]
        for end in list(self.ends)[:-1]:   # older ends: noise pieces between the halves
            if end and end != self.last:
                windows += [(f"{where} (joined across pieces)", end[-GAP_CHARS:], v[:GAP_CHARS])
                            for _, v in heads[:GAP_HEADS]]
        for path, tail in new_tails.items():
            self.tails.pop(path, None)
            self.tails[path] = tail
        while len(self.tails) > self.max_paths:
            self.tails.pop(next(iter(self.tails)))
        last = items[-1][1]
        self.last = (self.last + last)[-self.n:] if len(last) < self.n else last[-self.n:]
        self.ends.append(self.last)
        self.prev_fields = structured
        return windows

    def _split_only(self, windows: list[tuple[str, str, str]]) -> list[Finding]:
        out: list[Finding] = []
        for where, tail, head in windows:
            found = _live(self.inspect(tail + head, where))  # no separator: a split may be mid-token
            if not found:
                continue
            alone = {(f.scanner, f.rule) for f in _live(self.inspect(tail, where))}
            alone |= {(f.scanner, f.rule) for f in _live(self.inspect(head, where))}
            out += [f if f.action in ("block", "warn") else finding_as_block(f)
                    for f in found if (f.scanner, f.rule) not in alone]
        return out


def inspector_joiner(engine, direction: str, host: str = "", kind: str = "", *, raw: bool = True,
                     paths: bool = True) -> Joiner:
    """A Joiner whose Inspector call is `engine.scan_text` for one direction,
    content kind and host: the one way transports (and the bench) build one."""
    def inspect(text: str, where: str) -> Decision:
        return engine.scan_text(text, direction, where, host, kind=kind)
    return Joiner(inspect, raw=raw, paths=paths, enforce=engine.config.enforce)


def _live(d: Decision) -> list[Finding]:
    return [f for f in d.findings if f.action != "allow"]


def string_leaves(value: object, path: str = "$", nodes: int = JSON_NODES) -> list[tuple[str, str]]:
    """Non-empty string values (no keys) of a parsed JSON value in document
    order, as (path, text); the first `nodes` nodes only (the lenient walk)."""
    walk = Walk(MAX_DEPTH, nodes, strict=False)
    return [(p, v) for p, v in walk.strings(value, path) if v]


def _json_doc(text: str) -> tuple[bool, object]:
    head = text[:1] if text[:1] in "{[" else text.lstrip()[:1]
    if head not in ("{", "[") or len(text) > JSON_MAX:
        return False, None
    import orjson
    try:
        return True, orjson.loads(text)
    except orjson.JSONDecodeError:
        return False, None


def json_fields(text: str) -> list[tuple[str, str]] | None:
    """The string leaves of a JSON object or array piece; None when the piece
    is not one (or is over JSON_MAX chars)."""
    ok, doc = _json_doc(text)
    return string_leaves(doc) if ok else None


def edge_fields(text: str) -> list[tuple[str, str]] | None:
    """A JSON piece's first and last strings (where a split payload continues),
    or None when it is not JSON or has no string. Bounded by JSON_NODES."""
    ok, doc = _json_doc(text)
    if not ok:
        return None
    first: str | None = None
    last = ""
    stack: list = [doc]
    budget = JSON_NODES
    while stack and budget > 0:
        node = stack.pop()
        budget -= 1
        t = type(node)
        if t is str:
            if first is None:
                first = node
            last = node
        elif t is dict:
            stack.extend(reversed(node.values()))
        elif t is list:
            stack.extend(reversed(node))
    if not first and not last:
        return None
    return [("first", first or ""), ("last", last)]


OP_CONT, OP_TEXT, OP_BIN = 0, 1, 2


class MessageAssembler:
    """WebSocket data frames -> whole messages (sans-io), under a size cap: the
    one reassembly the relay and the bench's static tier share. Control frames
    (opcode >= 8) are the caller's. No extension is ever negotiated, so an RSV
    bit is a violation (it is how a "compressed" frame would slip past a scan)."""

    def __init__(self, max_message: int, where: str = "ws"):
        self.max = max_message
        self.where = where
        self.op: int | None = None
        self.parts: list[bytes] = []
        self.size = 0

    def feed(self, fin: bool, rsv: int, op: int, payload: bytes) -> tuple[int, bytes] | Finding | None:
        """(opcode, data) when a message is complete, a violation Finding, or
        None while a fragmented message continues."""
        if rsv:
            return self._bad("ws_rsv_without_extension", "RSV bit set but no extension was negotiated")
        if op == OP_CONT:
            if self.op is None:
                return self._bad("ws_bad_continuation", "continuation without a message")
        elif self.op is not None:
            return self._bad("ws_interleaved", "new message inside a fragmented one")
        else:
            self.op = op
        self.parts.append(payload)
        self.size += len(payload)
        if self.size > self.max:
            return self._bad("ws_message_too_large", f"{self.size} bytes")
        if not fin:
            return None
        out = (self.op, b"".join(self.parts))
        self.op, self.parts, self.size = None, [], 0
        return out

    def _bad(self, rule: str, msg: str) -> Finding:
        return Finding("websocket", rule, "high", msg[:80], self.where, "block")


def message_text(op: int, data: bytes, where: str = "ws") -> str | Finding:
    """What a message says: text frames must be UTF-8; binary ones are scanned
    as decoded text, followed by what a binary reading finds in them (the strings of a
    CBOR or MessagePack value, compressed text: text/unpack.py, bounded)."""
    if op == OP_TEXT:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return Finding("websocket", "ws_invalid_utf8", "high", "text frame is not UTF-8", where, "block")
    text = data.decode("utf-8", "replace")
    if "\ufffd" in text:  # not UTF-8: a binary serialisation or a compressed blob
        got = bytes_to_text(data)
        if got is not None and got[0]:
            text += "\n" + got[1]
    return text


# -- token pieces across non-adjacent messages ---------------------------------

MAX_PIECES = 16
_PIECE = re.compile(r"[A-Za-z0-9_.~+/=:-]{4,200}")
_PIECE_MIX = re.compile(r"[0-9A-Z]")


def message_pieces(text: str) -> list[str]:
    """Strings of a message that could be a piece of a token (the JSON string values, or
    the raw text): no spaces, a digit or a capital. Bounded."""
    is_json, doc = _json_doc(text)
    cand = [v for _, v in string_leaves(doc)][:MAX_PIECES] if is_json else [text]
    return [c for c in cand if _PIECE.fullmatch(c) and _PIECE_MIX.search(c)]


def remember_pieces(pieces: list[str], text: str) -> bool:
    """Add a message's pieces to the session's recent ones; True when there is something
    new to glue (two or more pieces, one of them from this message)."""
    new = message_pieces(text)
    if not new:
        return False
    pieces.extend(new)
    del pieces[:-MAX_PIECES]
    return len(pieces) >= 2


def pieces_findings(inspector, pieces: list[str], host: str, label: str) -> list[Finding]:
    """DLP over the session's recent token pieces glued back: only what spans two or more
    pieces (each piece alone was already judged in its own message, in context)."""
    d = inspector.scan_fields([(f"{label} piece {i}", x) for i, x in enumerate(pieces)], "outbound", host)
    return [f for f in d.findings if "+" in f.where or f.where.startswith("fields (") or f.scanner != "dlp"]
