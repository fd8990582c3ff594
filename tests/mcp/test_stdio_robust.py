"""`ringfence mcp proxy -- CMD` under a hostile server (a real wrapper process):
flooding without reading, hanging, dropped answers, odd ids, lone surrogates."""
import json
import time

import pytest

from conftest import engine_or_skip
from mcp_session import Session

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module", autouse=True)
def _engine():
    engine_or_skip()


def _config(tmp_path, text: str) -> str:
    p = tmp_path / "rf.yaml"
    p.write_text(text)
    return str(p)


def test_flood_of_blocked_server_requests_does_not_stall():
    s = Session()
    try:
        s.tool(1, "flood", n=6000)       # 6000 blocked sampling requests, server not reading stdin
        r = s.wait_id(1, 60)
        assert r["result"] == {"flooded": 6000}
        s.call(2, "ping")                   # the relay still answers later calls
        assert "result" in s.wait_id(2, 30)
        # none of the blocked sampling requests reached the client
        assert not any(m.get("method") == "sampling/createMessage" for _, m in s.got)
    finally:
        rc = s.close()
    assert rc == 0


def test_exits_on_stdin_eof_with_a_hung_server():
    s = Session()
    s.tool(1, "hang")
    s.drain(0.5)
    t = time.monotonic()
    rc = s.close(timeout=30)
    took = time.monotonic() - t
    assert took < 15, took       # shutdown_timeout (5 s) + terminate grace, not forever
    err = s.wait_id(1, 5)
    assert err["error"]["code"] == -32002 and err["error"]["data"]["rule"] == "server_exited"
    assert rc != 0


@pytest.mark.parametrize("method,rule", [("oversize", "oversize"), ("badutf8", "invalid_utf8"),
                                         ("dupkey", "duplicate_key"), ("batch", "batch_unsupported")])
def test_dropped_answer_answers_the_pending_request(tmp_path, method, rule):
    s = Session("--config", _config(tmp_path, "mcp:\n  max_message_bytes: 4096\n"))
    try:
        s.tool(7, method, size=50_000)
        r = s.wait_id(7, 20)        # answered now, not at shutdown
        assert r["error"]["code"] == -32001
        assert r["error"]["data"]["rule"] == rule  # no receipts here, so no receipt id
        s.call(8, "ping")
        assert "result" in s.wait_id(8, 20)
    finally:
        s.close()


def test_oversize_answer_with_id_after_the_payload(tmp_path):
    """The id is found even when it follows megabytes of payload that are never buffered."""
    s = Session("--config", _config(tmp_path, "mcp:\n  max_message_bytes: 4096\n"))
    try:
        s.send(b'{"jsonrpc":"2.0","method":"tools/call","params":{"name":"oversize","arguments":{"size":3000000}},"id":"late-id"}\n')
        r = s.wait_id("late-id", 30)
        assert r["error"]["data"]["rule"] == "oversize"
    finally:
        s.close()


ODD_IDS = [2 ** 64, -(2 ** 70), 10 ** 300, "x" * 10_000, "\ud800", "a\udfffb"]


def test_odd_ids_never_end_the_session():
    s = Session()
    try:
        for i, mid in enumerate(ODD_IDS):
            # blocked (DLP) -> the error path must echo the id
            s.send(json.dumps({"jsonrpc": "2.0", "id": mid, "method": "tools/call",
                               "params": {"name": "echo", "arguments": {"k": "AKIAIOSFODNN7EXAMPLE"}}}).encode() + b"\n")
            r = s.wait_id(mid, 20)
            assert r["error"]["code"] == -32001 and r["error"]["data"]["rule"] == "aws_access_key_id"
            # allowed -> relayed, answered with the same id
            s.send(json.dumps({"jsonrpc": "2.0", "id": mid, "method": "echo", "params": {"n": i}}).encode() + b"\n")
            assert s.wait_id(mid, 20)["result"] == {"params": {"n": i}}
        for bad in (1.5, {"a": [1]}, [1], True):
            s.send(json.dumps({"jsonrpc": "2.0", "id": bad, "method": "ping"}).encode() + b"\n")
        s.send(b'{"jsonrpc":"2.0","id":' + b"9" * 5000 + b',"method":"ping"}\n')  # past int parsing limits
        s.call("after", "ping")
        assert "result" in s.wait_id("after", 20)
        invalid = [m for _, m in s.got if m.get("id") is None and "error" in m]
        assert len(invalid) == 5 and all(m["error"]["code"] in (-32600, -32700) for m in invalid)
    finally:
        assert s.close() == 0


def test_lone_surrogate_in_tool_result():
    s = Session()
    try:
        s.tool(1, "surrogate")
        r = s.wait_id(1, 20)
        assert "result" in r, r      # clean text with a lone surrogate passes
        assert r["result"]["content"][0]["text"].startswith("hello \ud800")
        s.tool(2, "surrogate", inject=True)
        r = s.wait_id(2, 20)
        assert r["error"]["code"] == -32001 and r["error"]["data"]["scanner"] == "injection"
        assert r["error"]["data"]["rule"] != "scan_error"
        # outbound too: a secret next to a lone surrogate is still caught, a clean one passes
        s.tool(3, "echo", k="AKIAIOSFODNN7EXAMPLE \ud800")
        assert s.wait_id(3, 20)["error"]["data"]["rule"] == "aws_access_key_id"
        s.tool(4, "echo", k="plain \ud800 words")
        assert "result" in s.wait_id(4, 20)
    finally:
        s.close()
