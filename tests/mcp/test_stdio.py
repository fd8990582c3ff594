"""`ringfence mcp proxy -- CMD`: the official SDK client and SDK/raw servers, real subprocesses."""
import base64
import glob
import json
import os
import subprocess
import time

import anyio
import pytest

from conftest import PY, RAW_SERVER, SDK_SERVER, engine_or_skip, ringfence_cmd

pytestmark = pytest.mark.timeout(90)


@pytest.fixture(scope="module", autouse=True)
def _engine():
    engine_or_skip()


def _client(variant, receipts=None, key=None, env=(), mode="legacy"):
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters
    args = ["-m", "ringfence", "mcp", "proxy"]
    if receipts:
        args += ["--receipts", receipts, "--signing-key", key]
    for e in env:
        args += ["--env", e]
    args += ["--", PY, SDK_SERVER, variant]
    environ = dict(os.environ, RF_TEST_SECRET="s3cr3t-value-not-for-the-server", RF_PASSED="yes")
    return Client(StdioServerParameters(command=PY, args=args, env=environ), mode=mode)


async def _call(c, name, args):
    from mcp.shared.exceptions import MCPError
    try:
        return await c.call_tool(name, args)
    except MCPError as e:
        return e


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_clean_and_blocked_calls(mode, tmp_path):
    from mcp.shared.exceptions import MCPError
    from ringfence.receipts import write_keypair
    key = str(tmp_path / "r.key")
    write_keypair(key)
    rdir = str(tmp_path / "receipts")

    async def main():
        async with _client("clean", rdir, key, env=["RF_PASSED"], mode=mode) as c:
            tools = await c.list_tools()
            assert {"add", "echo"} <= {t.name for t in tools.tools}
            r = await c.call_tool("add", {"a": 2, "b": 3})
            assert r.content[0].text == "5"
            r = await _call(c, "echo", {"text": "my key is AKIAIOSFODNN7EXAMPLE ok"})
            assert isinstance(r, MCPError) and r.error.code == -32001
            assert r.error.message.startswith("ringfence: blocked by dlp:")
            assert r.error.data["scanner"] == "dlp" and r.error.data["receipt_id"]
            # near miss: an AKIA-like word that is not a key passes
            r = await c.call_tool("echo", {"text": "AKIA is a prefix; see the docs"})
            assert r.content[0].text == "AKIA is a prefix; see the docs"
            names = (await c.call_tool("env_names", {})).content[0].text.split(",")
            assert "RF_PASSED" in names and "RF_TEST_SECRET" not in names and "PATH" in names
            res = await c.read_resource("note://hello")
            assert "meeting" in res.contents[0].text
    anyio.run(main)
    files = glob.glob(os.path.join(rdir, "**", "*.jsonl"), recursive=True)
    assert files, "receipts were written"
    records = [json.loads(l) for f in files for l in open(f) if l.strip()]
    acts = [r.get("action_record") or r.get("detail", {}).get("action_record") for r in records]
    acts = [a for a in acts if a]
    assert any(a["transport"] == "mcp_stdio" and a["verdict"] == "block" for a in acts)
    assert any(a["transport"] == "mcp_stdio" and a["verdict"] == "allow" and a["target"] == "add" for a in acts)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_poisoned_tools_list_blocked(mode):
    from mcp.shared.exceptions import MCPError

    async def main():
        async with _client("poisoned", mode=mode) as c:
            with pytest.raises(MCPError) as e:
                await c.list_tools()
            assert e.value.error.code == -32001
            assert e.value.error.data["scanner"] in ("tool_poison", "injection")
            assert "meeting" in (await c.read_resource("note://hello")).contents[0].text  # session still works
    anyio.run(main)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_rug_pull_blocked(mode):
    from mcp.shared.exceptions import MCPError

    async def main():
        async with _client("rugpull", mode=mode) as c:
            first = await c.list_tools()
            assert "weather" in {t.name for t in first.tools}
            assert (await c.call_tool("weather", {"city": "Oslo"})).content[0].text == "Sunny in Oslo"
            await c.call_tool("refresh", {})
            with pytest.raises(MCPError) as e:
                await c.list_tools()
            assert e.value.error.code == -32001
    anyio.run(main)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_injected_results_blocked(mode):
    from mcp.shared.exceptions import MCPError

    async def main():
        async with _client("inject", mode=mode) as c:
            r = await _call(c, "fetch_page", {"url": "https://docs.example.com"})
            assert isinstance(r, MCPError) and r.error.code == -32001
            with pytest.raises(MCPError):
                await c.read_resource("note://evil")
            with pytest.raises(MCPError):
                await c.get_prompt("summarize")
            ok = await c.read_resource("note://hello")
            assert "meeting" in ok.contents[0].text
    anyio.run(main)


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
def test_server_dies_mid_call(mode):
    from mcp.shared.exceptions import MCPError

    async def main():
        async with _client("clean", mode=mode) as c:
            await c.list_tools()
            with pytest.raises(MCPError) as e:
                await c.call_tool("crash", {})
            assert e.value.error.code == -32002 and e.value.error.data["rule"] == "server_exited"
    t = time.monotonic()
    anyio.run(main)
    assert time.monotonic() - t < 30


# -- raw byte-level tests ------------------------------------------------------

