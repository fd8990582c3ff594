"""Rewrite one MCP server entry to run through `ringfence mcp proxy`, and back.

stdio   {"command": C, "args": A, "env": E, ...}
     -> {"command": RF, "args": [..., "mcp", "proxy", "--env", K..., "--", C, *A], "env": E, ...}
remote  {"url" | "serverUrl": U, "type": "http", ...}
     -> {"command": RF, "args": [..., "mcp", "proxy", "--upstream", U], ...}

The remote form uses the stdio-to-Streamable-HTTP bridge of `ringfence mcp proxy
--upstream URL` (no --listen): the client starts it like any stdio server, so no
daemon has to be running. Every other key of the entry is kept as it was."""
from __future__ import annotations

import os
import sys

REMOTE_KEYS = ("url", "serverUrl", "httpUrl")


class Skip(Exception):
    """An entry that is left as it is, with the reason."""


def ringfence_argv() -> list[str]:
    """An absolute way to start this ringfence: the console script, else python -m."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) == "ringfence" and os.path.isfile(argv0):
        return [os.path.abspath(argv0)]
    sibling = os.path.join(os.path.dirname(sys.executable), "ringfence")
    if os.path.isfile(sibling) and os.access(sibling, os.X_OK):
        return [sibling]
    return [os.path.abspath(sys.executable), "-m", "ringfence"]


def _proxy_args_start(entry: dict) -> int:
    """Index in args just after `mcp proxy` when the entry already runs ringfence, else -1."""
    cmd, args = entry.get("command"), entry.get("args")
    if not isinstance(cmd, str) or not isinstance(args, list):
        return -1
    base = os.path.basename(cmd)
    if base.startswith("ringfence") and args[:2] == ["mcp", "proxy"]:
        return 2
    if base.startswith("python") and args[:4] == ["-m", "ringfence", "mcp", "proxy"]:
        return 4
    return -1


def is_wrapped(entry) -> bool:
    return isinstance(entry, dict) and _proxy_args_start(entry) >= 0


def wrap_entry(entry, rf: list[str], stdio_type: str = "", extra: list[str] | None = None) -> dict:
    if not isinstance(entry, dict):
        raise Skip("not an object")
    extra = list(extra or [])
    if isinstance(entry.get("command"), str):
        args = entry.get("args", [])
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise Skip("args is not a list of strings")
        env = entry.get("env")
        env_flags: list[str] = []
        if isinstance(env, dict):
            for k in env:
                env_flags += ["--env", str(k)]
        out = dict(entry)
        out["command"] = rf[0]
        out["args"] = rf[1:] + ["mcp", "proxy", *extra, *env_flags, "--", entry["command"], *args]
        if stdio_type and out.get("type") not in (None, "stdio"):
            out["type"] = "stdio"
        return out
    key = next((k for k in REMOTE_KEYS if isinstance(entry.get(k), str)), None)
    if key is None:
        raise Skip("neither a command nor a url")
    url = entry[key]
    if not url.startswith(("http://", "https://")):
        raise Skip(f"{key} is not an http(s) URL")
    kind = str(entry.get("type") or entry.get("transport") or "").lower()
    if kind == "sse" or url.rstrip("/").endswith("/sse"):
        raise Skip("legacy SSE transport (only Streamable HTTP is bridged)")
    if entry.get("headers"):
        raise Skip("sends its own headers (credentials); put them in the server's URL-less "
                   "config or run `ringfence mcp proxy --upstream URL --listen` yourself")
    out = {}
    for k, v in entry.items():
        if k in REMOTE_KEYS or k in ("type", "transport", "headers"):
            if k == "type" and stdio_type:
                out["type"] = "stdio"
            continue
        out[k] = v
    out["command"] = rf[0]
    out["args"] = rf[1:] + ["mcp", "proxy", *extra, "--upstream", url]
    return out


def unwrap_entry(entry: dict, remote_key: str = "url", stdio_type: str = "") -> dict:
    """The original entry, rebuilt from the wrapped arguments (when no backup is exact)."""
    start = _proxy_args_start(entry)
    if start < 0:
        return entry
    args = entry["args"][start:]
    out = {k: v for k, v in entry.items() if k not in ("command", "args")}
    if "--" in args:
        rest = args[args.index("--") + 1:]
        if not rest:
            return entry
        out = {"command": rest[0], "args": rest[1:], **out}
        return out
    if "--upstream" in args and args.index("--upstream") + 1 < len(args):
        url = args[args.index("--upstream") + 1]
        if stdio_type:
            out["type"] = "http"
        return {remote_key: url, **out}
    return entry
