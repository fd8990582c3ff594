"""`ringfence wrap` / `ringfence unwrap`: route an MCP client's servers through ringfence."""
from __future__ import annotations

import argparse
import sys

HELP = """\
Rewrites each MCP server in a client's config to start through ringfence:
  stdio server  ->  ringfence mcp proxy -- <original command and args>
  remote server ->  ringfence mcp proxy --upstream <url>   (a stdio bridge; no daemon needed)
Servers that already run through ringfence are left alone, so running it twice is safe.
The original file is kept in ~/.ringfence/wrap/; `ringfence unwrap` puts it back byte for
byte (or entry by entry if the file was edited since). --dry-run prints the diff only.

files per client (PROJECT = --project, default the current directory):
  claude-code     PROJECT/.mcp.json, ~/.claude.json (mcpServers and projects.*.mcpServers)
  claude-desktop  ~/.config/Claude/claude_desktop_config.json (macOS: ~/Library/Application Support/Claude/)
  cursor          PROJECT/.cursor/mcp.json, ~/.cursor/mcp.json
  vscode          PROJECT/.vscode/mcp.json (key "servers")
  windsurf        ~/.codeium/windsurf/mcp_config.json (remote servers use "serverUrl")

examples:
  ringfence wrap --client claude-code --dry-run
  ringfence wrap --client cursor --project ~/src/app
  ringfence wrap --file ./agent.json --json-path tools.mcp
  ringfence unwrap --client claude-code
"""


def _add_common(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--client", choices=["claude-code", "claude-desktop", "cursor", "vscode", "windsurf"],
                   help="the MCP client whose config files to change")
    g.add_argument("--file", metavar="PATH", help="any JSON config file (with --json-path)")
    p.add_argument("--json-path", metavar="KEYS", default="mcpServers",
                   help="with --file: dotted path to the map of servers (default: mcpServers)")
    p.add_argument("--project", metavar="DIR", help="project directory for project-level configs (default: cwd)")
    p.add_argument("--dry-run", action="store_true", help="print a unified diff and change nothing")


def register(sub) -> None:
    p = sub.add_parser("wrap", help="route an MCP client's servers through ringfence (Claude Code, Cursor, ...)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(p)
    p.add_argument("--config", "-c", metavar="FILE",
                   help="have each wrapped server use this ringfence config (default: ~/.ringfence/config.yaml)")
    p.set_defaults(func=lambda a: run(a, unwrap=False))


def register_unwrap(sub) -> None:
    p = sub.add_parser("unwrap", help="undo `ringfence wrap` (restores the original file exactly)",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common(p)
    p.set_defaults(func=lambda a: run(a, unwrap=True))


def _targets(args):
    import os

    from ..cli import UsageError
    from ..clients.locations import Target, parse_json_path, targets
    if args.file:
        try:
            path = parse_json_path(args.json_path)
        except ValueError as e:
            raise UsageError(str(e)) from None
        return [Target(os.path.abspath(os.path.expanduser(args.file)), [path])], True
    if args.json_path != "mcpServers":
        raise UsageError("--json-path goes with --file")
    return targets(args.client, args.project), False


def run(args, unwrap: bool) -> int:
    import os

    from ..cli import UsageError
    targets, explicit = _targets(args)
    found = [t for t in targets if os.path.isfile(t.path)]
    if not found:
        looked = ", ".join(t.path for t in targets)
        if explicit:
            raise UsageError(f"no such file: {looked}")
        raise UsageError(f"no MCP config of {args.client} found (looked in: {looked}); "
                         "add a server in the client first, or use --file PATH --json-path KEYS")
    extra: list[str] = []
    if not unwrap and getattr(args, "config", None):
        cfg = os.path.abspath(os.path.expanduser(args.config))
        if not os.path.isfile(cfg):
            raise UsageError(f"--config: no such file {cfg}")
        extra = ["--config", cfg]
    status = 0
    for t in found:
        try:
            status = max(status, (_unwrap_file if unwrap else _wrap_file)(t, args.dry_run, extra))
        except _FileError as e:
            print(f"ringfence: {t.path}: {e}", file=sys.stderr)
            status = 2
    return status


class _FileError(Exception):
    pass


def _load(path: str) -> tuple[bytes, str, object]:
    from ..clients import jsonc
    from ..receipts.capped import CappedReadError, read_capped
    try:
        raw = read_capped(path, 16 << 20)
    except CappedReadError as e:
        raise _FileError(f"{e}; not a client config" if e.too_large else str(e)) from None
    try:
        text = raw.decode("utf-8-sig")
        return raw, text, jsonc.loads(text)
    except (UnicodeDecodeError, ValueError) as e:
        raise _FileError(f"not valid JSON ({e}); fix or restore it first") from None


def _diff(path: str, old: str, new: str) -> None:
    import difflib
    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                               f"{path} (now)", f"{path} (after)"))


