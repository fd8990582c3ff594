"""The path a new user takes: `ringfence init`, `ringfence wrap --client claude-code`, then
the official MCP SDK client starts each server exactly as the wrapped config says."""
import glob
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from procs import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVER = str(ROOT / "tests" / "fixtures" / "mcp_servers" / "server.py")
pytestmark = pytest.mark.timeout(180)


def _env(home):
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=os.path.expanduser("~/.cache"))
    return env


def test_init_wrap_then_sdk_client(tmp_path):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    from mcp.shared.exceptions import MCPError

    home, proj = tmp_path / "home", tmp_path / "proj"
    home.mkdir(), proj.mkdir()
    env = _env(home)
    r = subprocess.run([sys.executable, "-m", "ringfence", "init"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    port = free_port()
    remote = subprocess.Popen([sys.executable, SERVER, "clean", "--http", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cfg = proj / ".mcp.json"
        cfg.write_text(json.dumps({"mcpServers": {
            "clean": {"command": sys.executable, "args": [SERVER, "clean"]},
            "poisoned": {"command": sys.executable, "args": [SERVER, "poisoned"]},
            "remote": {"type": "http", "url": f"http://127.0.0.1:{port}/mcp"},
        }}, indent=2))
        r = subprocess.run([sys.executable, "-m", "ringfence", "wrap", "--client", "claude-code",
                            "--project", str(proj)], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        servers = json.loads(cfg.read_text())["mcpServers"]

        def client(name):
            s = servers[name]
            assert "mcp" in s["args"] and "proxy" in s["args"]
            return Client(StdioServerParameters(command=s["command"], args=s["args"], env=env))

        deadline = time.monotonic() + 60
        while True:  # the HTTP fixture takes a moment to listen
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and remote.poll() is None
                time.sleep(0.2)

        async def main():
            for name in ("clean", "remote"):
                async with client(name) as c:
                    assert (await c.call_tool("add", {"a": 2, "b": 3})).content[0].text == "5"
                    with pytest.raises(MCPError) as e:
                        await c.call_tool("echo", {"text": "key AKIAIOSFODNN7EXAMPLE here"})
                    assert e.value.error.code == -32001 and e.value.error.data["scanner"] == "dlp"
            async with client("poisoned") as c:
                with pytest.raises(MCPError) as e:
                    await c.list_tools()
                assert e.value.error.code == -32001
        anyio.run(main)
    finally:
        remote.terminate()
        remote.wait(10)
    # receipts were on by default (init made a key): signed evidence in ~/.ringfence/evidence
    files = glob.glob(str(home / ".ringfence" / "evidence" / "*.jsonl"))
    assert files
    r = subprocess.run([sys.executable, "-m", "ringfence", "verify", str(home / ".ringfence" / "evidence"),
                        "--key", str(home / ".ringfence" / "receipt.pub")], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "block" in r.stdout
