"""Attack-chain detection over a session's recent tool calls (sans-io).

Each call is classified (read, read_secret, read_sensitive, write, exec,
network, download, env, persist, list, chmod_x) from its name segments, its
arguments, and what the tool can do (scanners/capabilities.py: its definition
from tools/list when the session saw one, else its name): any tool that can
reach the network or send a message is `network`, whatever its name. Paths
are judged by the sensitive-file catalogue (rules/sensitive_files.py). Patterns
are ordered steps matched backwards from the newest call with gap tolerance
(at most `max_gap` unrelated calls between steps) over a bounded window.
Strong patterns use config.mcp.chain_action; weak ones only warn.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from ..core import Finding
from ..rules.policy import CRED_PATH, PERSIST_PATH, READERS, SEG, W
from ..rules.sensitive_files import SENSITIVE_PATH
from .capabilities import ToolCaps, of_call
from .policy import CommandInfo, split_name

_CRED = re.compile(CRED_PATH)
_SENSITIVE = re.compile(SENSITIVE_PATH)
_C_SENSITIVE = re.compile(W + READERS + r"\b" + SEG + r"*" + SENSITIVE_PATH + r"|<\s*\S*" + SENSITIVE_PATH)
_PERSIST = re.compile(PERSIST_PATH)

ENV_SEGS = frozenset({"env", "environ", "environment", "getenv", "printenv", "envvars"})
PERSIST_SEGS = frozenset({"cron", "crontab", "systemd", "launchd", "launchctl", "autostart", "startup"})
WRITE_SEGS = frozenset({"write", "edit", "create", "save", "append", "put", "patch", "replace", "insert",
                        "overwrite", "modify", "str_replace"})
READ_SEGS = frozenset({"read", "cat", "view", "open", "load", "show", "head", "tail", "get"})
LIST_SEGS = frozenset({"list", "ls", "search", "find", "glob", "tree", "dir", "directory", "walk"})
BENIGN_ENV = frozenset({"path", "home", "user", "lang", "term", "shell", "pwd", "tz", "lc_all", "tmpdir",
                        "editor", "hostname", "logname", "node_env", "debug", "ci", "columns", "lines"})

_C_NET = re.compile(r"(?<![\w.-])(?:curl|wget|nc|ncat|netcat|socat|ssh|scp|sftp|rsync|ftp|telnet|aria2c"
                    r"|invoke-webrequest|iwr|http|xh)\b|https?://|/dev/tcp/|requests\.(?:get|post)|urllib|fetch\(")
_C_DOWNLOAD = re.compile(r"(?<![\w.-])(?:curl\s[^;&|\n]*\s-(?:o|-output)\s+(\S+)|curl\s[^;&|\n]*\s-o\b"
                         r"|wget\s(?:[^;&|\n]*\s-o\s+(\S+))?|aria2c\s)")
# (`test "${TMPDIR+set}" = set`: an operand compared, not the `set` builtin)
_C_ENV = re.compile(r"(?:^|[\s;&|(`])(?<![=!]\s)(?:env|printenv|export\s+-p|declare\s+-x|set)(?:\s*$|\s*[;&|)`])"
                    r"|/proc/(?:self|\d+)/environ|os\.environ(?!\.get\(\s*['\"]?(?:path|home)\b)|process\.env\b|getenv\(")
_C_PERSIST = re.compile(r"(?<![\w.-])crontab\b(?!\s+-l\b)|systemctl\s+(?:--user\s+)?enable\b|launchctl\s+(?:load|bootstrap)\b"
                        r"|schtasks\s+/create|update-rc\.d\b|" + PERSIST_PATH)
_C_CHMODX = re.compile(r"(?<![\w.-])chmod\s+(?:-\S+\s+)*(?:[ugoa]*\+[rw]*x\w*|[0-7]?[157][0-7]{2})\s+(\S+)")
_C_LIST = re.compile(r"^(?:ls|find|tree|dir)\b")
_C_RISKY = re.compile(r"(?<![\w.-])(?:curl|wget|nc|ncat|netcat|socat|base64\s+-d|eval|python\d?\s+-c)\b|/dev/tcp/"
                      r"|\|\s*(?:ba|z)?sh\b|\brm\s+-[a-z]*r|crontab|authorized_keys|/etc/(?:passwd|shadow)")
_TMP = re.compile(r"^(?:/tmp/|/var/tmp/|/dev/shm/|/private/tmp/|~/\.|/run/user/)|/\.[^/]+/")
_VAR_KEYS = ("variable", "name", "key", "var", "env", "variable_name", "var_name", "names", "keys")


def _benign_env_names(arguments) -> bool:
    """An environment read that names only ordinary variables (a string, a comma list or a
    list of names: PATH, LANG, SHELL...). No names, or any other name, reads the environment."""
    if not isinstance(arguments, dict):
        return False
    for k in _VAR_KEYS + ("variables", "vars"):
        v = arguments.get(k)
        if isinstance(v, str):
            v = v.replace(";", ",").split(",")
        if isinstance(v, list) and v and len(v) < 64:   # a huge list is a dump by another name
            return all(isinstance(n, str) and n.strip().lower() in BENIGN_ENV for n in v)
    return False


@dataclass(slots=True)
class Call:
    t: float
    name: str
    classes: frozenset[str]
    written: tuple[str, ...] = ()      # normalised paths written
    downloaded: tuple[str, ...] = ()   # paths a download wrote
    executed: str = ""                 # normalised command text (for path references)
    chmod_x: tuple[str, ...] = ()
    risky: bool = False                # written content looks like a payload
    why: str = ""                      # why the call counts as network (the capability's reason)


@dataclass(slots=True)
class ChainState:
    calls: deque = field(default_factory=lambda: deque(maxlen=20))


def classify(name: str, arguments, info: CommandInfo, now: float | None = None,
             caps: ToolCaps | None = None) -> Call:
    """`caps`: the tool's capabilities from its listed definition, if the session saw one."""
    segs = set(split_name(name))
    cls: set[str] = set()
    cmd = " ".join(info.commands[:4])
    from . import shell
    views = [v for c in info.commands[:4] for v in shell.views(c[:65536])]
    joined = "\n".join(views)
    if info.kind.exec:
        cls.add("exec")
    why = ""
    tc = of_call(name, arguments, caps)
    if tc.egress:
        cls.add("network")
        why = tc.why("reaches_network") or tc.why("sends_messages")
    if segs & PERSIST_SEGS:
        cls.add("persist")
    if segs & LIST_SEGS:
        cls.add("list")
    if segs & ENV_SEGS and not _benign_env_names(arguments):
        cls.add("env")
    if segs & WRITE_SEGS or info.write_paths:
        cls.add("write")
    if (segs & READ_SEGS or info.read_paths) and "write" not in cls:
        cls.add("read")
    for p in info.read_paths:
        if _CRED.search(p):
            cls.add("read_secret")
        elif _SENSITIVE.search(p):
            cls.add("read_sensitive")
    for p in info.write_paths:
        if _PERSIST.search(p):
            cls.add("persist")
    downloaded: list[str] = []
    chmod: list[str] = []
    if joined:
        if _C_NET.search(joined):
            cls.add("network")
        for m in _C_DOWNLOAD.finditer(joined):
            cls.add("download")
            p = m.group(1) or m.group(2)
            if p:
                downloaded.append(_norm(p))
        if _C_ENV.search(joined):
            cls.add("env")
        if _C_PERSIST.search(joined):
            cls.add("persist")
        if (_CRED.search(joined) and "credential_file_access" in info.hits) or "credential_command" in info.hits:
            cls.add("read_secret")
        elif _C_SENSITIVE.search(joined):
            cls.add("read_sensitive")
        for m in _C_CHMODX.finditer(joined):
            cls.add("chmod_x")
            chmod.append(_norm(m.group(1)))
        if any(_C_LIST.match(v) for v in views):
            cls.add("list")
    if "download" in segs:
        cls.add("download")
        if isinstance(arguments, dict):
            for k in ("path", "output", "dest", "destination", "file", "output_path", "save_as"):
                if isinstance(arguments.get(k), str):
                    downloaded.append(_norm(arguments[k]))
    risky = bool(info.content and _C_RISKY.search(info.content.lower()))
    return Call(now if now is not None else time.monotonic(), name[:128], frozenset(cls),
                tuple(info.write_paths[:8]), tuple(downloaded[:8]), joined[:8192], tuple(chmod[:8]), risky, why[:60])


