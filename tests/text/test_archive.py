"""text/archive.py: bzip2, xz, lzma and zip unpack through bytes_to_text (the shared path
of DLP and injection), bounded against bombs, and nothing from random bytes behind a magic."""
import bz2
import io
import lzma
import os
import time
import zipfile

import pytest

from ringfence.text.archive import MAX_MEMBERS, unarchive
from ringfence.text.unpack import INFLATE_CAP, bytes_to_text

TEXT = "DEPLOY_KEY=placeholder value for the staging deploy, rotate monthly."


class _NoSeek(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors (flag bit 3)."""

    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)


def _zip(members: dict, method=zipfile.ZIP_DEFLATED, seekable=True) -> bytes:
    out = io.BytesIO() if seekable else _NoSeek()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return bytes(out.getvalue() if seekable else out.buf)


PACKERS = {
    "bzip2": bz2.compress,
    "xz": lambda b: lzma.compress(b, format=lzma.FORMAT_XZ),
    "lzma": lambda b: lzma.compress(b, format=lzma.FORMAT_ALONE),
    "zip_deflated": lambda b: _zip({"app/.env": b}),
    "zip_stored": lambda b: _zip({"notes.txt": b}, zipfile.ZIP_STORED),
    "zip_streamed": lambda b: _zip({"a.txt": b}, seekable=False),
    "xz>utf16": lambda b: lzma.compress(b.decode().encode("utf-16-le")),
}


@pytest.mark.parametrize("name", PACKERS)
def test_every_archive_unpacks(name):
    got = bytes_to_text(PACKERS[name](TEXT.encode()))
    assert got is not None and TEXT in got[1], name


def test_zip_members_named_and_several():
    blob = _zip({f"m{i}.txt": f"member {i} {TEXT}" for i in range(MAX_MEMBERS + 3)})
    got = bytes_to_text(blob)
    assert got is not None and got[0] == "zip"
    assert "m0.txt" in got[1] and f"member {MAX_MEMBERS - 1}" in got[1]
    assert f"member {MAX_MEMBERS + 2}" not in got[1]  # bounded member count


@pytest.mark.parametrize("name", ["bzip2", "xz", "lzma", "zip_deflated"])
def test_bombs_are_bounded(name):
    bomb = PACKERS[name](b"A" * (32 << 20))
    t0 = time.process_time()
    got = unarchive(bomb, INFLATE_CAP)
    assert time.process_time() - t0 < 5.0
    assert got is not None and len(got[1]) <= INFLATE_CAP + 64


@pytest.mark.parametrize("magic", [b"BZh9", b"\xfd7zXZ\x00", b"PK\x03\x04", b"\x5d\x00\x00\x80\x00"])
def test_random_bytes_behind_a_magic_are_not_text(magic):
    assert sum(bytes_to_text(magic + os.urandom(n)) is not None for n in (16, 64, 256) for _ in range(50)) == 0


def test_encrypted_or_unknown_zip_method_yields_nothing():
    blob = bytearray(_zip({"a.txt": TEXT}, zipfile.ZIP_STORED))
    blob[6] |= 1  # the encrypted flag
    assert unarchive(bytes(blob), 1 << 20) is None
    blob = bytearray(_zip({"a.txt": TEXT}, zipfile.ZIP_STORED))
    blob[8] = 99  # an unknown method
    assert unarchive(bytes(blob), 1 << 20) is None
