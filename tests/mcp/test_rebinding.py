"""The Streamable HTTP proxy refuses a foreign Host (421) or Origin (403): DNS rebinding
cannot reach a loopback MCP server through ringfence. Real proxy and SDK server processes."""
import json
from pathlib import Path
import os
import subprocess
import sys

import httpx
import pytest

from conftest import PY, SDK_SERVER, free_port, ringfence_cmd, start, wait_port

pytestmark = pytest.mark.timeout(300)
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
H = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def upstream():
    port = free_port()
    p = start([PY, SDK_SERVER, "clean", "--http", str(port)])
    wait_port(port, 60, p)
    yield f"http://127.0.0.1:{port}/mcp"
    p.terminate()
    p.wait(10)


def _proxy(upstream, tmp_path, config=""):
    port = free_port()
    args = ["mcp", "proxy", "--no-receipts", "--upstream", upstream, "--listen", f"127.0.0.1:{port}"]
    if config:
        cfg = tmp_path / "c.yaml"
        cfg.write_text(config)
        args += ["--config", str(cfg)]
    p = start(ringfence_cmd(*args), env={"HOME": str(tmp_path), "XDG_CACHE_HOME": os.path.expanduser("~/.cache")})
    wait_port(port, 60, p)
    return p, port


def _post(port, headers):
    return httpx.post(f"http://127.0.0.1:{port}/mcp", json=INIT, headers={**H, **headers}, timeout=30)


def test_default_loopback_only(upstream, tmp_path):
    p, port = _proxy(upstream, tmp_path)
    try:
        assert _post(port, {}).status_code == 200
        assert _post(port, {"Host": f"localhost:{port}", "Origin": f"http://localhost:{port}"}).status_code == 200
        r = _post(port, {"Host": f"attacker.example:{port}"})
        assert r.status_code == 421 and r.headers["content-type"].startswith("application/json")
        assert "Host not allowed" in r.json()["error"]["message"]
        r = _post(port, {"Origin": "http://attacker.example"})
        assert r.status_code == 403 and "Origin not allowed" in r.json()["error"]["message"]
        r = httpx.get(f"http://127.0.0.1:{port}/mcp", headers={"Host": "rebound.example"}, timeout=30)
        assert r.status_code == 421
    finally:
        p.terminate()
        p.wait(10)


def test_configured_allowlists(upstream, tmp_path):
    p, port = _proxy(upstream, tmp_path, "mcp:\n  allowed_hosts: [mcp.internal]\n"
                                         "  allowed_origins: ['https://app.example']\n")
    try:
        assert _post(port, {"Host": "mcp.internal", "Origin": "https://app.example"}).status_code == 200
        assert _post(port, {"Host": "localhost"}).status_code == 421
        assert _post(port, {"Host": "mcp.internal", "Origin": "http://localhost"}).status_code == 403
    finally:
        p.terminate()
        p.wait(10)


def test_guard_unit():
    from ringfence.mcp.rebinding import HostOriginGuard
    g = HostOriginGuard()
    assert g.check("127.0.0.1:3000", "") is None
    assert g.check("[::1]:3000", "http://[::1]:3000") is None
    assert g.check("localhost.attacker.example", "")[0] == 421
    assert g.check("", "")[0] == 421
    assert g.check("localhost", "null")[0] == 403
    assert g.check("localhost", "http://127.0.0.1.nip.io")[0] == 403


NOSEC_SERVER = r"""
import sys, anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
server = MCPServer(name="unprotected")

@server.tool(description="Add two integers.")
def add(a: int, b: int) -> int:
    return a + b

anyio.run(lambda: server.run_streamable_http_async(host="127.0.0.1", port=int(sys.argv[1]),
    transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False)))
"""


def _conformance(url):
    NODE_DIR = Path(__file__).resolve().parents[1] / "node"  # (not `from conftest`: xdist may hold another)
    cli = NODE_DIR / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
    if not cli.exists():
        pytest.skip("the MCP conformance suite is not installed (tests/node: npm ci)")
    r = subprocess.run(["node", str(cli), "server", "--url", url, "--scenario", "dns-rebinding-protection"],
                       capture_output=True, text=True, timeout=240)
    out = r.stdout + r.stderr
    return {check: ("SUCCESS" if "SUCCESS" in line else "FAILURE")
            for line in out.splitlines()
            for check in ("localhost-host-rebinding-rejected", "localhost-host-valid-accepted")
            if f"[{check}" in line}, out


def test_conformance_dns_rebinding_passes_through_ringfence_when_the_server_fails_it(tmp_path):
    srv = tmp_path / "nosec.py"
    srv.write_text(NOSEC_SERVER)
    port = free_port()
    server = start([PY, str(srv), str(port)])
    try:
        wait_port(port, 60, server)
        direct, out = _conformance(f"http://127.0.0.1:{port}/mcp")
        # the unprotected server fails the scenario by itself
        assert direct.get("localhost-host-rebinding-rejected") == "FAILURE", out
        p, rport = _proxy(f"http://127.0.0.1:{port}/mcp", tmp_path)
        try:
            checks, out = _conformance(f"http://127.0.0.1:{rport}/mcp")
            assert checks == {"localhost-host-rebinding-rejected": "SUCCESS",
                              "localhost-host-valid-accepted": "SUCCESS"}, out
        finally:
            p.terminate()
            p.wait(10)
    finally:
        server.terminate()
        server.wait(10)
