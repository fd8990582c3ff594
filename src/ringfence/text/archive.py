"""Compressed containers recognised by their magic bytes: bzip2, xz, lzma-alone, zip.

    unarchive(b, cap) -> (name, bytes) | None

Only called on bytes that start with one of the magics (a byte compare, so clean data
pays nothing). Every decompressor is bounded to `cap` bytes out; a zip yields its
first few members (name, a newline, then the member's bytes), stored or deflated,
read from the local headers (a truncated archive without a central directory still
reads), each member bounded, and at most MAX_MEMBERS of them.
"""
from __future__ import annotations

import bz2
import lzma
import struct
import zlib

MAX_MEMBERS = 8
_XZ = b"\xfd7zXZ\x00"
_ZIP = b"PK\x03\x04"


def is_archive(b: bytes) -> bool:
    return (b[:3] == b"BZh" and b[3:4].isdigit()) or b[:6] == _XZ or b[:4] == _ZIP or _lzma_alone(b)


def _lzma_alone(b: bytes) -> bool:
    # props byte 0x5d (the default lc/lp/pb) and a power-of-two-ish dictionary size
    return len(b) >= 13 and b[0] == 0x5D and b[1] == 0 and b[4] <= 0x10


def _bounded(dec, data: bytes, cap: int) -> bytes | None:
    try:
        out = dec.decompress(data, cap)
    except (OSError, EOFError, ValueError, lzma.LZMAError):
        return None
    return out or None


def _zip(b: bytes, cap: int) -> bytes | None:
    out, pos = [], 0
    for _ in range(MAX_MEMBERS):
        if b[pos:pos + 4] != _ZIP or len(b) < pos + 30 or cap <= 0:
            break
        _v, flags, method, _t, _d, _crc, csize, _usize, nlen, xlen = struct.unpack("<HHHHHIIIHH", b[pos + 4:pos + 30])
        name = b[pos + 30:pos + 30 + nlen]
        start = pos + 30 + nlen + xlen
        sized = not (flags & 8) and csize > 0
        data = b[start:start + csize] if sized else b[start:]
        if method == 0:
            body = data[:cap]
        elif method == 8:
            d = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                body = d.decompress(data, cap)
            except zlib.error:
                break
            if not sized:  # the deflate stream says where it ends
                csize = len(data) - len(d.unused_data)
        else:
            break
        if flags & 1:  # encrypted: nothing readable
            break
        out.append(name + b"\n" + body)
        cap -= len(body)
        pos = start + csize + (16 if flags & 8 else 0)
        if b[pos:pos + 4] == b"PK\x07\x08":
            pos += 16
    return b"\n".join(out) if out else None


def unarchive(b: bytes, cap: int) -> tuple[str, bytes] | None:
    """(name, bytes out) for a bzip2 / xz / lzma / zip blob, at most `cap` bytes; else None."""
    if b[:3] == b"BZh":
        got = _bounded(bz2.BZ2Decompressor(), b, cap)
        return ("bzip2", got) if got else None
    if b[:6] == _XZ:
        got = _bounded(lzma.LZMADecompressor(lzma.FORMAT_XZ), b, cap)
        return ("xz", got) if got else None
    if b[:4] == _ZIP:
        got = _zip(b, cap)
        return ("zip", got) if got else None
    if _lzma_alone(b):
        got = _bounded(lzma.LZMADecompressor(lzma.FORMAT_ALONE), b, cap)
        return ("lzma", got) if got else None
    return None


__all__ = ["MAX_MEMBERS", "is_archive", "unarchive"]
