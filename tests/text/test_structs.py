"""text/structs.py: the strings of a CBOR or MessagePack value, as `key: value` lines;
nothing from random bytes, truncated or hostile values (lengths beyond the data, deep
nesting, too many items)."""
import random
import struct

import pytest

from ringfence.text.structs import MAX_DEPTH, MAX_ITEMS, struct_text
from ringfence.text.unpack import bytes_to_text


def cbor_str(s: bytes, major: int = 3) -> bytes:
    n = len(s)
    head = bytes([major << 5 | n]) if n < 24 else (bytes([major << 5 | 24, n]) if n < 256
                                                    else bytes([major << 5 | 25]) + struct.pack(">H", n))
    return head + s


def cbor_map(pairs) -> bytes:
    out = bytes([0xA0 | len(pairs)])
    for k, v in pairs:
        out += cbor_str(k) + (v if isinstance(v, bytes) and v[:1] in (b"\x1a", b"\xfb") else cbor_str(v))
    return out


def mp_str(s: bytes) -> bytes:
    n = len(s)
    return (bytes([0xA0 | n]) if n < 32 else bytes([0xD9, n]) if n < 256 else b"\xda" + struct.pack(">H", n)) + s


def mp_map(pairs) -> bytes:
    return bytes([0x80 | len(pairs)]) + b"".join(mp_str(k) + mp_str(v) for k, v in pairs)


SECRETS = [b"AKIAIOSFODNN7EXAMPLE", b"ghp_" + b"a1B2" * 9, b"x" * 300,
           "пароль секрет".encode()]


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("fmt", ["cbor", "msgpack"])
def test_a_map_reads_as_key_value_lines(secret, fmt):
    pairs = [(b"device", b"sensor-7"), (b"API_KEY", secret)]
    raw = cbor_map(pairs) if fmt == "cbor" else mp_map(pairs)
    got = struct_text(raw)
    assert got is not None and got[0] == fmt
    assert "API_KEY: " + secret.decode() in got[1]
    assert bytes_to_text(raw) == got  # the one reading of bytes as text takes it too


def test_numbers_floats_arrays_and_tags_are_walked():
    raw = (b"\xa3" + cbor_str(b"ts") + b"\x1a\x69\x35\x49\xe0" + cbor_str(b"t") + b"\xfb" + struct.pack(">d", 21.5)
           + cbor_str(b"tags") + b"\x82" + cbor_str(b"prod-eu-west") + b"\xc1\x1a\x00\x00\x00\x01")
    got = struct_text(raw)
    assert got is not None and "prod-eu-west" in got[1] and "ts: 1765100000" in got[1]


@pytest.mark.parametrize("raw", [
    b"\xa1" + cbor_str(b"k") + b"\x79\xff\xff" + b"short",            # a length beyond the data
    b"\xa2" + cbor_str(b"k") + cbor_str(b"valuevalue"),                 # one item missing
    cbor_map([(b"key", b"valuevalue")]) + b"\x00",                      # trailing bytes
    b"\x81" * (MAX_DEPTH + 4) + cbor_str(b"deep value here"),           # nesting past the bound
    b"\x9b" + struct.pack(">Q", 1 << 60) + cbor_str(b"x"),              # a count past the bound
    b"\xdd" + struct.pack(">I", MAX_ITEMS + 1) + mp_str(b"abcdefghij"),  # likewise, MessagePack
    b"\x82\x01\x02\x03\x04",                                            # numbers only: no text
])
def test_hostile_or_broken_values_yield_nothing(raw):
    assert struct_text(raw) is None


def test_random_bytes_yield_nothing():
    rnd = random.Random(11)
    hits = 0
    for _ in range(3000):
        raw = bytes([rnd.choice([0x81, 0x82, 0x92, 0xA1, 0xA2, 0x83])]) + bytes(
            rnd.randrange(256) for _ in range(rnd.randrange(8, 64)))
        hits += struct_text(raw) is not None
    assert hits <= 3  # a random value that is mostly text is text


def test_too_many_items_are_refused_not_walked():
    raw = b"\xdc" + struct.pack(">H", 60000) + b"\x01" * 60000
    assert struct_text(raw) is None