def _key(loc: tuple, name: str) -> str:
    import json
    return json.dumps([*loc, name])


def _wrap_file(t, dry_run: bool, extra: list[str]) -> int:
    from ..clients import backup, jsonc
    from ..clients.locations import get_path, server_maps
    from ..clients.rewrite import Skip, is_wrapped, ringfence_argv, wrap_entry
    raw, text, data = _load(t.path)
    rf = ringfence_argv()
    originals: dict[str, object] = {}
    wrapped = already = 0
    for loc in server_maps(t, data):
        servers = get_path(data, loc)
        for name, entry in list(servers.items()):
            if is_wrapped(entry):
                already += 1
                continue
            try:
                servers[name] = wrap_entry(entry, rf, t.stdio_type, extra)
            except Skip as e:
                print(f"ringfence: {t.path}: server {name!r} left as is: {e}", file=sys.stderr)
                continue
            originals[_key(loc, name)] = entry
            wrapped += 1
    if not wrapped:
        print(f"{t.path}: nothing to wrap ({already} already through ringfence)")
        return 0
    new_text = jsonc.dumps(data, text)
    if dry_run:
        _diff(t.path, text, new_text)
        return 0
    new = new_text.encode()
    state = backup.load_state(t.path)
    if state is None or state.get("original_sha256") == backup.sha(raw):
        state = {"path": t.path, "original_sha256": backup.sha(raw), "exact": True, "originals": {}}
        first = raw
    else:  # wrapped before and edited since: the first backup no longer restores exactly
        state["exact"] = False
        first = None
    for k, v in originals.items():
        state["originals"].setdefault(k, v)
    state["wrapped_sha256"] = backup.sha(new)
    bak = backup.save_state(t.path, state, first)
    backup.write_atomic(t.path, new)
    print(f"{t.path}: wrapped {wrapped} server(s)" + (f", {already} already" if already else "")
          + f"; backup {bak}")
    return 0


def _unwrap_file(t, dry_run: bool, extra: list[str]) -> int:
    from ..clients import backup, jsonc
    from ..clients.locations import get_path, server_maps
    from ..clients.rewrite import is_wrapped, unwrap_entry
    raw, text, data = _load(t.path)
    state = backup.load_state(t.path) or {}
    orig = backup.read_backup(t.path)
    if state.get("exact") and orig is not None and backup.sha(raw) == state.get("wrapped_sha256") \
            and backup.sha(orig) == state.get("original_sha256"):
        if dry_run:
            _diff(t.path, text, orig.decode("utf-8", "replace"))
            return 0
        backup.write_atomic(t.path, orig)
        backup.drop_state(t.path, keep_backup=False)
        print(f"{t.path}: restored the original byte for byte")
        return 0
    originals = state.get("originals") or {}
    n = 0
    for loc in server_maps(t, data):
        servers = get_path(data, loc)
        for name, entry in list(servers.items()):
            if not is_wrapped(entry):
                continue
            servers[name] = originals.get(_key(loc, name)) or unwrap_entry(entry, t.remote_key, t.stdio_type)
            n += 1
    if not n:
        print(f"{t.path}: nothing to unwrap")
        return 0
    new_text = jsonc.dumps(data, text)
    if dry_run:
        _diff(t.path, text, new_text)
        return 0
    backup.write_atomic(t.path, new_text.encode())
    backup.drop_state(t.path, keep_backup=True)
    kept = backup.backup_path(t.path)
    print(f"{t.path}: unwrapped {n} server(s) (the file was edited after wrap, so entry by entry)"
          + (f"; the pre-wrap file is still at {kept}" if orig is not None else ""))
    return 0
