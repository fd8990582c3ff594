"""The one JSON leaf walker (core/jsonwalk.py): document order, paths, bounds (strict
raises, lenient skips and says so), no recursion limit, and the shapes its users read."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.core.jsonwalk import Walk, WalkLimit, strings, strings_of

DOC = {"a": "x", "longkey_1": {"b": [1, "y", None, True, {"c": "z"}]}, "n": 123456789, "f": 1.5}


def test_nodes_in_document_order_with_paths_names_and_members():
    got = [(p, n, m) for p, n, v, m in Walk().nodes(DOC)]
    assert got == [("$", "", False), ("$.a", "a", True), ("$.longkey_1", "longkey_1", True),
                   ("$.longkey_1.b", "b", True), ("$.longkey_1.b[0]", "b", False),
                   ("$.longkey_1.b[1]", "b", False), ("$.longkey_1.b[2]", "b", False),
                   ("$.longkey_1.b[3]", "b", False), ("$.longkey_1.b[4]", "b", False),
                   ("$.longkey_1.b[4].c", "c", True), ("$.n", "n", True), ("$.f", "f", True)]


def test_strings_with_long_keys_before_their_value_and_long_numbers():
    assert strings(DOC) == [("$.a", "x"), ("$.longkey_1.b[1]", "y"), ("$.longkey_1.b[4].c", "z")]
    assert strings(DOC, key_min=8, num_min=8) == [
        ("$.a", "x"), ("$.<key>", "longkey_1"), ("$.longkey_1.b[1]", "y"), ("$.longkey_1.b[4].c", "z"),
        ("$.n", "123456789")]
    assert strings("top") == [("$", "top")]
    assert strings(True, num_min=1) == []  # booleans are not numbers


def test_strict_bounds_raise():
    with pytest.raises(WalkLimit):
        strings(list(range(30_000)))
    deep: object = "s"
    for _ in range(70):
        deep = [deep]
    with pytest.raises(WalkLimit):
        strings(deep)
    assert strings(deep, max_depth=100) == [("$" + "[0]" * 70, "s")]
    assert isinstance(WalkLimit("x"), OverflowError) and WalkLimit.rule == "too_large"


def test_lenient_walk_skips_what_is_too_deep_and_stops_at_the_cap():
    deep: object = "hidden"
    for _ in range(10):
        deep = {"k": deep}
    w = Walk(max_depth=5, strict=False)
    assert list(w.strings({"a": "seen", "d": deep, "z": "after"})) == [("$.a", "seen"), ("$.z", "after")]
    assert w.complete is False
    w = Walk(max_nodes=10, strict=False)
    got = list(w.strings([str(i) for i in range(100)]))
    # a list over the cap keeps its head (it used to vanish whole)
    assert got == [(f"$[{i}]", str(i)) for i in range(9)] and not w.complete
    w = Walk(strict=False)
    list(w.strings(DOC))
    assert w.complete


@pytest.mark.parametrize("depth", [0, 3, 70])   # 70: past the recursion switch
@pytest.mark.parametrize("shape", ["list", "dict"])
def test_lenient_cap_keeps_the_nodes_that_fit_at_any_depth(depth, shape):
    n = 50
    big: object = [f"v{i}" for i in range(n)] if shape == "list" else {f"k{i}": f"v{i}" for i in range(n)}
    doc: object = big
    for _ in range(depth):
        doc = [doc]
    cap = depth + 1 + 20
    w = Walk(max_depth=200, max_nodes=cap, strict=False)
    got = [v for _, v in w.strings(doc)]
    assert got == [f"v{i}" for i in range(len(got))] and 15 <= len(got) <= 20
    assert not w.complete
    with pytest.raises(WalkLimit):
        list(Walk(max_depth=200, max_nodes=cap).strings(doc))


def test_a_budget_is_shared_by_every_walk_of_one_object():
    w = Walk(max_nodes=25)
    list(w.strings(list(range(10))))
    with pytest.raises(WalkLimit):
        list(w.strings(list(range(20))))


def test_very_deep_values_walk_without_recursion_limit():
    deep: object = "bottom"
    for _ in range(5000):
        deep = [deep]
    got = strings(deep, max_depth=6000, max_nodes=10_000)
    assert got == [("$" + "[0]" * 5000, "bottom")]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
    max_leaves=40)


def _reference(v, path="$"):
    """The plain recursive definition of the string leaves."""
    if isinstance(v, str):
        yield path, v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield from _reference(x, f"{path}.{k}")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from _reference(x, f"{path}[{i}]")


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_strings_equal_the_recursive_definition(v):
    assert strings(v, max_depth=1000) == list(_reference(v))
    w = Walk(max_depth=1000, strict=False)
    assert list(w.strings(v)) == list(_reference(v)) and w.complete
    # a round trip through JSON text changes nothing
    assert strings(json.loads(json.dumps(v)), max_depth=1000) == list(_reference(v))


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_strings_of_walked_nodes_equal_strings(v):
    """strings_of over nodes a caller already walked (to read the objects too) gives
    what Walk.strings gives, keys and numbers included, without a second walk."""
    w = Walk(max_depth=1000)
    nodes = w.nodes(v)
    count = w.count
    got = list(strings_of(nodes, key_min=3, num_min=4))
    assert w.count == count
    assert got == list(Walk(max_depth=1000).strings(v, key_min=3, num_min=4))
