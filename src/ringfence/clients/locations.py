"""Where each MCP client keeps its servers, and how it spells a remote server.

Each Target is one JSON file plus the JSON paths (tuples of keys) of the server maps
inside it. `remote_key` is the key a remote server's URL sits under in that client."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

CLIENTS = ("claude-code", "claude-desktop", "cursor", "vscode", "windsurf")


@dataclass
class Target:
    path: str
    maps: list[tuple[str, ...]] = field(default_factory=list)  # [] = discover (see claude-code)
    remote_key: str = "url"
    stdio_type: str = ""      # VS Code: a wrapped server must say "type": "stdio"
    project_filter: str = ""  # ~/.claude.json: only this project's map (besides the top level)


def _home(*parts: str) -> str:
    return os.path.join(os.path.expanduser("~"), *parts)


def targets(client: str, project: str | None) -> list[Target]:
    proj = os.path.abspath(project or os.getcwd())
    if client == "claude-code":
        return [Target(os.path.join(proj, ".mcp.json"), [("mcpServers",)]),
                Target(_home(".claude.json"), [], project_filter=os.path.abspath(project) if project else "")]
    if client == "claude-desktop":
        xdg = os.environ.get("XDG_CONFIG_HOME") or _home(".config")
        paths = [os.path.join(xdg, "Claude", "claude_desktop_config.json"),
                 _home("Library", "Application Support", "Claude", "claude_desktop_config.json")]
        if sys.platform == "darwin":
            paths.reverse()
        return [Target(p, [("mcpServers",)]) for p in paths]
    if client == "cursor":
        return [Target(os.path.join(proj, ".cursor", "mcp.json"), [("mcpServers",)]),
                Target(_home(".cursor", "mcp.json"), [("mcpServers",)])]
    if client == "vscode":
        return [Target(os.path.join(proj, ".vscode", "mcp.json"), [("servers",)], stdio_type="stdio")]
    if client == "windsurf":
        return [Target(_home(".codeium", "windsurf", "mcp_config.json"), [("mcpServers",)],
                       remote_key="serverUrl")]
    raise ValueError(f"unknown client {client!r}; choose one of: {', '.join(CLIENTS)}")


def server_maps(target: Target, data) -> list[tuple[str, ...]]:
    """The JSON paths of the server maps present in `data`."""
    if target.maps:
        return [m for m in target.maps if isinstance(get_path(data, m), dict)]
    # ~/.claude.json: the user-level map and each project's map
    out: list[tuple[str, ...]] = []
    if isinstance(data, dict):
        if isinstance(data.get("mcpServers"), dict):
            out.append(("mcpServers",))
        projects = data.get("projects")
        if isinstance(projects, dict):
            for p, v in projects.items():
                if target.project_filter and os.path.abspath(p) != target.project_filter:
                    continue
                if isinstance(v, dict) and isinstance(v.get("mcpServers"), dict):
                    out.append(("projects", p, "mcpServers"))
    return out


def get_path(data, path: tuple[str, ...]):
    for k in path:
        if not isinstance(data, dict) or k not in data:
            return None
        data = data[k]
    return data


def parse_json_path(text: str) -> tuple[str, ...]:
    """`mcpServers` or `a.b.servers`; a key holding dots can be quoted: a."x.y".servers"""
    out: list[str] = []
    buf, quoted, i = "", False, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            quoted = not quoted
        elif c == "." and not quoted:
            out.append(buf)
            buf = ""
        else:
            buf += c
        i += 1
    out.append(buf)
    if quoted or any(not k for k in out):
        raise ValueError(f"bad --json-path {text!r} (want keys joined by dots, e.g. mcpServers)")
    return tuple(out)