def _raw(lines: list[bytes], extra_args=(), timeout=20):
    p = subprocess.run(ringfence_cmd("mcp", "proxy", *extra_args, "--", PY, RAW_SERVER),
                       input=b"".join(lines), capture_output=True, timeout=timeout)
    out = [json.loads(l) for l in p.stdout.splitlines() if l.strip()]
    return p, out


def test_bytes_forwarded_unchanged_and_exit_code():
    line = b'{"jsonrpc":"2.0",  "id":1,"method":"echo_raw","params":{"x":"\\u00e9 caf\xc3\xa9", "n":1.50}}\r\n'
    slow = b'{"jsonrpc":"2.0","id":"s","method":"slow"}\n'
    p, out = _raw([line, slow])
    by_id = {m["id"]: m for m in out}
    assert base64.b64decode(by_id[1]["result"]["raw_b64"]) == line
    assert by_id["s"]["result"] == {"slow": True}   # delivered after the client closed stdin
    assert p.returncode == 7


def test_bad_client_input_gets_clear_errors():
    lines = [
        b"this is not json\n",
        b'{"jsonrpc":"2.0","id":2,"method":"tools/call","method":"x"}\n',
        b'[{"jsonrpc":"2.0","id":3,"method":"ping"},{"jsonrpc":"2.0","id":4,"method":"ping"}]\n',
        b'{"jsonrpc":"2.0","id":5,"method":"ping","params":{"pad":"' + b"a" * 3000 + b'"}}\n',
        b'{"jsonrpc":"2.0","id":6,"method":"ping"}\n',
        b'{"jsonrpc":"2.0","id":6,"result":{}}\n',   # a response to a request the server never made
    ]
    cfg_args = ["--config", _small_config()]
    p, out = _raw(lines, cfg_args)
    flat = [m for x in out for m in (x if isinstance(x, list) else [x])]
    errors = [m for m in flat if "error" in m]
    rules = [m["error"].get("data", {}).get("rule") for m in errors]
    assert "invalid_json" in rules and "duplicate_key" in rules and "batch_unsupported" in rules
    assert "oversize" in rules
    assert {m["id"] for m in flat if "error" in m and m["error"]["data"]["rule"] == "batch_unsupported"} == {3, 4}
    assert any(m.get("id") == 6 and "result" in m for m in flat)   # the valid one still works
    assert p.returncode == 7


_cfg_path = None


def _small_config():
    global _cfg_path
    if _cfg_path is None:
        import tempfile
        fd, _cfg_path = tempfile.mkstemp(suffix=".yaml")
        os.write(fd, b"mcp:\n  max_message_bytes: 2048\n")
        os.close(fd)
    return _cfg_path


def test_server_garbage_and_unsolicited_ids_dropped():
    p, out = _raw([b'{"jsonrpc":"2.0","id":9,"method":"garbage"}\n', b'{"jsonrpc":"2.0","id":10,"method":"ping"}\n'])
    assert [m["id"] for m in out] == [9, 10]
    # The duplicate-key answer to 9 is refused, and 9 gets that error at once (not
    # silence); the server's second answer to 9 is then unsolicited and dropped.
    assert out[0]["error"]["code"] == -32001 and out[0]["error"]["data"]["rule"] == "duplicate_key"
    assert all(isinstance(m, dict) for m in out)


def test_injected_notification_dropped_clean_one_passes():
    p, out = _raw([b'{"jsonrpc":"2.0","id":1,"method":"poison_notify"}\n'])
    notes = [m for m in out if m.get("method") == "notifications/message"]
    assert [n["params"]["data"] for n in notes] == ["indexing done"]
    assert any(m.get("id") == 1 for m in out)


def test_server_dies_pending_requests_answered():
    p, out = _raw([b'{"jsonrpc":"2.0","id":"a","method":"slow"}\n', b'{"jsonrpc":"2.0","id":"b","method":"die"}\n'])
    ids = {m["id"]: m for m in out}
    assert ids["b"]["error"]["data"]["rule"] == "server_exited"
    assert "a" in ids     # answered either way: result or error, never silence
    assert p.returncode == 5


def test_env_reduced_and_cli_errors():
    env = dict(os.environ, RF_SECRET_TOKEN="x" * 20)
    p = subprocess.run(ringfence_cmd("mcp", "proxy", "--", PY, RAW_SERVER),
                       input=b'{"jsonrpc":"2.0","id":1,"method":"env"}\n', capture_output=True, timeout=20, env=env)
    names = json.loads(p.stdout.splitlines()[0])["result"]["names"]
    assert "RF_SECRET_TOKEN" not in names and "PATH" in names
    for bad in (["mcp", "proxy"], ["mcp", "proxy", "--listen", "127.0.0.1:1"],
                ["mcp", "proxy", "--upstream", "ftp://x", "--listen", "1"],
                ["mcp", "proxy", "--upstream", "http://127.0.0.1:1/mcp", "--", "true"]):
        r = subprocess.run(ringfence_cmd(*bad), capture_output=True, timeout=20)
        assert r.returncode == 2 and b"Traceback" not in r.stderr
    r = subprocess.run(ringfence_cmd("mcp", "proxy", "--", "/nonexistent/server"), capture_output=True, timeout=20,
                       input=b"")
    assert r.returncode == 127 and b"Traceback" not in r.stderr
