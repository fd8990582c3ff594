"""JSON-RPC 2.0 framing helpers for the MCP relays (sans-io).

Parsing is strict on purpose: ringfence and the server must read the same
values, so duplicate object keys, NaN/Infinity and non-UTF-8 are rejected
rather than resolved one way or another.
"""
from __future__ import annotations

import json
import re
from typing import Any

import orjson

from ..core import jsonstrict
from ..core.jsonwalk import WalkLimit, strings

# Error codes used in answers that ringfence writes itself.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
BLOCKED = -32001
UPSTREAM_GONE = -32002


class JsonRpcError(Exception):
    """A message ringfence refuses to relay. `rule` is a stable id."""

    def __init__(self, rule: str, message: str, code: int = INVALID_REQUEST):
        super().__init__(message)
        self.rule = rule
        self.code = code


def parse(data: bytes) -> Any:
    """Bytes of one JSON text -> Python value, or JsonRpcError (core.jsonstrict's
    rules: duplicate_key, too_deep, trailing_data, invalid_utf8,
    invalid_json)."""
    try:
        return jsonstrict.loads_bytes(data)
    except jsonstrict.JsonError as e:
        raise JsonRpcError(e.rule, str(e)[:120], PARSE_ERROR) from None


def id_key(msg_id: Any) -> tuple[str, Any] | None:
    """A hashable key that keeps 1 and "1" apart. None when the id is not usable."""
    if isinstance(msg_id, bool) or msg_id is None:
        return None
    if isinstance(msg_id, str):
        return ("s", msg_id)
    if isinstance(msg_id, int):
        return ("i", msg_id)
    if isinstance(msg_id, float) and msg_id.is_integer():
        return ("i", int(msg_id))
    return None


def kind_of(msg: Any) -> str:
    """request, notification, response, or raise JsonRpcError for anything else."""
    if not isinstance(msg, dict):
        raise JsonRpcError("invalid_request", "a JSON-RPC message must be an object")
    if msg.get("jsonrpc") != "2.0":
        raise JsonRpcError("invalid_request", 'missing "jsonrpc": "2.0"')
    method = msg.get("method")
    has_id = "id" in msg
    if method is not None:
        if not isinstance(method, str) or not method:
            raise JsonRpcError("invalid_request", "method must be a non-empty string")
        if "params" in msg and not isinstance(msg["params"], (dict, list)):
            raise JsonRpcError("invalid_request", "params must be an object or array")
        if has_id:
            if id_key(msg["id"]) is None:
                raise JsonRpcError("invalid_id", "request id must be a string or an integer")
            return "request"
        return "notification"
    if has_id and ("result" in msg) != ("error" in msg):
        if "error" in msg and not isinstance(msg["error"], dict):
            raise JsonRpcError("invalid_request", "error must be an object")
        return "response"
    raise JsonRpcError("invalid_request", "not a JSON-RPC request, notification or response")


def error_bytes(msg_id: Any, code: int, message: str, data: dict[str, Any] | None = None) -> bytes:
    """One JSON-RPC error response, newline-terminated."""
    err: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    if id_key(msg_id) is None:
        msg_id = None   # a float, object or array id is never echoed
    try:
        return orjson.dumps({"jsonrpc": "2.0", "id": msg_id, "error": err}) + b"\n"
    except (TypeError, ValueError):
        # Ids orjson cannot write (integers beyond 64 bits, lone surrogates)
        # are echoed exactly by the stdlib, which escapes surrogates as \\uXXXX.
        try:
            return json.dumps({"jsonrpc": "2.0", "id": msg_id, "error": err},
                              separators=(",", ":")).encode("ascii") + b"\n"
        except (TypeError, ValueError):
            return orjson.dumps({"jsonrpc": "2.0", "id": None, "error": err}) + b"\n"


def id_text(msg_id: Any, limit: int = 128) -> str:
    """A short printable form of any id, for receipts and findings (never raises)."""
    if msg_id is None:
        return ""
    try:
        text = msg_id if isinstance(msg_id, str) else json.dumps(msg_id)
    except (TypeError, ValueError):
        text = f"<{type(msg_id).__name__}>"
    return text[:limit].encode("utf-8", "replace").decode("utf-8")


def leaves(value: Any, path: str = "$") -> list[tuple[str, str]]:
    """Every string leaf and object key (8+ characters) under `value` as (json path,
    text), by the shared walker. Numbers are included as text (a secret can be a long
    digit run). Bounded: depth 64 and 20,000 nodes; overflow raises JsonRpcError
    (fail closed)."""
    try:
        return strings(value, path, key_min=8, num_min=8, max_depth=64, max_nodes=20_000)
    except WalkLimit:
        raise JsonRpcError("too_large", "message has too many or too deeply nested fields") from None


class Oversize:
    """A line longer than the limit: its bytes are gone, its ids (if any were
    found while it streamed past) remain."""

    __slots__ = ("ids",)

    def __init__(self, ids: list[Any] | None = None):
        self.ids = ids or []


