"""Tool policy (sans-io): built-in rules over shell-deobfuscated commands and
file paths, plus per-server allow/deny lists and argument constraints."""
from __future__ import annotations

import fnmatch
import functools
import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from ..core import Finding
from ..core.jsonwalk import Walk
from ..rules.policy import RULES, PolicyRule
from ..text.percent import percent_decode
from . import shell
from .capabilities import ToolCaps, of_call, of_definition  # noqa: F401  (what a tool can do, for policy users)

MAX_DEPTH = 32
MAX_LEAVES = 4096
MAX_LEAF = 1024 * 1024
CHUNK = 128 * 1024
OVERLAP = 8 * 1024

# Name segments that mark a tool as running commands / reading / writing files.
EXEC_SEGS = frozenset({"bash", "sh", "zsh", "shell", "exec", "execute", "terminal", "cmd", "powershell",
                       "pwsh", "subprocess", "spawn", "console", "command", "commands", "run_command",
                       "runcommand", "script", "interpreter", "repl", "ssh"})
READ_SEGS = frozenset({"read", "cat", "view", "open", "get", "load", "show", "head", "tail", "fetch",
                       "download", "upload", "copy", "cp", "move", "mv", "print", "dump", "export", "import",
                       "attach", "send", "share", "file", "files", "grep", "search", "diff"})
WRITE_SEGS = frozenset({"write", "edit", "create", "save", "append", "put", "patch", "replace", "insert",
                        "copy", "cp", "move", "mv", "rename", "overwrite", "modify", "update", "touch",
                        "mkdir", "new", "apply", "str_replace", "upload", "install", "set"})
# Argument keys holding a command / a path.
CMD_KEYS = frozenset({"command", "cmd", "commands", "script", "shell", "shell_command", "bash", "code",
                      "args", "argv", "arguments", "line", "input", "run", "exec", "program"})
PATH_KEYS = frozenset({"path", "paths", "file", "files", "file_path", "filepath", "filename", "file_name",
                       "source", "src", "destination", "dest", "dst", "target", "uri", "url", "dir",
                       "directory", "location", "from", "to", "old_path", "new_path", "source_path",
                       "target_path", "destination_path", "notebook_path"})


def split_name(name: str) -> tuple[str, ...]:
    """`runShellCommand` / `run-shell_command` -> ('run', 'shell', 'command')."""
    return _split_name(name[:256])


@functools.lru_cache(maxsize=4096)  # tool names and argument keys repeat call after call
def _split_name(name: str) -> tuple[str, ...]:
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", s)
    return tuple(p for p in re.split(r"[^A-Za-z0-9]+", s.lower()) if p)


@dataclass(slots=True)
class ToolKind:
    exec: bool = False
    read: bool = False
    write: bool = False


def tool_kind(name: str) -> ToolKind:
    return ToolKind(*_kind_bits(name[:256]))


@functools.lru_cache(maxsize=4096)
def _kind_bits(name: str) -> tuple[bool, bool, bool]:
    segs = split_name(name)
    joined = "_".join(segs)
    return (bool(EXEC_SEGS.intersection(segs)) or joined in ("run", "run_code") or "run_command" in joined,
            bool(READ_SEGS.intersection(segs)), bool(WRITE_SEGS.intersection(segs)))


def leaves(obj: Any, prefix: str = "params.arguments", max_leaf: int = MAX_LEAF) -> tuple[list[tuple[str, str, str]], bool]:
    """Flatten JSON to (path, last key, string value) leaves, by the shared walker.
    Returns (leaves, complete); complete is False when a cap was hit."""
    out: list[tuple[str, str, str]] = []
    walk = Walk(MAX_DEPTH, 64 * MAX_LEAVES, strict=False)  # (containers count as nodes too)
    for path, key, node, _ in walk.nodes(obj, prefix):
        if isinstance(node, (dict, list, tuple)) or node is None:
            continue
        if len(out) >= MAX_LEAVES:
            walk.complete = False
            break
        out.append((path, key, node[:max_leaf] if isinstance(node, str) else str(node)))
    return out, walk.complete