def _norm(p: str) -> str:
    from .policy import norm_path
    return norm_path(p.strip("'\""))


def _refers(call: Call, paths: tuple[str, ...]) -> str:
    """A path (or its file name) that the exec call's command mentions."""
    for p in paths:
        base = posixpath.basename(p)
        if len(base) >= 3 and (p in call.executed or re.search(r"(?<![\w.-])" + re.escape(base) + r"\b", call.executed)):
            return p
    return ""


Pred = Callable[[Call], bool]


def _has(c: str) -> Pred:
    return lambda call: c in call.classes


@dataclass(frozen=True, slots=True)
class Pattern:
    id: str
    title: str
    severity: str
    strong: bool
    steps: tuple[str, ...]


PATTERNS: tuple[Pattern, ...] = (
    Pattern("secret_exfiltration", "credential file read, then network", "critical", True, ("read_secret", "network")),
    Pattern("sensitive_exfiltration", "file holding secrets (state, history) read, then network", "high", True,
            ("read_sensitive", "network")),
    Pattern("env_exfiltration", "environment read, then network", "critical", True, ("env", "network")),
    Pattern("persist_callback", "persistence installed, then network callback", "critical", True, ("persist", "network")),
    Pattern("read_secret_write", "credential file read, then a write", "medium", False, ("read_secret", "write")),
)


