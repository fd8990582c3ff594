"""The text inside a binary serialisation: CBOR (RFC 8949) and MessagePack.

    struct_text(b) -> (name, text) | None

A strict, bounded reader of one whole value (a map or an array at the top, as a
WebSocket or HTTP body carries it): it must use every byte, or it is not this format and
None is returned. The text is the value's strings, one map entry a line (`key: value`),
so a secret and its name stay together as they would in JSON. Byte strings that are
text themselves are kept too. Bounded: at most MAX_ITEMS items, MAX_DEPTH nesting, and
lengths never trusted beyond the bytes present. Random bytes often parse as
MessagePack (small ints are one byte each), so a value counts only when its strings
make up at least a quarter of its bytes.
"""
from __future__ import annotations

import struct

MAX_ITEMS = 4096
MAX_DEPTH = 16


class _Bad(Exception):
    pass


class _Reader:
    __slots__ = ("b", "pos", "items", "lines", "chars")

    def __init__(self, b: bytes):
        self.b, self.pos, self.items, self.lines, self.chars = b, 0, 0, [], 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.b):
            raise _Bad
        out = self.b[self.pos:self.pos + n]
        self.pos += n
        return out

    def count(self) -> None:
        self.items += 1
        if self.items > MAX_ITEMS:
            raise _Bad


def _scalar_text(v) -> str:
    if isinstance(v, bytes):
        try:
            s = v.decode("utf-8")
        except UnicodeDecodeError:
            return ""
        return s if s.isprintable() else ""
    if isinstance(v, str):
        return v
    return "" if v is None or isinstance(v, (list, dict)) else str(v)


def _emit(r: _Reader, key, value) -> None:
    k, v = _scalar_text(key), _scalar_text(value)
    r.chars += len(k) * isinstance(key, str) + len(v) * isinstance(value, str)
    if v:
        r.lines.append(f"{k}: {v}" if k else v)


# ---------------------------------------------------------------------------- CBOR

def _cbor_len(r: _Reader, info: int) -> int:
    if info < 24:
        return info
    if info == 24:
        return r.take(1)[0]
    if info == 25:
        return int.from_bytes(r.take(2), "big")
    if info == 26:
        return int.from_bytes(r.take(4), "big")
    if info == 27:
        return int.from_bytes(r.take(8), "big")
    raise _Bad  # indefinite lengths are not read: a hand-made blob rarely uses them


def _cbor(r: _Reader, depth: int):
    if depth > MAX_DEPTH:
        raise _Bad
    r.count()
    ib = r.take(1)[0]
    major, info = ib >> 5, ib & 31
    if major == 7:
        if info < 24:
            return {20: False, 21: True, 22: None}.get(info, info)
        if info == 25:
            r.take(2)
            return 0.0
        if info == 26:
            return struct.unpack(">f", r.take(4))[0]
        if info == 27:
            return struct.unpack(">d", r.take(8))[0]
        raise _Bad
    n = _cbor_len(r, info)
    if major in (0, 1):
        return n if major == 0 else -1 - n
    if major == 2:
        return r.take(n)
    if major == 3:
        try:
            return r.take(n).decode("utf-8")
        except UnicodeDecodeError:
            raise _Bad from None
    if major == 4:
        if n > MAX_ITEMS:
            raise _Bad
        out = [_cbor(r, depth + 1) for _ in range(n)]
        for v in out:
            _emit(r, None, v)
        return out
    if major == 5:
        if n > MAX_ITEMS:
            raise _Bad
        for _ in range(n):
            k = _cbor(r, depth + 1)
            _emit(r, k, _cbor(r, depth + 1))
        return {}
    return _cbor(r, depth + 1)  # major 6: a tag, then its value


# ---------------------------------------------------------------------------- MessagePack

_MP_FIXED = {0xC0: None, 0xC2: False, 0xC3: True}
_MP_NUM = {0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q", 0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q",
           0xCA: ">f", 0xCB: ">d"}
_MP_LEN = {0xD9: 1, 0xDA: 2, 0xDB: 4, 0xC4: 1, 0xC5: 2, 0xC6: 4}  # str8/16/32, bin8/16/32
_MP_EXT = {0xD4: 1, 0xD5: 2, 0xD6: 4, 0xD7: 8, 0xD8: 16}


def _mp(r: _Reader, depth: int):
    if depth > MAX_DEPTH:
        raise _Bad
    r.count()
    t = r.take(1)[0]
    if t <= 0x7F:
        return t
    if t >= 0xE0:
        return t - 0x100
    if 0xA0 <= t <= 0xBF or t in (0xD9, 0xDA, 0xDB):
        n = t & 31 if t <= 0xBF else int.from_bytes(r.take(_MP_LEN[t]), "big")
        try:
            return r.take(n).decode("utf-8")
        except UnicodeDecodeError:
            raise _Bad from None
    if t in (0xC4, 0xC5, 0xC6):
        return r.take(int.from_bytes(r.take(_MP_LEN[t]), "big"))
    if t in _MP_FIXED:
        return _MP_FIXED[t]
    if t in _MP_NUM:
        fmt = _MP_NUM[t]
        return struct.unpack(fmt, r.take(struct.calcsize(fmt)))[0]
    if t in _MP_EXT:
        r.take(1 + _MP_EXT[t])
        return None
    if t in (0xC7, 0xC8, 0xC9):
        n = int.from_bytes(r.take({0xC7: 1, 0xC8: 2, 0xC9: 4}[t]), "big")
        r.take(1 + n)
        return None
    if 0x90 <= t <= 0x9F or t in (0xDC, 0xDD):
        n = t & 15 if t <= 0x9F else int.from_bytes(r.take(2 if t == 0xDC else 4), "big")
        if n > MAX_ITEMS:
            raise _Bad
        out = [_mp(r, depth + 1) for _ in range(n)]
        for v in out:
            _emit(r, None, v)
        return out
    if 0x80 <= t <= 0x8F or t in (0xDE, 0xDF):
        n = t & 15 if t <= 0x8F else int.from_bytes(r.take(2 if t == 0xDE else 4), "big")
        if n > MAX_ITEMS:
            raise _Bad
        for _ in range(n):
            k = _mp(r, depth + 1)
            _emit(r, k, _mp(r, depth + 1))
        return {}
    raise _Bad  # 0xC1 is never used


def _read(b: bytes, fn) -> str | None:
    r = _Reader(b)
    try:
        fn(r, 0)
    except (_Bad, struct.error, RecursionError, ValueError, OverflowError):
        return None
    # random bytes often parse (a MessagePack map of small ints): a real value has text
    if r.pos != len(b) or not r.lines or r.chars < 8 or r.chars * 4 < len(b):
        return None
    return "\n".join(r.lines)


def struct_text(b: bytes) -> tuple[str, str] | None:
    """("cbor"|"msgpack", the strings as `key: value` lines) for a whole CBOR or MessagePack
    map or array; None for anything else (a one-byte compare rejects most bytes)."""
    if len(b) < 4:
        return None
    h = b[0]
    if 0x80 <= h <= 0x9F or h in (0xDC, 0xDD, 0xDE, 0xDF):  # MessagePack map / array
        got = _read(b, _mp)
        if got is not None:
            return "msgpack", got
    if 0x80 <= h <= 0xBB:  # CBOR array (major 4) / map (major 5), definite length
        got = _read(b, _cbor)
        if got is not None:
            return "cbor", got
    return None


__all__ = ["MAX_DEPTH", "MAX_ITEMS", "struct_text"]
