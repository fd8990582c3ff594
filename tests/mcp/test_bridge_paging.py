"""tools/list pagination: a later page (request with a cursor) joins the approved
baseline; a tool that appears in a fresh, cursor-less list after approval is flagged."""
import json

from conftest import engine_or_skip

from ringfence.mcp.bridge import Guard
from ringfence.receipts import NullWriter


def _line(obj) -> bytes:
    return json.dumps(obj).encode() + b"\n"


def _tools(*names):
    return [{"name": n, "description": f"{n}: returns data.", "inputSchema": {"type": "object"}} for n in names]


def _list(g, rid, tools, cursor=None):
    params = {"cursor": cursor} if cursor else {}
    assert g.from_client(_line({"jsonrpc": "2.0", "id": rid, "method": "tools/list", "params": params})).to_server
    return g.from_server(_line({"jsonrpc": "2.0", "id": rid, "result": {"tools": tools}})).decision


def test_later_pages_join_the_baseline():
    g = Guard(engine_or_skip(), NullWriter(), "mcp_stdio")
    assert _list(g, 1, _tools("a", "b")).verdict == "allow"
    d = _list(g, 2, _tools("c", "d"), cursor="page-2")
    assert d.verdict == "allow" and not any(f.rule == "tool_added_after_approval" for f in d.findings)
    d = _list(g, 3, _tools("a", "b", "c", "d", "e"))
    assert any(f.rule == "tool_added_after_approval" for f in d.findings)
    assert not g.paged
