"""One strict JSON parser: MCP JSON-RPC, A2A and the receipt verifier accept and
refuse exactly the same documents, with the same rule."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringfence.core import jsonstrict
from ringfence.mcp import jsonrpc
from ringfence.scanners.a2a import _strict_json  # noqa: PLC2701  (the a2a entry point under test)

BAD = {
    b'{"a": 1, "a": 2}': "duplicate_key",
    b'{"a": NaN}': "invalid_json",
    b'[Infinity]': "invalid_json",
    b'[-Infinity]': "invalid_json",
    b'{"a": 1} {"b": 2}': "trailing_data",
    b'{"a": 1,}': "invalid_json",
    b"\xff\xfe{}": "invalid_utf8",
    b"[" * (jsonstrict.MAX_DEPTH + 1) + b"]" * (jsonstrict.MAX_DEPTH + 1): "too_deep",
    b'{"x": ' * 5000 + b"1" + b"}" * 5000: "too_deep",
}


@pytest.mark.parametrize("doc,rule", list(BAD.items()))
def test_every_entry_point_refuses_with_the_same_rule(doc, rule):
    with pytest.raises(jsonstrict.JsonError) as e:
        jsonstrict.loads_bytes(doc)
    assert e.value.rule == rule
    with pytest.raises(jsonrpc.JsonRpcError) as e2:
        jsonrpc.parse(doc)
    assert e2.value.rule == rule
    with pytest.raises(ValueError):
        _strict_json(doc)


def test_depth_limit_is_inclusive():
    ok = b"[" * jsonstrict.MAX_DEPTH + b"]" * jsonstrict.MAX_DEPTH
    assert jsonstrict.loads_bytes(ok) == jsonrpc.parse(ok) == _strict_json(ok)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_valid_documents_parse_the_same_everywhere(value):
    doc = json.dumps(value).encode()
    expect = json.loads(doc)
    assert jsonstrict.loads_bytes(doc) == jsonrpc.parse(doc) == _strict_json(doc) == expect
