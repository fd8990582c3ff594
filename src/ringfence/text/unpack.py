"""Decoded bytes -> text: the one place every scanner turns a decoded blob into text.

    bytes_to_text(b) -> (layers, text) | None

Tries, in order: UTF-8; UTF-16 (a BOM, or every other byte zero); the strings of a
CBOR or MessagePack value (text/structs.py); gzip, zlib, bzip2,
xz, lzma and zip (by magic, text/archive.py); brotli and raw deflate (no magic: kept only if the output is printable text);
one nested compression layer (gzip of zlib, ...). `layers` names what was undone,
e.g. "gzip" or "zlib>utf16". Every inflate is bounded (at most INFLATE_CAP bytes out,
and at most INFLATE_RATIO times the input), so a decompression bomb yields a bounded
prefix, never a hang or a memory spike.
"""
from __future__ import annotations

import zlib

from .archive import is_archive, unarchive
from .structs import struct_text

try:
    import brotli as _brotli
except Exception:  # pragma: no cover - brotli is a dependency, but stay importable without it
    _brotli = None

INFLATE_CAP = 1 << 20
INFLATE_RATIO = 100
MIN_TEXT = 8
_CTRL = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


def _printable(s: str) -> bool:
    if len(s) < MIN_TEXT:
        return False
    if s.isprintable():
        return True
    bad = sum(1 for c in s if not (c.isprintable() or c in "\n\r\t"))
    return bad * 10 <= len(s)


def _cap(n: int) -> int:
    return min(INFLATE_CAP, max(n, 1) * INFLATE_RATIO)


def inflate(b: bytes) -> tuple[str, bytes] | None:
    """(name, bytes) for gzip / zlib by magic, else brotli or raw deflate; None if none applies."""
    if len(b) < 4:
        return None
    cap = _cap(len(b))
    if is_archive(b):  # bzip2 / xz / lzma / zip, by magic
        return unarchive(b, cap)
    if b[:2] == b"\x1f\x8b":
        kinds = [("gzip", 16 + zlib.MAX_WBITS)]
    elif b[0] & 0x0F == 8 and (b[0] * 256 + b[1]) % 31 == 0:
        kinds = [("zlib", zlib.MAX_WBITS)]
    else:
        kinds = [("deflate", -zlib.MAX_WBITS)]
    for name, wbits in kinds:
        try:
            d = zlib.decompressobj(wbits)
            out = d.decompress(b, cap)
            # raw deflate has no magic: many byte strings start a valid stream, so only one
            # that ends where the bytes end (or fills the cap) counts; else brotli gets its turn
            if out and (wbits > 0 or d.eof and not d.unused_data or len(out) >= cap):
                return name, out
        except zlib.error:
            pass
    if _brotli is not None:
        try:
            out = _brotli.Decompressor().process(b, output_buffer_limit=cap)
            if out:
                return "brotli", out[:cap]
        except Exception:  # brotli.error on anything that is not brotli
            pass
    return None


def _utf16(b: bytes) -> str | None:
    if len(b) < 2 * MIN_TEXT:
        return None
    if b[:2] in (b"\xff\xfe", b"\xfe\xff"):
        enc = "utf-16"
    elif b[1::2].count(0) * 10 >= 9 * (len(b) // 2):
        enc = "utf-16-le"
    elif b[0::2].count(0) * 10 >= 9 * (len(b) // 2):
        enc = "utf-16-be"
    else:
        return None
    try:
        return b.decode(enc)
    except UnicodeDecodeError:
        return None


def _plain(b: bytes) -> tuple[str, str] | None:
    try:
        s = b.decode("utf-8")
        if _printable(s):
            return "", s
    except UnicodeDecodeError:
        pass
    s16 = _utf16(b)
    if s16 is not None and _printable(s16):
        return "utf16", s16
    return None


def bytes_to_text(b: bytes, nested: int = 2) -> tuple[str, str] | None:
    """The text inside decoded bytes, and the layers undone to reach it ("" for plain UTF-8)."""
    got = _plain(b)
    if got is not None:
        return got
    st = struct_text(b)  # CBOR / MessagePack: its strings, one entry a line
    if st is not None and _printable(st[1]):
        return st
    if nested <= 0:
        return None
    inf = inflate(b)
    if inf is None:
        return None
    name, out = inf
    inner = bytes_to_text(out, nested - 1)
    if inner is None:
        return None
    return (name + (">" + inner[0] if inner[0] else "")), inner[1]


# ---------------------------------------------------------------- text-level containers
import re as _re

# A JSON (or Python/JS) array of byte values: [73, 103, 110, ...] (at least 8 bytes).
BYTE_ARRAY = _re.compile(r"\[\s*(?:\d{1,3}\s*,\s*){7,4095}\d{1,3}\s*\]")
B58_ALPHA = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(B58_ALPHA)}
_JSON_U = _re.compile(r"\\{1,2}u([0-9a-fA-F]{4})")


def byte_arrays(text: str, limit: int = 64) -> list[str]:
    """Texts hidden as arrays of byte values (each value 0..255)."""
    out = []
    for m in BYTE_ARRAY.finditer(text):
        if len(out) >= limit:
            break
        vals = [int(x) for x in _re.findall(r"\d+", m.group(0))]
        if max(vals) > 255:
            continue
        got = bytes_to_text(bytes(vals))
        if got is not None:
            out.append(got[1])
    return out


def b58_bytes(s: str, max_len: int = 400) -> bytes | None:
    """Base58 (Bitcoin alphabet; each leading '1' a zero byte); None when invalid or
    longer than max_len (the big-integer decode is quadratic in the length)."""
    if not s or len(s) > max_len:
        return None
    n = 0
    for c in s:
        i = _B58_INDEX.get(c)
        if i is None:
            return None
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(s) - len(s.lstrip("1"))) + body


def base58_text(run: str) -> str | None:
    """A base58 run (Bitcoin alphabet) that decodes to text; None for ids and addresses."""
    raw = b58_bytes(run) if len(run) >= 16 else None
    if raw is None:
        return None
    got = bytes_to_text(raw.lstrip(b"\0"), nested=1)
    return got[1] if got is not None else None


def json_unescape(text: str) -> str:
    """`\\uXXXX` escapes (also doubly escaped `\\\\uXXXX`), surrogate pairs joined."""
    t = _JSON_U.sub(lambda m: chr(int(m.group(1), 16)), text)
    return t.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
