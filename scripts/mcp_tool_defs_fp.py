"""Real tool definitions through the tool scanner: blocks per tool definition.

Starts every MCP server found under NODE_MODULES (npm: @modelcontextprotocol/server-*,
@playwright/mcp, @notionhq/notion-mcp-server) and PY_BIN (PyPI mcp-server-git, -fetch,
-time) over stdio, lists its tools, scans each definition alone, and prints the blocks.
`--save FILE` writes the listings (tests/scanners/data/real_mcp_tools.json came from it).

  npm install --prefix /tmp/mcpfp @modelcontextprotocol/server-filesystem ...
  python -m venv /tmp/mcpfp/py && /tmp/mcpfp/py/bin/pip install mcp-server-git ...
  .venv/bin/python scripts/mcp_tool_defs_fp.py /tmp/mcpfp/node_modules /tmp/mcpfp/py/bin
"""
import json, os, subprocess, sys, select, time, glob, collections
from ringfence.config import Config
from ringfence.engine import Engine

def tools_of(cmd, env=None):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env={**os.environ, **(env or {})}, text=True)
    def send(m): p.stdin.write(json.dumps(m) + "\n"); p.stdin.flush()
    def recv(want, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            r, _, _ = select.select([p.stdout], [], [], 1)
            if r:
                line = p.stdout.readline()
                if not line: return None
                try: m = json.loads(line)
                except ValueError: continue
                if m.get("id") == want: return m
        return None
    try:
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
              "capabilities": {}, "clientInfo": {"name": "fp", "version": "0"}}})
        if recv(1) is None: return None
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        tools, cursor, i = [], None, 2
        while True:
            send({"jsonrpc": "2.0", "id": i, "method": "tools/list", "params": {"cursor": cursor} if cursor else {}})
            m = recv(i)
            if not m or "result" not in m: break
            tools += m["result"].get("tools", [])
            cursor = m["result"].get("nextCursor"); i += 1
            if not cursor: break
        return tools
    finally:
        p.kill()

def servers(nm, py):
    for pkg in sorted(glob.glob(nm + "/@modelcontextprotocol/server-*") + glob.glob(nm + "/@playwright/mcp")
                      + glob.glob(nm + "/@notionhq/notion-mcp-server") + glob.glob(nm + "/@heroku/mcp-server")
                      ):
        pj = json.load(open(pkg + "/package.json"))
        b = pj.get("bin")
        b = b if isinstance(b, str) else (list(b.values())[0] if b else None)
        if not b: continue
        args = ["node", os.path.join(pkg, b)]
        name = pj["name"]
        if name.endswith("filesystem"): args.append("/tmp")
        if name.endswith("everything"): args.append("stdio")
        if name.endswith("postgres"): args.append("postgresql://localhost/x")
        yield name, args
    py = py.rstrip("/") + "/"
    yield "pypi:mcp-server-git", [py + "mcp-server-git", "--repository", os.getcwd()]
    yield "pypi:mcp-server-fetch", [py + "mcp-server-fetch"]
    yield "pypi:mcp-server-time", [py + "mcp-server-time", "--local-timezone", "UTC"]
    yield "pypi:mcp-server-sqlite", [py + "mcp-server-sqlite", "--db-path", "/tmp/mcp-fp.db"]

if __name__ == "__main__":
    nm, py = sys.argv[1], sys.argv[2]
    save = sys.argv[sys.argv.index("--save") + 1] if "--save" in sys.argv else None
    E = Engine(Config())
    env = {"GITHUB_PERSONAL_ACCESS_TOKEN": "x", "GITLAB_PERSONAL_ACCESS_TOKEN": "x", "SLACK_BOT_TOKEN": "x",
           "SLACK_TEAM_ID": "x", "BRAVE_API_KEY": "x", "GOOGLE_MAPS_API_KEY": "x", "EVERART_API_KEY": "x",
           "HEROKU_API_KEY": "x", "AWS_REGION": "us-east-1", "NOTION_TOKEN": "x"}
    total = blocked = warned = 0
    rules = collections.Counter()
    alltools = {}
    for name, args in servers(nm, py):
        ts = tools_of(args, env)
        if not ts:
            print(f"{name}: no tools"); continue
        alltools[name] = ts
        nb = 0
        for t in ts:
            fs = E.tools.scan_tools_list([t], None)
            b = [f for f in fs if f.action == "block"]
            total += 1
            if b:
                nb += 1; blocked += 1
                for f in b: rules[f"{f.scanner}:{f.rule}"] += 1
                print(f"  BLOCK {name} {t['name']}: {[(f.rule, f.excerpt[:70], f.where) for f in b]}")
            elif any(f.action == "warn" for f in fs):
                warned += 1
        print(f"{name}: {len(ts)} tools, {nb} blocked")
    if save:
        json.dump(alltools, open(save, "w"))
    print(f"TOTAL {total} tool definitions, {blocked} blocked ({blocked/max(total,1):.2%}), {warned} warned; rules {dict(rules)}")