def _back(calls: list[Call], end: int, pred: Pred, max_gap: int) -> int:
    """Index of the nearest earlier call matching pred with at most max_gap calls skipped, or -1."""
    lo = max(0, end - 1 - max_gap)
    for i in range(end - 1, lo - 1, -1):
        if pred(calls[i]):
            return i
    return -1


def detect(calls: list[Call], max_gap: int, strong_action: str) -> list[Finding]:
    """Patterns completed by the newest call in `calls`."""
    if not calls:
        return []
    out: list[Finding] = []
    last = len(calls) - 1
    cur = calls[last]
    for p in PATTERNS:
        if p.steps[-1] not in cur.classes:
            continue
        idx = last
        ok = True
        for step in reversed(p.steps[:-1]):
            idx = _back(calls, idx, _has(step), max_gap)
            if idx < 0:
                ok = False
                break
        if ok:
            first = calls[idx]
            detail = f"{first.name} -> {cur.name}" + (f" ({cur.why})" if "network" in p.steps and cur.why else "")
            out.append(Finding("chain", p.id, p.severity, detail[:120], "session",
                               strong_action if p.strong else "warn"))
    # Path-linked patterns: the exec runs what an earlier call wrote or downloaded.
    if "exec" in cur.classes and cur.executed:
        for i in range(last - 1, max(-1, last - 1 - max_gap - 8), -1):
            prev = calls[i]
            if prev.written:
                p = _refers(cur, prev.written)
                if p:
                    chmodded = any(p in c.chmod_x or posixpath.basename(p) in " ".join(c.chmod_x)
                                   for c in calls[i + 1:])
                    strong = prev.risky or bool(_TMP.search(p)) or chmodded
                    out.append(Finding("chain", "write_execute", "critical" if strong else "medium",
                                       f"{prev.name} {posixpath.basename(p)} -> {cur.name}"[:80], "session",
                                       strong_action if strong else "warn"))
                    break
            if prev.downloaded:
                p = _refers(cur, prev.downloaded)
                if p:
                    out.append(Finding("chain", "download_execute", "critical",
                                       f"{prev.name} {posixpath.basename(p)} -> {cur.name}"[:80], "session",
                                       strong_action))
                    break
    if "persist" in cur.classes and cur.executed:
        for i in range(last - 1, max(-1, last - 1 - max_gap), -1):
            prev = calls[i]
            p = _refers(cur, prev.written) if prev.written else ""
            if p:
                out.append(Finding("chain", "write_persist", "high", f"{prev.name} -> {cur.name}"[:80],
                                   "session", strong_action))
                break
    # Keep the strongest finding per rule.
    best: dict[str, Finding] = {}
    for f in out:
        if f.rule not in best or (f.action == "block" and best[f.rule].action != "block"):
            best[f.rule] = f
    return list(best.values())


# -- data flow ------------------------------------------------------------------------
# What a sensitive read returned is remembered as salted hashes of overlapping windows of
# its secret-looking tokens (never the text): a later call that carries any window of one,
# in clear, decoded (base64, hex, percent, base32 ...), split over DNS labels or as a
# digest, sends data of that read, however many calls later.
SOURCE_CLASSES = frozenset({"read_secret", "read_sensitive", "env"})
FLOW_W = 12                 # window length (normalised characters)
MAX_TAINTS = 16             # reads remembered per session
MAX_PIECES = 64             # tokens kept per read
MAX_WINDOWS = 4096          # windows kept per read
MAX_FLOW_TEXT = 64 * 1024   # argument text checked per call
_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-.]{12,512}")
_NORM = re.compile(r"[^a-z0-9]+")
_LABEL_SEP = re.compile(r"[.\-_]")