class LineSplitter:
    """Newline-delimited framing with a size cap. feed() returns complete lines
    (with their original line ending) and an Oversize for each line longer than
    `limit` (its bytes are discarded, never buffered whole; only its ids are
    sniffed as it streams past)."""

    OVERSIZE = Oversize()

    def __init__(self, limit: int):
        self.limit = limit
        self._buf = bytearray()
        self._skip: IdSniffer | None = None   # set while discarding an oversize line

    def feed(self, chunk: bytes) -> list[Any]:
        out: list[Any] = []
        start = 0
        n = len(chunk)
        while start < n:
            nl = chunk.find(b"\n", start)
            if nl < 0:
                if self._skip is not None:
                    self._skip.feed(chunk[start:])
                else:
                    self._buf += chunk[start:]
                    if len(self._buf) > self.limit:
                        self._skip = IdSniffer()
                        self._skip.feed(bytes(self._buf))
                        self._buf = bytearray()
                break
            piece = chunk[start:nl + 1]
            start = nl + 1
            if self._skip is not None:
                self._skip.feed(piece)
                out.append(Oversize(self._skip.ids))
                self._skip = None
                continue
            if self._buf:
                self._buf += piece
                line = bytes(self._buf)
                self._buf = bytearray()
            else:
                line = piece
            if len(line) > self.limit + 2:
                out.append(Oversize(sniff_ids(line)))
            else:
                out.append(line)
        return out

    def finish(self) -> list[Any]:
        """At EOF: a last line without a newline still counts."""
        if self._skip is not None:
            ids, self._skip = self._skip.ids, None
            return [Oversize(ids)]
        if self._buf:
            line = bytes(self._buf)
            self._buf = bytearray()
            return [line]
        return []


_TOKEN = re.compile(rb'["{}\[\],:]')
_STR_END = re.compile(rb'["\\]')
_VALUE = re.compile(rb'\s*:\s*(-?[0-9][0-9.eE+-]{0,80}(?![0-9.eE+-])|"(?:[^"\\]|\\.){0,256}"|null)')


class IdSniffer:
    """Finds the ids of a JSON-RPC message (or of the elements of a batch) in
    bytes that cannot be parsed: oversize, invalid UTF-8, duplicate keys. Fed
    incrementally, constant memory: only the member names at message level are
    looked at. Used to answer the client's request when ringfence drops the
    server's answer to it, instead of leaving the request pending."""

    MAX_IDS = 8

    def __init__(self) -> None:
        self.depth = 0
        self.in_str = False
        self.escape = False
        self.top_array = False
        self.keystart = -1
        self.expect_key = False
        self.keypart = b""     # the start of a member name cut by the end of a chunk
        self.tail: bytes | None = None   # the start of an id value cut by the end of a chunk
        self.ids: list[Any] = []

    def _msg_depth(self) -> int:
        return 2 if self.top_array else 1

    def feed(self, chunk: bytes) -> None:
        if len(self.ids) >= self.MAX_IDS:
            return
        if self.tail is not None:  # an `"id"` name ended a chunk: its value starts here
            buf = self.tail + chunk[:300]
            self.tail = None if self._value_at(buf, 0) or len(buf) >= 300 else buf
        data, n = chunk, len(chunk)
        i = 1 if self.escape else 0   # the byte after a backslash that ended the last chunk
        self.escape = False
        while i < n:
            if self.in_str:
                m = _STR_END.search(data, i)
                if m is None:
                    break
                if m.group() == b"\\":
                    i = m.end() + 1
                    self.escape = i > n
                    continue
                self.in_str = False
                i = m.end()
                if self.keystart >= 0 and self.keypart + data[self.keystart:m.start()] == b"id" \
                        and not self._value_at(data, i) and n - i < 300:
                    self.tail = data[i:]
                self.keystart = -1
                self.keypart = b""
                continue
            m = _TOKEN.search(data, i)
            if m is None:
                return
            c = m.group()
            i = m.end()
            if c == b'"':
                self.in_str = True
                self.keystart = i if self.expect_key else -1
                self.expect_key = False
            elif c in b"{[":
                if self.depth == 0 and c == b"[":
                    self.top_array = True
                self.depth += 1
                self.expect_key = c == b"{" and self.depth == self._msg_depth()
            elif c in b"}]":
                self.depth = max(0, self.depth - 1)
                self.expect_key = False
            elif c == b",":
                self.expect_key = self.depth == self._msg_depth()
            else:   # ":"
                self.expect_key = False
        if self.in_str and self.keystart >= 0:  # a member name split across chunks
            self.keypart = (self.keypart + data[self.keystart:])[:8]
            self.keystart = 0 if len(self.keypart) < 8 else -1

    def _value_at(self, data: bytes, i: int) -> bool:
        m = _VALUE.match(data, i)
        if m is None:
            return False
        if m.end() == len(data) and not m.group(1).endswith(b'"'):
            return False   # a number may continue in the next chunk
        try:
            value = json.loads(m.group(1).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return True
        if id_key(value) is not None and len(self.ids) < self.MAX_IDS:
            self.ids.append(value)
        return True


def sniff_ids(data: bytes) -> list[Any]:
    s = IdSniffer()
    s.feed(data)
    return s.ids
