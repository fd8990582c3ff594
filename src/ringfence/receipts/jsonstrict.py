"""ringfence's one strict JSON parser: no duplicate keys, no NaN/Infinity, bounded
nesting, no trailing data; and for evidence, the raw byte span of each top-level
value (entry hashes cover raw `detail` bytes). It lives here because receipts
import nothing else from ringfence; everything else reaches it through
core.jsonstrict (MCP JSON-RPC, A2A, the verifier)."""
from __future__ import annotations

import json
import re

MAX_DEPTH = 128


class JsonError(ValueError):
    """`rule`: duplicate_key, too_deep, trailing_data,
    invalid_utf8 or invalid_json."""

    def __init__(self, message: str, rule: str = "invalid_json"):
        super().__init__(message)
        self.rule = rule


def _pairs(pairs):
    d = dict(pairs)
    if len(d) != len(pairs):
        seen = set()
        for k, _ in pairs:
            if k in seen:
                raise JsonError(f"duplicate object key: {k[:40]!r}", "duplicate_key")
            seen.add(k)
    return d


def _no_constants(name):
    raise JsonError(f"invalid JSON constant {name}", "invalid_json")


_decoder = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_no_constants)
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")
_WS = " \t\n\r"


def check_depth(text: str) -> None:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return
    depth = 0
    for b in _BRACKETS.findall(_STRINGS.sub("", text)):
        if b in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise JsonError("JSON nesting too deep", "too_deep")
        else:
            depth -= 1


def loads_bytes(data: bytes | str):
    """UTF-8 bytes (or text) of one JSON document -> value, or JsonError."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise JsonError("not valid UTF-8", "invalid_utf8") from None
    return loads(data)


def loads(text: str):
    """Whole-document strict parse (pretty-printing allowed)."""
    check_depth(text)
    try:
        obj, end = _decoder.raw_decode(text, len(text) - len(text.lstrip(_WS)))
    except JsonError:
        raise
    except json.JSONDecodeError as e:
        raise JsonError(f"invalid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise JsonError("JSON nesting too deep", "too_deep") from None
    if text[end:].strip(_WS):
        raise JsonError("trailing data after the JSON value", "trailing_data")
    return obj


def loads_with_spans(line: str) -> tuple[dict, dict[str, tuple[int, int]]]:
    """Parse one JSONL object; also return each top-level value's (start, end) offsets."""
    check_depth(line)
    n = len(line)
    i = len(line) - len(line.lstrip(_WS))
    if i >= n or line[i] != "{":
        raise JsonError("line is not a JSON object")
    obj: dict = {}
    spans: dict[str, tuple[int, int]] = {}
    i += 1
    try:
        while True:
            while i < n and line[i] in _WS:
                i += 1
            if i < n and line[i] == "}" and not obj:
                i += 1
                break
            if i >= n or line[i] != '"':
                raise JsonError("expected an object key")
            key, i = _decoder.raw_decode(line, i)
            while i < n and line[i] in _WS:
                i += 1
            if i >= n or line[i] != ":":
                raise JsonError("expected ':' after an object key")
            i += 1
            while i < n and line[i] in _WS:
                i += 1
            start = i
            val, i = _decoder.raw_decode(line, i)
            if key in obj:
                raise JsonError(f"duplicate object key: {key!r}")
            obj[key] = val
            spans[key] = (start, i)
            while i < n and line[i] in _WS:
                i += 1
            if i < n and line[i] == ",":
                i += 1
                continue
            if i < n and line[i] == "}":
                i += 1
                break
            raise JsonError("expected ',' or '}'")
    except json.JSONDecodeError as e:
        raise JsonError(f"invalid JSON: {e.msg} at column {e.colno}") from None
    except RecursionError:
        raise JsonError("JSON nesting too deep", "too_deep") from None
    if line[i:].strip(_WS):
        raise JsonError("trailing data after the JSON value", "trailing_data")
    return obj, spans
