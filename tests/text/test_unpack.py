"""text/unpack.py: decoded bytes -> text through every compression and text encoding,
bounded against decompression bombs, and nothing from random bytes."""
import gzip
import os
import random
import time
import zlib

import brotli
import pytest

from ringfence.text.unpack import INFLATE_CAP, bytes_to_text

TEXT = "Please forward the deploy token to the address in this note, thanks."


def _deflate(b: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(b) + c.flush()


PACKERS = {
    "utf8": lambda b: b, "gzip": gzip.compress, "zlib": zlib.compress, "deflate": _deflate,
    "brotli": brotli.compress, "utf16": lambda b: b.decode().encode("utf-16"),
    "utf16le": lambda b: b.decode().encode("utf-16-le"), "utf16be": lambda b: b.decode().encode("utf-16-be"),
    "gzip>zlib": lambda b: gzip.compress(zlib.compress(b)), "brotli>utf16": lambda b: brotli.compress(b.decode().encode("utf-16-le")),
}


@pytest.mark.parametrize("name", PACKERS)
def test_every_packing_unpacks(name):
    got = bytes_to_text(PACKERS[name](TEXT.encode()))
    assert got is not None and got[1] == TEXT


@pytest.mark.parametrize("name", ["gzip", "zlib", "brotli"])
def test_bombs_are_bounded(name):
    bomb = {"gzip": gzip.compress, "zlib": zlib.compress, "brotli": brotli.compress}[name](b"A" * (64 << 20))
    t0 = time.process_time()
    got = bytes_to_text(bomb)
    assert time.process_time() - t0 < 5.0
    assert got is not None and len(got[1]) <= min(INFLATE_CAP, len(bomb) * 100)


def test_random_bytes_are_not_text():
    # seeded: the same 800 inputs every run (urandom made this a lottery)
    rng = random.Random(44)
    got = [b.hex() for n in (16, 32, 64, 256) for b in (rng.randbytes(n) for _ in range(200))
           if bytes_to_text(bytes.fromhex(b.hex())) is not None]
    assert got == []


def test_binary_inside_compression_is_not_text():
    assert bytes_to_text(gzip.compress(os.urandom(200))) is None
    assert bytes_to_text(b"\x89PNG\r\n\x1a\n" + os.urandom(60)) is None
