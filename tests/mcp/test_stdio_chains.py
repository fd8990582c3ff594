"""Chains through the real stdio proxy (`ringfence mcp proxy -- server`, official SDK on both
sides): a file holding secrets is read, then a tool whose name gives no hint of the network
but whose listed description says it uploads is refused; a local tool with a network-sounding
name, and the same upload after a harmless read, pass."""
import os

import anyio
import pytest

from conftest import FIXTURES, PY, engine_or_skip

pytestmark = pytest.mark.timeout(90)
SERVER = str(FIXTURES / "chain_server.py")


@pytest.fixture(scope="module", autouse=True)
def _engine():
    engine_or_skip()


def _client():
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    return Client(StdioServerParameters(command=PY, args=["-m", "ringfence", "mcp", "proxy", "--", PY, SERVER],
                                        env=dict(os.environ)))


async def _call(c, name, args):
    from mcp.shared.exceptions import MCPError
    try:
        return await c.call_tool(name, args)
    except MCPError as e:
        return e


def test_state_file_read_then_unhinted_upload_tool_is_refused(tmp_path):
    from mcp.shared.exceptions import MCPError
    state = tmp_path / "infra" / "terraform.tfstate"
    state.parent.mkdir()
    state.write_text('{"resources": [{"instances": [{"attributes": {"password": "hunter2-but-longer"}}]}]}')
    readme = tmp_path / "README.md"
    readme.write_text("# notes\n")

    async def main():
        async with _client() as c:  # sensitive read, then the upload tool: refused by the chain
            assert {"archive_summary", "fetch_logs"} <= {t.name for t in (await c.list_tools()).tools}
            r = await c.call_tool("read_text_file", {"path": str(state)})
            assert "resources" in r.content[0].text  # reading it alone is allowed
            r = await _call(c, "archive_summary", {"summary": "state attached"})
            assert isinstance(r, MCPError) and r.error.code == -32001
            assert r.error.data["scanner"] == "chain" and r.error.data["rule"] == "sensitive_exfiltration"
        async with _client() as c:  # the same read, then a local tool named like the network: passes
            await c.list_tools()
            await c.call_tool("read_text_file", {"path": str(state)})
            r = await c.call_tool("fetch_logs", {"service": "nginx"})
            assert r.content[0].text == "no recent lines for nginx"
        async with _client() as c:  # a harmless read, then the upload tool: passes
            await c.list_tools()
            await c.call_tool("read_text_file", {"path": str(readme)})
            r = await c.call_tool("archive_summary", {"summary": "notes"})
            assert r.content[0].text == "archived 5 characters"
    anyio.run(main)