_HOME_RE = re.compile(r"^(?:/home/[^/]+|/users/[^/]+|/root|[a-z]:/users/[^/]+|\$home|\$\{home\}|%userprofile%)(?=/|$)")


def norm_path(p: str) -> str:
    p = shell.fold(p[:4096]).strip().strip("'\"")
    if "%" in p:
        p = percent_decode(p, 3)  # double-encoded traversal (%252e) too
    p = p.replace("\\", "/").lower()
    if p.startswith("file://"):
        p = p[7:]
        if p.startswith("localhost/"):
            p = p[9:]
    p = _HOME_RE.sub("~", p)
    if p:
        p = posixpath.normpath(p)
    return p


def _excerpt(text: str, m: re.Match) -> str:
    s = text[max(0, m.start() - 10): m.end() + 10]
    return s[:80]


@dataclass(slots=True)
class _Compiled:
    rule: PolicyRule
    command: re.Pattern | None
    read_path: re.Pattern | None
    write_path: re.Pattern | None
    command_with: re.Pattern | None
    command_unless: re.Pattern | None = None


_SEP = frozenset(";&|\n()`")


def _simple_command(v: str, start: int, end: int) -> str | None:
    """The simple command around v[start:end]: from the last separator before it to the next
    one after it, or None when that separator sits inside a quote (the shell reads more).
    A line break right before it is no cut: the views print printf's "\\n" as one."""
    quote, cut, i = "", 0, 0
    head = v[:start].rstrip(" \t")
    keep = len(head) - 1 if head.endswith("\n") else -1
    while i < start:
        c = v[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"':
                i += 1
        elif c in "'\"":
            quote = c
        elif c == "\\":
            i += 1
        elif c in _SEP and i != keep:
            cut = i + 1
        i += 1
    if quote:
        return None
    stop = next((j for j in range(end, len(v)) if v[j] in _SEP), len(v))
    return v[cut:stop]


def _search(c: _Compiled, v: str) -> re.Match | None:
    if c.command_unless is None:
        return c.command.search(v)
    for m in c.command.finditer(v):
        seg = _simple_command(v, m.start(), m.end())
        if seg is None or not c.command_unless.fullmatch(seg):
            return m
    return None


@dataclass(slots=True)
class CommandInfo:
    """What the policy saw in a call, reused by chain detection."""
    commands: list[str] = field(default_factory=list)      # normalised command views
    read_paths: list[str] = field(default_factory=list)
    write_paths: list[str] = field(default_factory=list)
    kind: ToolKind = field(default_factory=ToolKind)
    hits: list[str] = field(default_factory=list)          # rule ids that fired
    content: str = ""                                      # written content head, for chains


class ToolPolicy:
    def __init__(self, config):
        self.config = config
        mcp = config.mcp
        disabled = set(getattr(mcp, "disabled_policy_rules", []) or [])
        self.action = mcp.policy_action
        self.rules = [_Compiled(r, *(re.compile(p) if p else None for p in (r.command, r.read_path, r.write_path, r.command_with,
                                                                          r.command_unless)))
                      for r in RULES if r.id not in disabled]
        self.servers = dict(getattr(mcp, "servers", {}) or {})
        self._re2: dict[str, Any] = {}

    # -- built-in rules ----------------------------------------------------
    def match_command(self, cmd: str) -> list[tuple[PolicyRule, str]]:
        if len(cmd) <= CHUNK:
            vs = shell.views(cmd)
        else:  # long input: overlapping windows, so nothing hides past a cap
            vs = [v for i in range(0, len(cmd), CHUNK - OVERLAP) for v in shell.views(cmd[i:i + CHUNK])]
        hits = []
        for c in self.rules:
            if c.command is None:
                continue
            for v in vs:
                if c.command_with is not None and not c.command_with.search(v):
                    continue   # the cheaper half first: most commands have no network sink
                m = _search(c, v)
                if m:
                    hits.append((c.rule, _excerpt(v, m)))
                    break
        return hits

    def match_path(self, path: str, mode: str) -> list[tuple[PolicyRule, str]]:
        np = norm_path(path)
        hits = []
        for c in self.rules:
            pat = c.read_path if mode == "read" else c.write_path
            if pat is not None and np and pat.search(np):
                hits.append((c.rule, np[-80:]))
        return hits

    def analyse(self, name: str, arguments: Any, walked: tuple | None = None) -> tuple[list[Finding], CommandInfo]:
        """`walked`: leaves(arguments, max_leaf >= MAX_LEAF) the caller has already (one walk a call)."""
        info = CommandInfo(kind=tool_kind(name))
        findings: list[Finding] = []
        if isinstance(arguments, str):
            arguments = {"command" if info.kind.exec else "input": arguments}
            walked = None
        if walked is None:
            lv, complete = leaves(arguments)
        else:
            lv, complete = walked
            lv = [(p, k, v if len(v) <= MAX_LEAF else v[:MAX_LEAF]) for p, k, v in lv]
        if not complete:
            findings.append(Finding("policy", "arguments_too_complex", "high",
                                    f"over {MAX_DEPTH} levels or {MAX_LEAVES} values", "params.arguments", "block"))
        cmd_leaves = [(p, v) for p, k, v in lv if k.lower() in CMD_KEYS]
        if info.kind.exec:
            # An exec tool: the command-like keys joined in order, else every string.
            parts = [v for _, v in cmd_leaves] or [v for _, _, v in lv]
            if parts:
                info.commands.append(" ".join(parts))
        elif cmd_leaves:
            info.commands.extend(v for k_, v in cmd_leaves if _looks_like_command(v))
        if info.commands and max(map(len, info.commands)) >= MAX_LEAF:
            findings.append(Finding("policy", "command_too_large", "high", f"command over {MAX_LEAF} bytes",
                                    "params.arguments", "block"))
        for cmd in info.commands:
            hg = shell.homoglyphs(cmd)
            if hg:
                findings.append(Finding("policy", "homoglyph_obfuscation", "high", hg, "params.arguments", self.action))
                break
        seen: set[str] = set()
        for cmd in info.commands:
            for rule, ex in self.match_command(cmd):
                if rule.id not in seen:
                    seen.add(rule.id)
                    findings.append(Finding("policy", rule.id, rule.severity, ex, "params.arguments", self.action))
        for path, key, v in lv:
            kl = key.lower()
            if (kl not in PATH_KEYS and kl not in CMD_KEYS and kl not in _NOT_READ_KEYS and _PATH_SHAPED.match(v)
                    and not _USES_CREDENTIAL.intersection(split_name(key))):
                # a path under any other name (`db`, `keystore`, `profile_dir`): a read, judged by the
                # credential catalogue only (other path rules need to know the argument is a path)
                info.read_paths.append(norm_path(v))
                for rule, ex in self.match_path(v, "read"):
                    if rule.id == "credential_file_access" and rule.id not in seen:
                        seen.add(rule.id)
                        findings.append(Finding("policy", rule.id, rule.severity, ex, path, self.action))
                continue
            if kl not in PATH_KEYS or len(v) > 4096:
                continue
            if kl in ("url", "uri") and not v.lower().startswith("file:"):
                continue
            writes = info.kind.write and kl not in ("source", "src", "from", "old_path", "source_path")
            reads = not writes or kl in ("source", "src", "from")
            if info.kind.write and info.kind.read and kl in ("destination", "dest", "dst", "to", "target",
                                                              "new_path", "target_path", "destination_path"):
                reads = False
            for mode, on, paths in (("read", reads, info.read_paths), ("write", writes, info.write_paths)):
                if not on:
                    continue
                paths.append(norm_path(v))
                for rule, ex in self.match_path(v, mode):
                    if rule.id not in seen:
                        seen.add(rule.id)
                        findings.append(Finding("policy", rule.id, rule.severity, ex, path, self.action))
        if info.kind.write:
            info.content = " ".join(v for _, k, v in lv if k.lower() in _CONTENT_KEYS)[:4096]
        info.hits = sorted(seen)
        return findings, info

    @staticmethod
    def capabilities(name: str, arguments: Any = None, definition: dict | None = None) -> ToolCaps:
        """What a tool can do (reads/writes files, runs commands, reaches the network, sends
        messages, reads the environment), each with its reason: from its listed definition
        when given, else its name; plus what the call's arguments show."""
        return of_call(name, arguments, of_definition(definition) if isinstance(definition, dict) else None)

    # -- per-server lists and constraints -----------------------------------
    def server_checks(self, name: str, arguments: Any, server: str) -> list[Finding]:
        out: list[Finding] = []
        for key in dict.fromkeys(("*", server)):
            sp = self.servers.get(key)
            if sp is None:
                continue
            lname = name.lower()
            if any(fnmatch.fnmatchcase(lname, g.lower()) for g in sp.deny_tools):
                out.append(Finding("policy", "tool_denied", "high", name[:80], f"server:{key}", self.action))
            if sp.allow_tools and not any(fnmatch.fnmatchcase(lname, g.lower()) for g in sp.allow_tools):
                out.append(Finding("policy", "tool_not_allowed", "high", name[:80], f"server:{key}", self.action))
            for glob, cons in sp.arg_constraints.items():
                if not fnmatch.fnmatchcase(lname, glob.lower()):
                    continue
                args = arguments if isinstance(arguments, dict) else {}
                for arg, c in cons.items():
                    if arg not in args:
                        continue
                    v = args[arg]
                    text = v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)[:65536]
                    bad = ""
                    if c.must_match is not None and not self._rx(c.must_match).search(text):
                        bad = "does not match required pattern"
                    if c.must_not_match is not None and self._rx(c.must_not_match).search(text):
                        bad = "matches forbidden pattern"
                    if bad:
                        out.append(Finding("policy", "arg_constraint_violated", "high", f"{arg}: {bad}"[:80],
                                           f"params.arguments.{arg}", self.action))
        return out

    def _rx(self, pattern: str):
        rx = self._re2.get(pattern)
        if rx is None:
            import re2  # linear time for config-supplied patterns
            rx = self._re2[pattern] = re2.compile(pattern)
        return rx


