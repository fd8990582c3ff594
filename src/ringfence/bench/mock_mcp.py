"""A tiny stdio MCP server for the live bench: answers from a plan file and logs
every message it receives (proof of delivery). Usage: python -m ringfence.bench.mock_mcp PLAN LOG"""
from __future__ import annotations

import json
import sys


def main() -> int:
    plan = json.load(open(sys.argv[1], encoding="utf-8"))
    log = open(sys.argv[2], "a", encoding="utf-8")
    lists = list(plan.get("tool_lists", []))
    results = {str(k): v for k, v in plan.get("call_results", {}).items()}
    list_changed = plan.get("list_changed_after_first", False)
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        log.write(line + "\n")
        log.flush()
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if not isinstance(msg, dict) or "method" not in msg:
            continue
        method, rid = msg["method"], msg.get("id")
        if rid is None:
            continue
        if method == "initialize":
            result = {"protocolVersion": msg.get("params", {}).get("protocolVersion", "2025-06-18"),
                      "capabilities": {"tools": {"listChanged": True}},
                      "serverInfo": {"name": "bench-mock", "version": "1"}}
        elif method == "tools/list":
            result = {"tools": lists.pop(0) if lists else []}
        elif method == "tools/call":
            result = results.get(str(rid)) or {"content": [{"type": "text", "text": "ok"}], "isError": False}
        else:
            result = {}
        out.write(json.dumps({"jsonrpc": "2.0", "id": rid, "result": result}) + "\n")
        out.flush()
        if method == "tools/list" and list_changed:
            list_changed = False
            out.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}) + "\n")
            out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
