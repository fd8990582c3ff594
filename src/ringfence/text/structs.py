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


# ------------------------------------------------------------------- header tables
# Both formats start every item with one header byte that names its kind and either
# holds its argument (a small int, a length) or says how many big-endian bytes after it
# do. One table a format: header byte -> (kind, inline argument, width), width 0 for an
# inline argument; None where the byte is not read (reserved, indefinite lengths).
UINT, NINT, SINT, BYTES, TEXT, ARRAY, MAP, TAG, CONST, FLOAT, EXT = range(11)


def _cbor_heads() -> list:
    kinds = (UINT, NINT, BYTES, TEXT, ARRAY, MAP, TAG)
    heads: list = [None] * 256
    for ib in range(256):
        major, info = ib >> 5, ib & 31
        if major == 7:  # simple values and floats (a half float reads as 0.0)
            if info < 24:
                heads[ib] = (CONST, {20: False, 21: True, 22: None}.get(info, info), 0)
            elif 25 <= info <= 27:
                heads[ib] = (FLOAT, {25: None, 26: ">f", 27: ">d"}[info], 1 << (info - 24))
        elif info < 24:
            heads[ib] = (kinds[major], info, 0)
        elif info <= 27:
            heads[ib] = (kinds[major], 0, 1 << (info - 24))
        # (info 28-30 reserved, 31 indefinite: a hand-made blob rarely uses them)
    return heads


def _mp_heads() -> list:
    heads: list = [None] * 256
    for t in range(0x80):
        heads[t] = (UINT, t, 0)                                # positive fixint
        if t >= 0x60:
            heads[t + 0x80] = (CONST, t + 0x80 - 0x100, 0)       # negative fixint (0xE0-0xFF)
    for t in range(16):
        heads[0x80 + t], heads[0x90 + t] = (MAP, t, 0), (ARRAY, t, 0)
    for t in range(32):
        heads[0xA0 + t] = (TEXT, t, 0)
    for t, head in {0xC0: (CONST, None, 0), 0xC2: (CONST, False, 0), 0xC3: (CONST, True, 0),
                    0xC4: (BYTES, 0, 1), 0xC5: (BYTES, 0, 2), 0xC6: (BYTES, 0, 4),
                    0xC7: (EXT, 0, 1), 0xC8: (EXT, 0, 2), 0xC9: (EXT, 0, 4),
                    0xCA: (FLOAT, ">f", 4), 0xCB: (FLOAT, ">d", 8),
                    0xCC: (UINT, 0, 1), 0xCD: (UINT, 0, 2), 0xCE: (UINT, 0, 4), 0xCF: (UINT, 0, 8),
                    0xD0: (SINT, 0, 1), 0xD1: (SINT, 0, 2), 0xD2: (SINT, 0, 4), 0xD3: (SINT, 0, 8),
                    0xD4: (EXT, 1, 0), 0xD5: (EXT, 2, 0), 0xD6: (EXT, 4, 0), 0xD7: (EXT, 8, 0), 0xD8: (EXT, 16, 0),
                    0xD9: (TEXT, 0, 1), 0xDA: (TEXT, 0, 2), 0xDB: (TEXT, 0, 4),
                    0xDC: (ARRAY, 0, 2), 0xDD: (ARRAY, 0, 4), 0xDE: (MAP, 0, 2), 0xDF: (MAP, 0, 4)}.items():
        heads[t] = head                                          # (0xC1 is never used)
    return heads


CBOR_HEADS = _cbor_heads()
MP_HEADS = _mp_heads()


def _item(r: _Reader, depth: int, heads: list):
    """One item of either format, read through its header table."""
    if depth > MAX_DEPTH:
        raise _Bad
    r.count()
    head = heads[r.take(1)[0]]
    if head is None:
        raise _Bad
    kind, arg, width = head
    if width:
        raw = r.take(width)
        if kind == FLOAT:
            return 0.0 if arg is None else struct.unpack(arg, raw)[0]
        arg = int.from_bytes(raw, "big", signed=kind == SINT)
    if kind in (UINT, SINT, CONST):
        return arg
    if kind == NINT:
        return -1 - arg
    if kind == BYTES:
        return r.take(arg)
    if kind == TEXT:
        try:
            return r.take(arg).decode("utf-8")
        except UnicodeDecodeError:
            raise _Bad from None
    if kind == EXT:  # a type byte and its data: nothing to read
        r.take(1 + arg)
        return None
    if kind == TAG:  # a CBOR tag, then its value
        return _item(r, depth + 1, heads)
    if arg > MAX_ITEMS:
        raise _Bad
    if kind == ARRAY:
        out = [_item(r, depth + 1, heads) for _ in range(arg)]
        for v in out:
            _emit(r, None, v)
        return out
    for _ in range(arg):  # MAP
        k = _item(r, depth + 1, heads)
        _emit(r, k, _item(r, depth + 1, heads))
    return {}


def _cbor(r: _Reader, depth: int):
    return _item(r, depth, CBOR_HEADS)


def _mp(r: _Reader, depth: int):
    return _item(r, depth, MP_HEADS)


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
