"""Framing and strict parsing: the parts of the relays that need no scanner."""
import pytest

from ringfence.mcp import jsonrpc
from ringfence.mcp.jsonrpc import JsonRpcError, LineSplitter
from ringfence.mcp.sse import SseError, SseSplitter, event_bytes
from ringfence.mcp.stdio import child_env
from ringfence.mcp.http import routing_headers, _one_line


def test_duplicate_keys_rejected_at_any_depth():
    with pytest.raises(JsonRpcError) as e:
        jsonrpc.parse(b'{"jsonrpc":"2.0","id":1,"method":"a","method":"b"}')
    assert e.value.rule == "duplicate_key"
    with pytest.raises(JsonRpcError):
        jsonrpc.parse(b'{"params":{"arguments":{"path":"/tmp","path":"/etc/shadow"}}}')
    # near miss: same key name in sibling objects is fine
    assert jsonrpc.parse(b'{"a":{"k":1},"b":{"k":2}}') == {"a": {"k": 1}, "b": {"k": 2}}


@pytest.mark.parametrize("data,rule", [
    (b'{"a":NaN}', "invalid_json"), (b'{"a":Infinity}', "invalid_json"), (b"\xff\xfe{}", "invalid_utf8"),
    (b"{not json", "invalid_json"), (b"[" * 100000 + b"]" * 100000, "too_deep"),
])
def test_bad_json(data, rule):
    with pytest.raises(JsonRpcError) as e:
        jsonrpc.parse(data)
    assert e.value.rule == rule


def test_kind_of():
    assert jsonrpc.kind_of({"jsonrpc": "2.0", "id": 1, "method": "x"}) == "request"
    assert jsonrpc.kind_of({"jsonrpc": "2.0", "method": "x"}) == "notification"
    assert jsonrpc.kind_of({"jsonrpc": "2.0", "id": "a", "result": {}}) == "response"
    assert jsonrpc.kind_of({"jsonrpc": "2.0", "id": None, "error": {"code": 1, "message": "m"}}) == "response"
    for bad in ({"id": 1, "method": "x"}, {"jsonrpc": "2.0", "id": True, "method": "x"},
                {"jsonrpc": "2.0", "id": 1, "result": {}, "error": {}}, {"jsonrpc": "2.0", "id": 1},
                {"jsonrpc": "2.0", "id": 1, "method": "x", "params": "s"}, [1]):
        with pytest.raises(JsonRpcError):
            jsonrpc.kind_of(bad)


def test_id_key_keeps_types_apart():
    assert jsonrpc.id_key(1) != jsonrpc.id_key("1")
    assert jsonrpc.id_key(1) == jsonrpc.id_key(1.0)
    assert jsonrpc.id_key(True) is None and jsonrpc.id_key(None) is None and jsonrpc.id_key(1.5) is None


def test_leaves_bounded():
    assert ("$.a.b", "x") in jsonrpc.leaves({"a": {"b": "x"}})
    assert ("$.n", "123456789") in jsonrpc.leaves({"n": 123456789})
    with pytest.raises(JsonRpcError):
        jsonrpc.leaves(list(range(30000)))


def test_line_splitter_chunks_and_oversize():
    s = LineSplitter(1024)
    out = []
    data = b'{"a":1}\n' + b"x" * 5000 + b"\n" + b'{"b":2}\r\n' + b"tail"
    for i in range(0, len(data), 7):
        out += s.feed(data[i:i + 7])
    out += s.finish()
    assert out[0] == b'{"a":1}\n'
    assert isinstance(out[1], jsonrpc.Oversize) and out[1].ids == []
    assert out[2] == b'{"b":2}\r\n'
    assert out[3] == b"tail"
    assert len(out) == 4


def test_sse_splitter_byte_preserving():
    raw = b'id: 7\r\nevent: message\r\ndata: {"x":\r\ndata: 1}\r\n\r\n: keepalive\n\n'
    s = SseSplitter(1000)
    events = []
    for i in range(len(raw)):
        events += s.feed(raw[i:i + 1])
    assert tuple(events[0]) == (b'id: 7\r\nevent: message\r\ndata: {"x":\r\ndata: 1}\r\n\r\n', b'{"x":\n1}', "7")
    assert tuple(events[1]) == (b": keepalive\n\n", None, None)
    with pytest.raises(SseError):
        SseSplitter(100).feed(b"data: " + b"a" * 200)
    assert event_bytes(b'{"a":1}\n', "3") == b'id: 3\nevent: message\ndata: {"a":1}\n\n'


def test_child_env_is_reduced():
    env = {"PATH": "/bin", "HOME": "/h", "AWS_SECRET_ACCESS_KEY": "s", "OPENAI_API_KEY": "k", "EXTRA": "1"}
    assert child_env(["PATH", "HOME"], [], env) == {"PATH": "/bin", "HOME": "/h"}
    assert child_env(["PATH"], ["EXTRA", "MISSING"], env) == {"PATH": "/bin", "EXTRA": "1"}
    with pytest.raises(ValueError):
        child_env(["PATH"], ["A=B"], env)


def test_routing_headers_and_one_line():
    msg = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
           "params": {"name": "héllo", "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}}
    h = routing_headers(msg)
    assert h["MCP-Protocol-Version"] == "2026-07-28" and h["Mcp-Method"] == "tools/call"
    assert h["Mcp-Name"].startswith("=?base64?")
    assert routing_headers({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}) == {}
    assert _one_line(b'{\n  "a": "b c"\r\n}') == b'{  "a": "b c"}\n'
