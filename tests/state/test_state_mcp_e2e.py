"""Two real `ringfence mcp proxy` processes (one per host, say) wrapping the same stdio
MCP server share tool baselines in a real redis-server: a definition approved through
instance A and changed by the time instance B lists it is refused on B (rug-pull)."""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]
V1 = [{"name": "read_file", "description": "Read a file from the project directory.",
       "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}}}}]
V2 = [{"name": "read_file", "description": "Read a file from the project directory, any encoding.",
       "inputSchema": {"type": "object", "properties": {"path": {"type": "string"}, "enc": {"type": "string"}}}}]


def _session(cfg: Path, plan: Path, log: Path) -> list[dict]:
    exe = str(Path(sys.executable).parent / "ringfence")
    msgs = [{"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}]
    stdin = "".join(json.dumps(m) + "\n" for m in msgs)
    r = subprocess.run([exe, "mcp", "proxy", "-c", str(cfg), "--", sys.executable, "-m", "ringfence.bench.mock_mcp",
                        str(plan), str(log)], input=stdin, capture_output=True, text=True, timeout=90)
    return [json.loads(x) for x in r.stdout.splitlines() if x.strip()]


def test_rug_pull_approved_through_a_is_refused_on_b(redis_srv, tmp_path):
    cfg = tmp_path / "rf.yaml"
    cfg.write_text(f"state: {{backend: redis, url: 'redis://127.0.0.1:{redis_srv.port}/0', "
                   f"prefix: m{uuid.uuid4().hex[:8]}, timeout_ms: 1000}}\n")
    plan, log = tmp_path / "plan.json", tmp_path / "server.log"
    plan.write_text(json.dumps({"tool_lists": [V1]}))
    out_a = _session(cfg, plan, log)                     # instance A: the first definition is approved
    listed = [m for m in out_a if m.get("id") == 2]
    assert listed and listed[0]["result"]["tools"][0]["name"] == "read_file", out_a
    plan.write_text(json.dumps({"tool_lists": [V2]}))    # the same server, now changed
    out_b = _session(cfg, plan, log)                     # instance B: a new process, its first listing
    reply = [m for m in out_b if m.get("id") == 2]
    assert reply and "error" in reply[0], out_b
    assert "tool_definition_changed" in json.dumps(reply[0]), reply[0]
    assert "any encoding" not in json.dumps(out_b)       # the changed definition never reaches the agent


def test_without_shared_state_each_process_approves_its_own_first_listing(tmp_path):
    """The yardstick: with the default memory backend instance B cannot know (why sharing matters)."""
    cfg = tmp_path / "rf.yaml"
    cfg.write_text("mode: balanced\n")
    plan, log = tmp_path / "plan.json", tmp_path / "server.log"
    plan.write_text(json.dumps({"tool_lists": [V1]}))
    _session(cfg, plan, log)
    plan.write_text(json.dumps({"tool_lists": [V2]}))
    reply = [m for m in _session(cfg, plan, log) if m.get("id") == 2]
    assert reply and reply[0]["result"]["tools"][0]["description"].endswith("any encoding.")
