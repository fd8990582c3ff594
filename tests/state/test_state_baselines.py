"""Rug-pull baselines shared through Redis / NATS: approved on instance A, detected on B
(the MCP tools scanner of two separate engines, as two `ringfence mcp proxy` processes)."""
from __future__ import annotations

import pytest

from rfengines import state_config
from ringfence.config import Config
from ringfence.engine import Engine

V1 = [{"name": "read_file", "description": "Read a file from the project directory.",
       "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}}}]
V2 = [{"name": "read_file", "description": "Read a file from the project directory, any encoding.",
       "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}, "enc": {"type": "string"}}}}]


@pytest.mark.parametrize("kind", ["redis", "nats"])
def test_rug_pull_approved_on_a_is_detected_on_b(kind, request):
    srv = request.getfixturevalue(f"{kind}_srv")
    st = state_config(kind, srv.port)
    cfg = Config().model_copy(update={"state": st})
    a, b = Engine(cfg).tools, Engine(cfg).tools
    sa, sb = a.new_session("fs-server"), b.new_session("fs-server")
    assert a.scan_tools_list(V1, sa) == []                      # A approves the first definition
    fb = b.scan_tools_list(V2, sb)                              # B's first listing is already changed
    assert [(f.scanner, f.rule, f.action) for f in fb] == [("rug_pull", "tool_definition_changed", "block")]
    assert b.scan_tools_list(V1, b.new_session("fs-server")) == []   # the approved one passes on B
    other = b.new_session("another-server")                     # baselines are per server
    assert b.scan_tools_list(V2, other) == []


def test_unreachable_backend_blocks_tools_list(request):
    import rfengines
    from ringfence.config.state import StateConfig
    st = StateConfig(backend="redis", url=f"redis://127.0.0.1:{rfengines.free_port()}/0",
                     prefix="x" + request.node.name[:20].replace("[", "_").replace("]", "_"), timeout_ms=200)
    t = Engine(Config().model_copy(update={"state": st})).tools
    f = t.scan_tools_list(V1, t.new_session("s"))
    assert [(x.scanner, x.rule, x.action) for x in f] == [("state", "unavailable", "block")]
