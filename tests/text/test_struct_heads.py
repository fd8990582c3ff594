"""text/structs.py reads CBOR and MessagePack through one header table a format: every
header width of every kind (inline, 1, 2, 4, 8 bytes) reads back, generated over random
values, with the bounds kept (items, depth, every byte consumed)."""
import random
import struct

import pytest

from ringfence.text.structs import CBOR_HEADS, MAX_DEPTH, MAX_ITEMS, MP_HEADS, struct_text


def _cbor_head(major: int, n: int, width: int) -> bytes:
    if width == 0:
        return bytes([major << 5 | n])
    return bytes([major << 5 | {1: 24, 2: 25, 4: 26, 8: 27}[width]]) + n.to_bytes(width, "big")


def _mp_head(kind: str, n: int, width: int) -> bytes:
    fix = {"str": (0xA0, 31), "arr": (0x90, 15), "map": (0x80, 15)}
    wide = {"str": {1: 0xD9, 2: 0xDA, 4: 0xDB}, "bin": {1: 0xC4, 2: 0xC5, 4: 0xC6},
            "arr": {2: 0xDC, 4: 0xDD}, "map": {2: 0xDE, 4: 0xDF}}
    if width == 0:
        return bytes([fix[kind][0] | n])
    return bytes([wide[kind][width]]) + n.to_bytes(width, "big")


def _width(rng, n: int, widths) -> int:
    ok = [w for w in widths if (w == 0 and n < 24) or (w and n < 1 << (8 * w))]
    return rng.choice(ok)


def encode(v, fmt: str, rng) -> bytes:
    if fmt == "cbor":
        if isinstance(v, str):
            b = v.encode()
            return _cbor_head(3, len(b), _width(rng, len(b), (0, 1, 2, 4, 8))) + b
        if isinstance(v, int):
            return _cbor_head(0 if v >= 0 else 1, v if v >= 0 else -1 - v, _width(rng, abs(v) + 1, (0, 1, 2, 4, 8)))
        if isinstance(v, float):
            return b"\xfb" + struct.pack(">d", v)
        if isinstance(v, list):
            return _cbor_head(4, len(v), _width(rng, len(v), (0, 1, 2))) + b"".join(encode(x, fmt, rng) for x in v)
        return _cbor_head(5, len(v), _width(rng, len(v), (0, 1, 2))) + b"".join(
            encode(k, fmt, rng) + encode(x, fmt, rng) for k, x in v.items())
    if isinstance(v, str):
        b = v.encode()
        w = rng.choice([w for w in (0, 1, 2, 4) if (w == 0 and len(b) < 32) or (w and len(b) < 1 << (8 * w))])
        return _mp_head("str", len(b), w) + b
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        w = rng.choice([w for w in (1, 2, 4, 8) if -(1 << (8 * w - 1)) <= v < 1 << (8 * w - 1)])
        return bytes([{1: 0xD0, 2: 0xD1, 4: 0xD2, 8: 0xD3}[w]]) + v.to_bytes(w, "big", signed=True)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    kind = "arr" if isinstance(v, list) else "map"
    w = rng.choice([w for w in (0, 2, 4) if (w == 0 and len(v) < 16) or w])
    body = (b"".join(encode(x, fmt, rng) for x in v) if kind == "arr"
            else b"".join(encode(k, fmt, rng) + encode(x, fmt, rng) for k, x in v.items()))
    return _mp_head(kind, len(v), w) + body


def value(rng, depth=0):
    r = rng.random()
    if depth >= 3 or r < 0.5:
        return rng.choice([lambda: "tok_" + "".join(rng.choice("abcXYZ09") for _ in range(rng.randint(4, 300))),
                           lambda: rng.randint(-2 ** 40, 2 ** 40), lambda: rng.random()])()
    if r < 0.75:
        return [value(rng, depth + 1) for _ in range(rng.randint(1, 20))]
    return {f"key{i}": value(rng, depth + 1) for i in range(rng.randint(1, 20))}


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(x, (list, dict)):  # (a key whose value is a container is not a line)
                yield k
            yield from strings(x)


@pytest.mark.parametrize("fmt", ["cbor", "msgpack"])
@pytest.mark.parametrize("seed", range(40))
def test_every_header_width_reads_back(fmt, seed):
    rng = random.Random(seed)
    v = {"secret": "AKIA" + "Q" * 16, "body": value(rng)}
    raw = encode(v, fmt, rng)
    got = struct_text(raw)
    assert got is not None and got[0] == fmt
    assert "secret: AKIA" + "Q" * 16 in got[1]
    for s in strings(v["body"]):
        assert s in got[1]
    assert struct_text(raw + b"\x00") is None and struct_text(raw[:-1]) is None  # every byte, no more


def test_heads_follow_the_formats():
    for ib, head in enumerate(CBOR_HEADS):
        major, info = ib >> 5, ib & 31
        if major != 7:
            assert (head is None) == (info >= 28)
            if head is not None:
                assert head[1:] == ((info, 0) if info < 24 else (0, 1 << (info - 24)))
    assert MP_HEADS[0xC1] is None and sum(h is None for h in MP_HEADS) == 1
    assert [MP_HEADS[t][2] for t in (0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xCC, 0xCF)] == [1, 2, 4, 2, 4, 2, 4, 1, 8]


@pytest.mark.parametrize("fmt", ["cbor", "msgpack"])
def test_bounds_hold_for_every_width(fmt):
    rng = random.Random(7)
    deep = "tok_deep_value_1234"
    for _ in range(MAX_DEPTH + 2):
        deep = [deep, "pad_text_value"]
    assert struct_text(encode({"k": deep}, fmt, rng)) is None           # too deep
    many = {"k": ["tok_x"] * (MAX_ITEMS + 1)}
    assert struct_text(encode(many, fmt, rng)) is None                  # too many items
    huge = (_cbor_head(4, 2 ** 32 - 1, 4) if fmt == "cbor" else _mp_head("arr", 2 ** 32 - 1, 4)) + b"\x01" * 8
    assert struct_text(huge) is None                                    # a length beyond the data