_CONTENT_KEYS = frozenset({"content", "contents", "text", "data", "body", "new_str", "new_string", "old_str",
                           "old_string", "message", "description", "query", "pattern", "regex", "comment"})
# Keys whose path values name what is left alone, or text that is not read.
_NOT_READ_KEYS = _CONTENT_KEYS | {"exclude", "excludes", "exclude_patterns", "exclusions", "ignore", "ignores",
                                  "ignore_patterns", "skip", "deny", "denylist", "blocklist", "blacklist", "except",
                                  "patterns", "title", "name", "label", "summary"}
# Keys that hand the tool a credential to use (`kubeconfig`, `identity_file`, `key_path`):
# the tool authenticates with it, the agent never sees its content.
_USES_CREDENTIAL = frozenset({"key", "keys", "keyfile", "identity", "credential", "credentials", "creds",
                              "kubeconfig", "cert", "certificate", "auth", "token", "pem", "p12", "pfx", "ssh"})
# A whole value that is one home, absolute, drive or file: path.
_PATH_SHAPED = re.compile(r"(?i)\s*(?:~|\$home\b|\$\{home\}|%[a-z]+%|\$env:[a-z]+|[a-z]:[\\/]|/|file:/)[^\n]{0,1024}\Z")
_CMD_HINT = re.compile(r"[\s;|&$`<>(]|^[\w./-]+$")


def _looks_like_command(v: str) -> bool:
    return bool(v.strip()) and bool(_CMD_HINT.search(v.strip()))
