"""`ringfence wrap` / `unwrap` on real config files of each client, in a temp HOME."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(120)


def rf(home, *args, cwd=None):
    env = dict(os.environ, HOME=str(home), XDG_CACHE_HOME=os.path.expanduser("~/.cache"))
    env.pop("XDG_CONFIG_HOME", None)
    return subprocess.run([sys.executable, "-m", "ringfence", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=60)


STDIO = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": {"TOKEN_NAME": "x"}}


def _write(p: Path, data, text=None):
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text if text is not None else json.dumps(data, indent=2) + "\n")
    return p.read_bytes()


def _proxied(entry):
    args = entry["args"]
    i = args.index("mcp")
    assert args[i:i + 2] == ["mcp", "proxy"]
    return args[i + 2:]


@pytest.mark.parametrize("client,rel,key,remote_key", [
    ("claude-code", "P/.mcp.json", "mcpServers", "url"),
    ("claude-desktop", "H/.config/Claude/claude_desktop_config.json", "mcpServers", "url"),
    ("cursor", "H/.cursor/mcp.json", "mcpServers", "url"),
    ("cursor", "P/.cursor/mcp.json", "mcpServers", "url"),
    ("vscode", "P/.vscode/mcp.json", "servers", "url"),
    ("windsurf", "H/.codeium/windsurf/mcp_config.json", "mcpServers", "serverUrl"),
])
def test_wrap_unwrap_each_client(tmp_path, client, rel, key, remote_key):
    home, proj = tmp_path / "home", tmp_path / "proj"
    home.mkdir(), proj.mkdir()
    path = (home if rel.startswith("H/") else proj) / rel[2:]
    remote = {remote_key: "https://mcp.example.com/mcp"}
    if client == "vscode":
        remote["type"] = "http"
    original = _write(path, {key: {"mem": dict(STDIO, **({"type": "stdio"} if client == "vscode" else {})),
                                   "remote": remote}, "other": {"keep": True}})
    # dry run: a diff on stdout, the file untouched
    r = rf(home, "wrap", "--client", client, "--project", str(proj), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("---") and "+" in r.stdout and "mcp" in r.stdout
    assert path.read_bytes() == original
    r = rf(home, "wrap", "--client", client, "--project", str(proj))
    assert r.returncode == 0, r.stderr
    data = json.loads(path.read_text())
    servers = data[key]
    assert data["other"] == {"keep": True}
    mem = servers["mem"]
    assert _proxied(mem) == ["--env", "TOKEN_NAME", "--", "npx", "-y", "@modelcontextprotocol/server-memory"]
    assert os.path.isabs(mem["command"]) and mem["env"] == {"TOKEN_NAME": "x"}
    rem = servers["remote"]
    assert _proxied(rem) == ["--upstream", "https://mcp.example.com/mcp"]
    assert remote_key not in rem
    if client == "vscode":
        assert rem["type"] == "stdio" and mem["type"] == "stdio"
    # idempotent: a second wrap changes nothing
    wrapped = path.read_bytes()
    r = rf(home, "wrap", "--client", client, "--project", str(proj))
    assert r.returncode == 0 and "nothing to wrap" in r.stdout
    assert path.read_bytes() == wrapped
    # the backup holds the original bytes
    backups = list((home / ".ringfence" / "wrap").glob("*.orig"))
    assert [b.read_bytes() for b in backups] == [original]
    r = rf(home, "unwrap", "--client", client, "--project", str(proj))
    assert r.returncode == 0, r.stderr
    assert path.read_bytes() == original


def test_claude_code_user_config_projects_and_jsonc(tmp_path):
    home, proj = tmp_path / "home", tmp_path / "proj"
    home.mkdir(), proj.mkdir()
    user = home / ".claude.json"
    original = _write(user, {"numStartups": 3, "mcpServers": {"a": STDIO},
                             "projects": {str(proj): {"mcpServers": {"b": {"type": "http", "url": "http://127.0.0.1:9/mcp"}}},
                                          "/elsewhere": {"mcpServers": {"c": STDIO}}}})
    r = rf(home, "wrap", "--client", "claude-code", "--project", str(proj))
    assert r.returncode == 0, r.stderr
    d = json.loads(user.read_text())
    assert d["numStartups"] == 3
    assert _proxied(d["mcpServers"]["a"])[-3:] == ["npx", "-y", "@modelcontextprotocol/server-memory"]
    assert _proxied(d["projects"][str(proj)]["mcpServers"]["b"]) == ["--upstream", "http://127.0.0.1:9/mcp"]
    assert d["projects"]["/elsewhere"]["mcpServers"]["c"] == STDIO  # --project narrows the projects
    # the file is edited after wrap (the client adds a server): unwrap goes entry by entry
    d["mcpServers"]["new"] = {"command": "uvx", "args": ["x"]}
    user.write_text(json.dumps(d, indent=2) + "\n")
    r = rf(home, "unwrap", "--client", "claude-code", "--project", str(proj))
    assert r.returncode == 0, r.stderr
    d2 = json.loads(user.read_text())
    assert d2["mcpServers"] == {"a": STDIO, "new": {"command": "uvx", "args": ["x"]}}
    assert d2["projects"][str(proj)]["mcpServers"]["b"] == {"type": "http", "url": "http://127.0.0.1:9/mcp"}
    assert json.loads(original) == {**d2, "mcpServers": {"a": STDIO}}

    # VS Code's mcp.json may carry comments and trailing commas
    vs = proj / ".vscode" / "mcp.json"
    text = '{\n  // my servers\n  "servers": {\n    "m": {"type": "stdio", "command": "node", "args": ["s.js",],},\n  },\n}\n'
    original = _write(vs, None, text)
    assert rf(home, "wrap", "--client", "vscode", "--project", str(proj)).returncode == 0
    assert _proxied(json.loads(vs.read_text())["servers"]["m"])[-2:] == ["node", "s.js"]
    assert rf(home, "unwrap", "--client", "vscode", "--project", str(proj)).returncode == 0
    assert vs.read_bytes() == original


def test_generic_file_and_errors(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    f = tmp_path / "agent.json"
    original = _write(f, {"tools": {"mcp": {"s": STDIO}}})
    r = rf(home, "wrap", "--file", str(f), "--json-path", "tools.mcp")
    assert r.returncode == 0, r.stderr
    assert _proxied(json.loads(f.read_text())["tools"]["mcp"]["s"])[-1] == "@modelcontextprotocol/server-memory"
    assert rf(home, "unwrap", "--file", str(f), "--json-path", "tools.mcp").returncode == 0
    assert f.read_bytes() == original
    # nothing to find, a missing file, broken JSON: exit 2 with a message, no traceback
    r = rf(home, "wrap", "--client", "windsurf")
    assert r.returncode == 2 and "no MCP config of windsurf found" in r.stderr
    r = rf(home, "wrap", "--file", str(tmp_path / "nope.json"))
    assert r.returncode == 2 and "no such file" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = rf(home, "wrap", "--file", str(bad))
    assert r.returncode == 2 and "not valid JSON" in r.stderr and "Traceback" not in r.stderr
    assert bad.read_text() == "{not json"
