"""Streamable HTTP: reverse proxy and stdio-to-HTTP bridge, SDK servers and clients;
the npm reference server and the MCP conformance suite through the proxy."""
import os
import re
import shutil
import subprocess

import anyio
import pytest

from conftest import NODE_DIR, PY, SDK_SERVER, engine_or_skip, free_port, ringfence_cmd, start, stop, wait_port

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module", autouse=True)
def _engine():
    engine_or_skip()


@pytest.fixture
def rugpull_server():
    port = free_port()
    p = start([PY, SDK_SERVER, "rugpull", "--http", str(port)])
    wait_port(port, proc=p)
    yield f"http://127.0.0.1:{port}/mcp"
    stop(p)


@pytest.fixture
def http_proxy(rugpull_server):
    port = free_port()
    p = start(ringfence_cmd("mcp", "proxy", "--upstream", rugpull_server, "--listen", f"127.0.0.1:{port}"))
    wait_port(port, proc=p)
    yield f"http://127.0.0.1:{port}/mcp"
    stop(p)


async def _scenario(target, mode):
    from mcp import Client
    from mcp.shared.exceptions import MCPError
    async with Client(target, mode=mode) as c:
        assert "weather" in {t.name for t in (await c.list_tools()).tools}
        assert (await c.call_tool("add", {"a": 2, "b": 2})).content[0].text == "4"
        with pytest.raises(MCPError) as e:
            await c.call_tool("echo", {"text": "token AKIAIOSFODNN7EXAMPLE"})
        assert e.value.error.code == -32001 and e.value.error.data["scanner"] == "dlp"
        assert (await c.call_tool("echo", {"text": "plain words"})).content[0].text == "plain words"
        await c.call_tool("refresh", {})
        with pytest.raises(MCPError):
            await c.list_tools()


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_reverse_proxy(http_proxy, mode):
    anyio.run(_scenario, http_proxy, mode)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_stdio_to_http_bridge(rugpull_server, mode):
    from mcp.client.stdio import StdioServerParameters
    params = StdioServerParameters(command=PY, args=["-m", "ringfence", "mcp", "proxy", "--upstream", rugpull_server],
                                   env=dict(os.environ))
    anyio.run(_scenario, params, mode)


def test_bad_posts_get_jsonrpc_errors(http_proxy):
    import httpx
    h = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    with httpx.Client(timeout=10) as c:
        r = c.post(http_proxy, content=b'{"jsonrpc":"2.0","id":1,"method":"initialize","method":"x"}', headers=h)
        assert r.json()["error"]["data"]["rule"] == "duplicate_key"
        r = c.post(http_proxy, content=b"\xff\x00garbage", headers=h)
        assert r.json()["error"]["code"] == -32700
        r = c.post(http_proxy, content=b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]', headers=h)
        assert r.json()[0]["error"]["data"]["rule"] == "batch_unsupported"


def _npm_ready():
    if not (NODE_DIR / "node_modules" / ".bin" / "mcp-server-everything").exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed")
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, timeout=300)
        if r.returncode != 0:
            pytest.skip("tests/node/node_modules missing and `npm ci` failed (offline?)")


def test_npm_everything_server_over_stdio():
    _npm_ready()
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    from mcp.shared.exceptions import MCPError
    server = str(NODE_DIR / "node_modules" / ".bin" / "mcp-server-everything")

    async def main():
        params = StdioServerParameters(command=PY, args=["-m", "ringfence", "mcp", "proxy", "--", server, "stdio"],
                                       env=dict(os.environ))
        async with Client(params, mode="legacy") as c:
            names = {t.name for t in (await c.list_tools()).tools}
            assert "echo" in names
            r = await c.call_tool("echo", {"message": "hello through ringfence"})
            assert "hello through ringfence" in r.content[0].text
            with pytest.raises(MCPError):
                await c.call_tool("echo", {"message": "AKIAIOSFODNN7EXAMPLE"})
    anyio.run(main)


def _conformance(url: str) -> set[str]:
    r = subprocess.run([str(NODE_DIR / "node_modules" / ".bin" / "conformance"), "server", "--url", url],
                       capture_output=True, timeout=300, cwd="/tmp")
    text = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    return set(re.findall(r"✓ ([\w-]+):", text))


def test_conformance_same_through_proxy():
    _npm_ready()
    up = free_port()
    srv = start([str(NODE_DIR / "node_modules" / ".bin" / "mcp-server-everything"), "streamableHttp"],
                env={"PORT": str(up)})
    try:
        wait_port(up, proc=srv)
        direct = _conformance(f"http://127.0.0.1:{up}/mcp")
        port = free_port()
        px = start(ringfence_cmd("mcp", "proxy", "--upstream", f"http://127.0.0.1:{up}/mcp",
                                 "--listen", f"127.0.0.1:{port}"))
        try:
            wait_port(port, proc=px)
            proxied = _conformance(f"http://127.0.0.1:{port}/mcp")
        finally:
            stop(px)
    finally:
        stop(srv)
    assert len(direct) >= 10
    assert direct <= proxied, f"lost through the proxy: {sorted(direct - proxied)}"
