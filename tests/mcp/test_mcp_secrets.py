"""Secrets at the boundary for MCP: the client's config holds only a placeholder.
Streamable HTTP: the upstream (which checks its Authorization) gets the real value,
from the client's placeholder header or from the config's inject target; stdio: the
server's environment gets the real value. Echoes are scrubbed, egress rules apply
(by method, and per MCP client name)."""
from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import anyio
import httpx
import pytest

from conftest import PY, SDK_SERVER, free_port, ringfence_cmd, start, stop, wait_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from secrets_upstream import Upstream  # noqa: E402

pytestmark = pytest.mark.timeout(180)

REAL = "Mcp-Real-Key-93kdQ7vLx2Pz"
PH = "rf-secret://mcpkey"


@pytest.fixture(scope="module")
def upstream():
    up = Upstream(REAL).start()
    yield up
    up.stop()


def _secret_file(tmp_path) -> str:
    f = tmp_path / "mcp.key"
    f.write_text(REAL + "\n")
    f.chmod(0o600)
    return str(f)


def _config(tmp_path, extra: str = "", inject: bool = False) -> str:
    cfg = tmp_path / "rf.yaml"
    inj = "    inject: {header: Authorization, format: 'Bearer {}'}\n" if inject else ""
    cfg.write_text(f"secrets:\n  mcpkey:\n    value_from: {{file: {_secret_file(tmp_path)}}}\n"
                   f"    hosts: [127.0.0.1]\n{inj}" + extra)
    return str(cfg)


def _http_client(url: str, headers: dict):
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client
    return Client(streamable_http_client(url, http_client=create_mcp_http_client(headers=headers)), mode="legacy")


async def _whoami(c) -> str:
    assert "whoami" in {t.name for t in (await c.list_tools()).tools}
    return (await c.call_tool("whoami", {})).content[0].text


def test_http_reverse_proxy_swaps_the_clients_placeholder(tmp_path, upstream):
    port = free_port()
    n = len(upstream.log)
    p = start(ringfence_cmd("mcp", "proxy", "-c", _config(tmp_path), "--upstream",
                            f"http://127.0.0.1:{upstream.http_port}/mcp", "--listen", f"127.0.0.1:{port}"))
    try:
        wait_port(port, proc=p)

        async def main():
            async with _http_client(f"http://127.0.0.1:{port}/mcp", {"Authorization": f"Bearer {PH}"}) as c:
                return await _whoami(c)
        text = anyio.run(main)
        assert text == f"server saw Bearer {PH}"  # the echo is scrubbed
        got = [e for e in upstream.log[n:] if e["path"] == "/mcp"]
        assert got and all(e["headers"].get("Authorization") == f"Bearer {REAL}" for e in got)
    finally:
        stop(p)


def test_http_upstream_auth_from_config_and_egress_rules(tmp_path, upstream):
    port = free_port()
    extra = textwrap.dedent("""\
        egress:
          rules:
            - {action: deny, methods: [DELETE], hosts: [127.0.0.1]}
            - {action: deny, methods: ["*"], hosts: ["*"], agents: [evil-client]}
        """)
    p = start(ringfence_cmd("mcp", "proxy", "-c", _config(tmp_path, extra, inject=True), "--upstream",
                            f"http://127.0.0.1:{upstream.http_port}/mcp", "--listen", f"127.0.0.1:{port}"))
    try:
        wait_port(port, proc=p)
        url = f"http://127.0.0.1:{port}/mcp"

        async def main():
            async with _http_client(url, {}) as c:  # the client holds nothing at all
                return await _whoami(c)
        assert anyio.run(main) == f"server saw Bearer {PH}"
        h = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
        with httpx.Client(timeout=30) as c:
            r = c.delete(url, headers={**h, "Mcp-Session-Id": "s-1"})
            assert r.status_code == 403
            data = r.json()["error"]["data"]
            assert (data["scanner"], data["rule"]) == ("egress", "denied")  # no receipts in this test: no id
            init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "evil-client", "version": "1"}}}
            r = c.post(url, json=init, headers=h)
            assert r.status_code == 403 and r.json()["error"]["data"]["rule"] == "denied"
            init["params"]["clientInfo"]["name"] = "good-client"
            assert c.post(url, json=init, headers=h).status_code == 200
    finally:
        stop(p)


def test_stdio_to_http_bridge_injects_from_config(tmp_path, upstream):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    params = StdioServerParameters(command=PY, args=[
        "-m", "ringfence", "mcp", "proxy", "-c", _config(tmp_path, inject=True),
        "--upstream", f"http://127.0.0.1:{upstream.http_port}/mcp"], env=dict(os.environ))

    async def main():
        async with Client(params, mode="legacy") as c:
            return await _whoami(c)
    assert anyio.run(main) == f"server saw Bearer {PH}"


SERVER = """
import os, sys
from mcp.server.mcpserver import MCPServer
server = MCPServer(name="env-reader")

@server.tool(description="Report the API key this server was given.")
def key() -> str:
    with open(sys.argv[1], "w") as f:
        f.write(os.environ.get("MY_API_KEY", "<unset>"))
    return "my key is " + os.environ.get("MY_API_KEY", "<unset>")

server.run()
"""


def test_stdio_server_environment_gets_the_real_value(tmp_path):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    script = tmp_path / "envserver.py"
    script.write_text(SERVER)
    seen = tmp_path / "seen.txt"
    # As an MCP client config would: env {MY_API_KEY: rf-secret://mcpkey}; never the real value.
    env = dict(os.environ, MY_API_KEY=PH)
    params = StdioServerParameters(command=PY, args=["-m", "ringfence", "mcp", "proxy", "-c", _config(tmp_path),
                                                     "--", PY, str(script), str(seen)], env=env)

    async def main():
        async with Client(params, mode="legacy") as c:
            return (await c.call_tool("key", {})).content[0].text
    text = anyio.run(main)
    assert seen.read_text() == REAL            # the server got the real value
    assert text == f"my key is {PH}"           # and its echo reached the client as the placeholder


def test_stdio_client_sending_the_real_value_is_refused(tmp_path):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    from mcp.shared.exceptions import MCPError
    params = StdioServerParameters(command=PY, args=["-m", "ringfence", "mcp", "proxy", "-c", _config(tmp_path),
                                                     "--", PY, SDK_SERVER, "clean"], env=dict(os.environ))

    async def main():
        async with Client(params, mode="legacy") as c:
            assert (await c.call_tool("echo", {"text": f"key {PH}"})).content[0].text == f"key {PH}"
            with pytest.raises(MCPError) as e:
                await c.call_tool("echo", {"text": f"key {REAL}"})
            return e.value.error
    err = anyio.run(main)
    assert err.code == -32001 and (err.data["scanner"], err.data["rule"]) == ("secrets", "real_value")
