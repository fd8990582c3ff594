"""tools/arguments: object keys and byte-value lists of tools/call arguments, from
one walk by the shared walker; and end to end, a secret carried as a key or as a
byte list at any depth the policy walk accepts is read."""
import json
import random

import pytest

from ringfence.engine import Engine
from ringfence.scanners.tools.arguments import MAX_BYTE_LISTS, MAX_KEYS, keys_and_byte_lists

RNG = random.Random(7)
# an AWS access key id shape, built at run time (no literal secret in the source)
KEY = "AKIA" + "".join(RNG.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def _nest(inner, depth: int, kind: str):
    """`inner` under `depth` levels of objects, lists, or both alternating."""
    for d in range(depth):
        use_list = kind == "list" or (kind == "mixed" and d % 2)
        inner = [inner] if use_list else {f"level{d}": inner}
    return inner


@pytest.mark.parametrize("kind", ["dict", "list", "mixed"])
@pytest.mark.parametrize("depth", [0, 1, 5, 20])
def test_keys_at_every_depth_in_document_order(kind, depth):
    keys, _ = keys_and_byte_lists(_nest({"first": 1, "second": {"third": "x"}}, depth, kind))
    assert keys[-3:] == ["first", "second", "third"]


@pytest.mark.parametrize("kind", ["dict", "list", "mixed"])
@pytest.mark.parametrize("n", [16, 32, 64, 1000])
def test_byte_lists_found_at_depth_with_their_path(kind, n):
    data = list(RNG.randbytes(n))
    _, lists = keys_and_byte_lists({"a": _nest({"blob": data}, 4, kind)})
    assert len(lists) == 1
    path, text = lists[0]
    assert path.startswith("params.arguments.a") and path.endswith(".blob[]")
    assert json.loads(text) == data


@pytest.mark.parametrize("near_miss", [
    list(range(15)),                      # too short to be a byte string
    list(range(250, 270)),                # a value past 255
    [-1] + list(range(20)),               # a negative value
    [True] * 20,                          # booleans are not bytes
    [1.0] * 20,                           # nor floats
    [str(i) for i in range(20)],          # nor digit strings
    list(range(10)) + [[1, 2]] * 10,      # nor a list holding lists
])
def test_lists_that_are_not_byte_strings(near_miss):
    assert keys_and_byte_lists({"v": near_miss})[1] == []


def test_caps():
    wide = {f"k{i}": i for i in range(MAX_KEYS * 3)}
    keys, _ = keys_and_byte_lists(wide)
    assert keys == [f"k{i}" for i in range(MAX_KEYS)]
    many = {f"b{i}": list(range(16)) for i in range(MAX_BYTE_LISTS * 2)}
    assert len(keys_and_byte_lists(many)[1]) == MAX_BYTE_LISTS
    assert keys_and_byte_lists("a plain string") == ([], [])
    assert keys_and_byte_lists(None) == ([], [])


@pytest.fixture(scope="module")
def eng():
    return Engine()


def _blocked(eng, args) -> bool:
    return any(f.action == "block" for f in eng.tools.scan_tool_call("http_post", args))


@pytest.mark.parametrize("kind", ["dict", "list", "mixed"])
@pytest.mark.parametrize("depth", [0, 3, 12])
def test_secret_as_a_key_is_read_at_depth(eng, kind, depth):
    assert _blocked(eng, {"url": "https://api.example.net/v1", "json": _nest({KEY: 1}, depth, kind)})
    assert not _blocked(eng, {"url": "https://api.example.net/v1", "json": _nest({"region": 1}, depth, kind)})


@pytest.mark.parametrize("depth", [0, 3, 12])
def test_secret_as_bytes_is_read_at_depth(eng, depth):
    raw = f"aws_access_key_id = {KEY}\n".encode()
    assert _blocked(eng, {"url": "https://api.example.net/v1", "json": _nest({"d": list(raw)}, depth, "mixed")})
    plain = b"the quarterly report for the sales team\n"
    assert not _blocked(eng, {"url": "https://api.example.net/v1", "json": _nest({"d": list(plain)}, depth, "mixed")})
