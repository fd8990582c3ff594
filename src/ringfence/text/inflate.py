"""Compressed bytes -> bytes, bounded: the one place ringfence inflates.

    inflate(b, cap=None, formats=None) -> (name, bytes) | None
        lenient (a decoded blob): gzip / zlib by magic, bzip2 / xz / lzma / zip by magic
        (text/archive.py), else brotli or raw deflate; at most `cap` bytes out (default
        INFLATE_CAP, and INFLATE_RATIO times the input), so a bomb yields a bounded prefix.
        `formats` keeps only those readings (a shell's gunzip reads gzip and zlib).
    decompress(body, content_encoding, limit) -> bytes
        strict (an HTTP Content-Encoding): every coding undone in order, or Refused:
        output above `limit`, a ratio above MAX_RATIO past RATIO_FLOOR, corrupt data,
        an unknown coding.
"""
from __future__ import annotations

import zlib
from typing import Iterable

from .archive import is_archive, unarchive

try:
    import brotli as _brotli
except Exception:  # pragma: no cover - brotli is a dependency, but stay importable without it
    _brotli = None

INFLATE_CAP = 1 << 20
INFLATE_RATIO = 100
MAX_RATIO = 100          # decompressed / compressed, beyond a small floor
RATIO_FLOOR = 1 << 20    # below 1 MiB of output, ratio is not checked
_STEP = 64 * 1024
_ZLIB = {"gzip": 16 + zlib.MAX_WBITS, "zlib": zlib.MAX_WBITS, "deflate": -zlib.MAX_WBITS}


class Refused(Exception):
    """Content that is not decompressed (and so not passed): `rule` names why."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def _zlib(b: bytes, kind: str, cap: int) -> bytes:
    """At most `cap` bytes of a gzip / zlib / raw deflate stream (a truncated stream gives
    what it holds); raises zlib.error on corrupt data. Raw deflate has no magic: many byte
    strings start a valid stream, so only one that ends where the bytes end (or fills the
    cap) counts, and brotli gets its turn otherwise."""
    d = zlib.decompressobj(_ZLIB[kind])
    out = d.decompress(b, cap)
    if kind == "deflate" and not (d.eof and not d.unused_data or len(out) >= cap):
        return b""
    return out


def inflate(b: bytes, cap: int | None = None, formats: Iterable[str] | None = None) -> tuple[str, bytes] | None:
    """(name, bytes) for gzip / zlib by magic, else brotli or raw deflate; None if none applies."""
    if len(b) < 4:
        return None
    if cap is None:
        cap = min(INFLATE_CAP, max(len(b), 1) * INFLATE_RATIO)
    ok = (lambda name: True) if formats is None else frozenset(formats).__contains__
    if is_archive(b):  # bzip2 / xz / lzma / zip, by magic
        got = unarchive(b, cap)
        return got if got is None or ok(got[0]) else None
    if b[:2] == b"\x1f\x8b":
        kind = "gzip"
    elif b[0] & 0x0F == 8 and (b[0] * 256 + b[1]) % 31 == 0:
        kind = "zlib"
    else:
        kind = "deflate"
    if ok(kind):
        try:
            out = _zlib(b, kind, cap)
            if out:
                return kind, out
        except zlib.error:
            pass
    if _brotli is not None and ok("brotli"):
        try:
            out = _brotli.Decompressor().process(b, output_buffer_limit=cap)
            if out:
                return "brotli", out[:cap]
        except Exception:  # brotli.error on anything that is not brotli
            pass
    return None


# ---------------------------------------------------------------- Content-Encoding
def _bounded(chunks: Iterable[bytes], limit: int, compressed_len: int) -> bytes:
    out = bytearray()
    for c in chunks:
        out += c
        if len(out) > limit:
            raise Refused("decompressed_too_large", f"decompressed body exceeds {limit} bytes")
        if len(out) > RATIO_FLOOR and len(out) > MAX_RATIO * max(compressed_len, 1):
            raise Refused("compression_bomb", f"compression ratio above {MAX_RATIO}:1")
    return bytes(out)


def _strict_zlib(data: bytes, kind: str, limit: int) -> bytes:
    # one byte past the smaller bound is enough to know a bound is crossed
    cap = min(limit, max(RATIO_FLOOR, MAX_RATIO * max(len(data), 1))) + 1
    try:
        return _bounded((_zlib(data, kind, cap),), limit, len(data))
    except zlib.error as e:
        raise Refused("bad_encoding", f"cannot decompress body: {e}") from None


def _strict_brotli(data: bytes, limit: int) -> bytes:
    import brotli
    d = brotli.Decompressor()

    def gen():
        # Feed input in slices so output growth is checked as it happens.
        for i in range(0, len(data), _STEP):
            yield d.process(data[i:i + _STEP])
    try:
        out = _bounded(gen(), limit, len(data))
    except brotli.error as e:
        raise Refused("bad_encoding", f"cannot decompress body: {e}") from None
    if not d.is_finished():
        raise Refused("bad_encoding", "truncated brotli body")
    return out


def _strict_zstd(data: bytes, limit: int) -> bytes:
    import zstandard
    d = zstandard.ZstdDecompressor().decompressobj()

    def gen():
        for i in range(0, len(data), _STEP):
            yield d.decompress(data[i:i + _STEP])
    try:
        return _bounded(gen(), limit, len(data))
    except zstandard.ZstdError as e:
        raise Refused("bad_encoding", f"cannot decompress body: {e}") from None


def decompress(body: bytes, content_encoding: str, limit: int) -> bytes:
    """Undo Content-Encoding (possibly several, applied in order) under caps."""
    encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
    data = body
    for enc in reversed(encodings):
        if enc in ("identity", ""):
            continue
        if enc in ("gzip", "x-gzip"):
            data = _strict_zlib(data, "gzip", limit)
        elif enc == "deflate":
            try:
                data = _strict_zlib(data, "zlib", limit)
            except Refused as e:
                if e.rule != "bad_encoding":
                    raise  # a zlib bomb is a bomb, not a raw deflate stream
                data = _strict_zlib(data, "deflate", limit)  # raw deflate, as some servers send
        elif enc == "br":
            data = _strict_brotli(data, limit)
        elif enc == "zstd":
            data = _strict_zstd(data, limit)
        else:
            raise Refused("unsupported_encoding", f"unsupported Content-Encoding: {enc[:40]}")
    if len(data) > limit:
        raise Refused("body_too_large", f"body exceeds {limit} bytes")
    return data


__all__ = ["INFLATE_CAP", "INFLATE_RATIO", "MAX_RATIO", "RATIO_FLOOR", "Refused", "decompress", "inflate"]
