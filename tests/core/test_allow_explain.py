"""`ringfence explain` and `ringfence allow` from a real receipt, a live reload of the
running proxy, expiry, and a tool-scoped exemption in the MCP relay."""
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from procs import free_port

pytestmark = pytest.mark.timeout(240)
ROOT = Path(__file__).resolve().parents[2]
SERVER = str(ROOT / "tests" / "fixtures" / "mcp_servers" / "server.py")


class _H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *a):
        pass


def _get(port, url):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{port}"}))
    try:
        r = opener.open(url, timeout=30)
        return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_explain_then_allow_reloads_live_and_is_receipted(tmp_path):
    home = tmp_path / "h"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=os.path.expanduser("~/.cache"))

    def rf(*a):
        return subprocess.run([sys.executable, "-m", "ringfence", *a], env=env, capture_output=True, text=True,
                              timeout=90)
    assert rf("init").returncode == 0
    up = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _H)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    upp, port = up.server_address[1], free_port()
    proxy = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}",
                              "--resolve", f"app.test:{upp}:127.0.0.1", "--resolve", f"other.test:{upp}:127.0.0.1"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "listening" in proxy.stdout.readline()
        url = f"http://app.test:{upp}/?k=AKIAIOSFODNN7EXAMPLE"
        code, body = _get(port, url)
        assert code == 403
        rid = body["receipt_id"]
        r = rf("explain", rid, "--json")
        assert r.returncode == 0, r.stderr
        ex = json.loads(r.stdout)
        assert ex["verdict"] == "block" and ex["rule"] == "dlp:aws_access_key_id"
        assert ex["transport"] == "forward" and "app.test" in ex["target"] and "AKIAIOSFODNN7EXAMPLE" not in r.stdout
        assert "secret" in ex["why"]
        assert ex["allow_would_add"]["domains"] == ["app.test"]
        r = rf("explain", rid)
        assert "dlp:aws_access_key_id" in r.stdout and "would exempt" in r.stdout
        # dry run changes nothing; a bad duration is a usage error
        cfg = home / ".ringfence" / "config.yaml"
        before = cfg.read_text()
        assert rf("allow", rid, "--dry-run").returncode == 0 and cfg.read_text() == before
        assert rf("allow", rid, "--for", "10y").returncode == 2
        r = rf("allow", rid, "--for", "1h", "--json")
        assert r.returncode == 0, r.stderr
        added = json.loads(r.stdout)
        assert added["exemption"]["domains"] == ["app.test"] and added["receipt_id"]
        assert before.splitlines()[0] in cfg.read_text()  # comments kept
        from ringfence.config import load_config
        exs = load_config(cfg).exemptions
        assert len(exs) == 1 and exs[0].rule == "dlp:aws_access_key_id" and exs[0].active()
        # the running proxy picks it up: the same request now passes, only on that host
        deadline = time.monotonic() + 60
        while _get(port, url)[0] != 200:
            assert time.monotonic() < deadline, "config was not reloaded"
            time.sleep(0.3)
        assert _get(port, f"http://other.test:{upp}/?k=AKIAIOSFODNN7EXAMPLE")[0] == 403
        # the allow itself has a receipt
        r = rf("explain", added["receipt_id"], "--json")
        assert json.loads(r.stdout)["transport"] == "cli"
        # unknown receipt: exit 1, JSON says so
        r = rf("explain", "01234567-89ab-7def-8123-456789abcdef", "--json")
        assert r.returncode == 1 and json.loads(r.stdout)["found"] is False
    finally:
        proxy.terminate()
        proxy.wait(30)
        up.shutdown()


def test_expired_exemption_is_ignored_and_bad_expiry_rejected():
    from ringfence.config import ConfigError
    from ringfence.config.load import load_config_text
    from ringfence.engine import Engine
    url = "https://app.test/?k=AKIAIOSFODNN7EXAMPLE"
    live = load_config_text('exemptions:\n  - {rule: "dlp:aws_access_key_id", domains: ["app.test"], '
                            'expires: "2999-01-01T00:00:00Z"}\n')
    gone = load_config_text('exemptions:\n  - {rule: "dlp:aws_access_key_id", domains: ["app.test"], '
                            'expires: "2000-01-01T00:00:00Z"}\n')
    assert Engine(live).check_url(url, resolve=False)[0].verdict == "allow"
    assert Engine(gone).check_url(url, resolve=False)[0].verdict == "block"
    with pytest.raises(ConfigError, match="expires"):
        load_config_text('exemptions:\n  - {rule: "dlp:jwt", expires: "tomorrow"}\n')


def test_allow_from_an_mcp_receipt_is_tool_scoped_and_live(tmp_path):
    """Blocked tool call -> `ringfence allow` (scope tool by default) -> the same running
    session now passes that tool's call, and only that tool's."""
    import anyio
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    from mcp.shared.exceptions import MCPError
    cfg = tmp_path / "c.yaml"
    cfg.write_text("# my config\nmode: balanced\n")
    key, ev = tmp_path / "k.key", tmp_path / "ev"
    env = dict(os.environ, HOME=str(tmp_path), XDG_CACHE_HOME=os.path.expanduser("~/.cache"))
    subprocess.run([sys.executable, "-m", "ringfence", "keygen", "--out", str(key)], env=env, check=True,
                   capture_output=True, timeout=60)
    params = StdioServerParameters(command=sys.executable, env=env, args=[
        "-m", "ringfence", "mcp", "proxy", "--config", str(cfg), "--receipts", str(ev), "--signing-key", str(key),
        "--", sys.executable, SERVER, "clean"])

    async def main():
        async with Client(params) as c:
            with pytest.raises(MCPError) as e:
                await c.call_tool("echo", {"text": "AKIAIOSFODNN7EXAMPLE"})
            rid = e.value.error.data["receipt_id"]
            r = await anyio.to_thread.run_sync(lambda: subprocess.run(
                [sys.executable, "-m", "ringfence", "allow", rid, "--config", str(cfg), "--receipts", str(ev),
                 "--json"], env=env, capture_output=True, text=True, timeout=90))
            assert r.returncode == 0, r.stderr
            assert json.loads(r.stdout)["exemption"]["tools"] == ["echo"]
            deadline = time.monotonic() + 30
            while True:
                try:
                    r = await c.call_tool("echo", {"text": "AKIAIOSFODNN7EXAMPLE"})
                    break
                except MCPError:
                    assert time.monotonic() < deadline, "exemption not picked up"
                    await anyio.sleep(0.5)
            assert r.content[0].text == "AKIAIOSFODNN7EXAMPLE"
            with pytest.raises(MCPError):  # another tool: still blocked
                await c.call_tool("env_names", {"x": "AKIAIOSFODNN7EXAMPLE"})
    anyio.run(main)