def _pieces(texts: list[str]) -> list[str]:
    """Secret-looking tokens (letters and digits mixed, 12+ characters) of a read's result."""
    out: list[str] = []
    for t in texts:
        for m in _TOKEN.finditer(t[:1 << 20]):
            # KEY=value: the value alone too (what a digest or an upload would be made of)
            for tok in dict.fromkeys((m.group(0), m.group(0).split("=", 1)[-1].strip("="))):
                n = _NORM.sub("", tok.lower())
                # a value, not a word, a path or a version: 12+ letters and digits, 3+ of each
                if len(n) >= FLOW_W and sum(c.isdigit() for c in n) >= 3 and sum(c.isalpha() for c in n) >= 3:
                    out.append(tok)
                    if len(out) >= MAX_PIECES:
                        return out
    return out


@dataclass(slots=True)
class _Taint:
    t: float
    name: str
    windows: set = field(default_factory=set)


class ChainTracker:
    """Per-session bounded history (count and age), and the data of sensitive reads."""

    def __init__(self, window: int = 20, window_s: float = 600.0, max_gap: int = 3):
        self.calls: deque[Call] = deque(maxlen=window)
        self.window_s = window_s
        self.max_gap = max_gap
        self.awaiting: dict[str, float] = {}          # sensitive reads whose result is still to come
        self.taints: deque[_Taint] = deque(maxlen=MAX_TAINTS)
        self._salt = os.urandom(8).hex()

    def record(self, call: Call, strong_action: str) -> list[Finding]:
        while self.calls and call.t - self.calls[0].t > self.window_s:
            self.calls.popleft()
        self.calls.append(call)
        if call.classes & SOURCE_CLASSES and len(self.awaiting) < 64:
            self.awaiting[call.name] = call.t
        return detect(list(self.calls), self.max_gap, strong_action)

    # -- data flow --------------------------------------------------------
    def _h(self, window: str) -> int:
        return hash(self._salt + window)

    def result(self, name: str, texts: list[str], now: float | None = None) -> None:
        """The result of tool `name`: remembered (as window hashes) when it answers a sensitive read."""
        t = self.awaiting.pop(name[:128], None)
        if t is None:
            return
        windows: set[int] = set()
        for tok in _pieces(texts):
            for form in (tok, hashlib.sha256(tok.encode()).hexdigest(), hashlib.md5(tok.encode()).hexdigest(),
                         hashlib.sha1(tok.encode()).hexdigest()):
                n = _NORM.sub("", form.lower())
                for i in range(0, max(0, len(n) - FLOW_W + 1)):
                    windows.add(self._h(n[i:i + FLOW_W]))
                    if len(windows) >= MAX_WINDOWS:
                        break
        if windows:
            self.taints.append(_Taint(now if now is not None else time.monotonic(), name[:128], windows))

    def flows(self, values: list[str], now: float | None = None) -> str:
        """The name of the sensitive read whose data one of `values` carries, or ""."""
        now = now if now is not None else time.monotonic()
        while self.taints and now - self.taints[0].t > self.window_s:
            self.taints.popleft()
        if not self.taints:
            return ""
        budget = MAX_FLOW_TEXT
        for v in values:
            if budget <= 0:
                break
            v = v[:budget]
            budget -= len(v)
            forms = [v] + _decodings(v)
            if v.count(".") >= 2 and " " not in v and len(v) <= 1024:
                # a hostname: its leading labels joined (the zone's length is unknown), then decoded
                labels = _LABEL_SEP.split(v.split("/")[0])[:12]
                for k in range(2, len(labels)):
                    joined = "".join(labels[:k])
                    forms += _decodings(joined) + _decodings(joined.upper())
                forms.append("".join(labels))
            for form in forms:
                n = _NORM.sub("", form.lower())
                hs = {self._h(n[i:i + FLOW_W]) for i in range(0, max(0, len(n) - FLOW_W + 1))}
                for taint in self.taints:
                    if hs & taint.windows:
                        return taint.name
        return ""


def _decodings(v: str) -> list[str]:
    """The decoded layers of an argument (bounded), for data sent encoded."""
    from ..text.decode import decode_layers
    if len(v) < 16:
        return []
    try:
        return [d.text for d in decode_layers(v[:16384], max_depth=2, max_total_bytes=65536, deadline_s=0.05,
                                              max_items=16) if d.text and d.chain != "truncated"]
    except Exception:
        return []
