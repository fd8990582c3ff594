"""Shell de-obfuscation before tool-policy matching (sans-io, bounded).

An agent (or an injected instruction) can hide `curl ... | sh` as `c'u'rl`,
`{curl,-d,@f}`, `$'\\x63url'`, `a=cu;b=rl;$a$b`, `${v//X/}`, `$(tr a-z n-za-m <<< phey)`,
`echo <b64> | base64 -d | sh`, `python -c "os.system('cu'+'rl ...')"`,
`powershell -enc <utf-16 base64>` or `c^u^r^l`. `views(cmd)` returns a few
normalised readings of a command; policy rules (rules/policy.py) match any of
them. This is not a shell: it only undoes hiding tricks, in a bounded number of
rounds over bounded text, and runs nothing.

  text.py   Unicode folding (look-alikes, invisible and tag characters)
  words.py  quote-aware splitting into pipelines, stages and words
  pipes.py  text pipelines (echo/printf/here-strings through rev, tr, cut, sed, base64 ...)
  bash.py   quoting, variables, parameter expansion, arrays, functions, IFS, braces
  code.py   interpreter one-liners, PowerShell and cmd.exe
"""
from __future__ import annotations

import fnmatch
import re

from . import code, pipes
from .bash import MAX_INPUT, MAX_ROUNDS, deobfuscate, expand
from .text import MAX_OUTPUT, fold, homoglyphs

__all__ = ["MAX_INPUT", "MAX_OUTPUT", "MAX_ROUNDS", "MAX_VIEWS", "deobfuscate", "fold", "homoglyphs", "views"]

MAX_DEPTH = 3
MAX_LAYERED = 16 * 1024   # nested layers (pipelines, one-liners, Windows) are read in the first 16 KB
_LAYERS = re.compile(r"[|$`<'\"%^\\(]|\s[-/][a-z]*[cerk]\b|\beval\b|\bawk\b|\biex\b|powershell|pwsh|\bcmd\b", re.I)
MAX_VIEWS = 48
_SPACES = re.compile(r"[ \t]+")

# Glob words (`/???/r?`, `/e*/sha*`, `~/.a?s/cred*`) resolved against the names that matter.
_GLOB_SPLIT = re.compile(r"([\s;&|()<>]+)")
_GLOB_CHARS = re.compile(r"[?*]|\[[^\]\s]{1,20}\]")
_GLOB_CMDS = ("rm", "cat", "nc", "ncat", "curl", "wget", "bash", "sh", "python", "python3", "perl", "chmod",
              "chown", "dd", "mkfs", "shred", "base64", "socat", "crontab", "systemctl", "iptables", "sudo",
              "scp", "ssh", "rsync", "openssl", "xxd", "tar", "dig", "nslookup", "head", "tail", "less", "more")
_GLOB_TARGETS = tuple(f"{d}{c}" for c in _GLOB_CMDS for d in ("", "/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/",
                                                                "/usr/local/bin/")) + tuple(
    f"{h}{p}" for h in ("~/", "/root/", "/home/user/") for p in (
        ".ssh/id_rsa", ".ssh/id_ed25519", ".ssh/id_ecdsa", ".ssh/authorized_keys", ".aws/credentials",
        ".aws/config", ".kube/config", ".docker/config.json", ".netrc", ".git-credentials", ".npmrc", ".pypirc",
        ".bashrc", ".zshrc", ".bash_history", ".zsh_history", ".config/gcloud/credentials.db",
        ".config/gh/hosts.yml", ".vault-token", ".pgpass")) + (
    "/etc/shadow", "/etc/passwd", "/etc/sudoers", "/etc/crontab", "/etc/gshadow", "/dev/tcp", "/dev/sda",
    "/var/log", "/proc/self/environ", "/var/run/secrets/kubernetes.io/serviceaccount/token", ".env")


def _resolve_globs(text: str) -> str:
    """Glob words replaced by the first sensitive name they match (linear: words split once)."""
    parts = _GLOB_SPLIT.split(text)
    done = 0
    for i in range(0, len(parts), 2):
        w = parts[i]
        if not w or len(w) > 96 or w.count("*") > 4 or w.strip("*?") == "" or not _GLOB_CHARS.search(w):
            continue
        done += 1
        if done > 256:
            break
        for t in _GLOB_TARGETS:
            if fnmatch.fnmatchcase(t, w):
                parts[i] = t
                break
    return "".join(parts)


_GLOB_SET = frozenset("*?[")
_MASK = {"*": "\ue001", "?": "\ue002", "[": "\ue003"}   # private-use stand-ins, put back after resolving
_UNMASK = str.maketrans({v: k for k, v in _MASK.items()})
_ASSIGN_BEFORE = re.compile(r"[A-Za-z_]\w{0,63}\+?=$")
_PATTERN_VALUE = re.compile(r"[\s\\^,]")   # a sed/grep program kept in a variable, not a glob word


# `${name#`, `##`, `%`, `%%`, `/`, `//`, `^`, `,`: the rest up to `}` is a pattern (not `${v:-/e*/x}`,
# whose default is globbed when unquoted)
_PARAM_PATTERN = re.compile(r"\$\{#?(?:[A-Za-z_][A-Za-z0-9_]{0,63}|[0-9@*#?])(?:##?|%%?|//?|\^\^?|,,?)")
# case patterns: `case $x in a*|[0-9]?) ...;; esac`
_CASE = re.compile(r"(?<![\w-])case\s[^\n;]{1,200}?\sin\b(.{0,8192}?)(?<![\w-])esac\b", re.S)
_CASE_PATTERN = re.compile(r"(?:^|;;&?|;&|\bin\b)\s*\(?([^()\n;]{1,200})\)", re.M)


def _mask_case_patterns(cmd: str, out: list[str]) -> None:
    for m in _CASE.finditer(cmd):
        for p in _CASE_PATTERN.finditer(cmd, m.start(1) - 3, m.end(1)):
            for k in range(p.start(1), p.end(1)):
                if cmd[k] in _GLOB_SET:
                    out[k] = _MASK[cmd[k]]


def _mask_quoted_globs(cmd: str) -> str:
    """`*`, `?` and `[` the shell takes literally (inside quotes, or after a backslash) turned to
    stand-ins, so glob resolution sees only real globs: `grep ' .* x'` and `sed 's/\\(.*\\)/'` name no
    dotfiles. Quotes that are a variable's value stay (`a='*'; cat /etc/sha$a` globs when $a is
    expanded; a value with spaces, `^`, `,` or backslashes is a sed or grep program kept for
    later). `$(...)` opens a command of its own, with its own quoting, inside double quotes too;
    a comment's apostrophes open nothing; `${v#?}` and case labels are patterns on a value, not on
    file names."""
    if "'" not in cmd and '"' not in cmd and "\\" not in cmd and "${" not in cmd and "case" not in cmd:
        return cmd
    out = list(cmd)
    n = len(cmd)
    if "case" in cmd and "esac" in cmd:
        _mask_case_patterns(cmd, out)
    stack: list[tuple[str, bool]] = [("top", False)]   # contexts: top, sub ($(...)), dq (with its keep flag)
    i = 0
    while i < n:
        c = cmd[i]
        ctx, keep = stack[-1]
        if c == "\\":
            if i + 1 < n and cmd[i + 1] in _GLOB_SET:
                out[i + 1] = _MASK[cmd[i + 1]]
            i += 2
            continue
        if cmd.startswith("$(", i):
            stack.append(("sub", False))
            i += 2
            continue
        pm = _PARAM_PATTERN.match(cmd, i)
        if pm:   # ${v#pat} ${v%pat} ${v/pat/r}: a pattern on a value, not on file names
            end = cmd.find("}", pm.end(), i + 512)
            if end > 0:
                for k in range(i + 2, end):
                    if cmd[k] in _GLOB_SET:
                        out[k] = _MASK[cmd[k]]
                i = end + 1
                continue
        if ctx == "dq":
            if c == '"':
                stack.pop()
            elif c in _GLOB_SET and not keep:
                out[i] = _MASK[c]
        elif c == ")" and ctx == "sub":
            stack.pop()
        elif c == "#" and (i == 0 or cmd[i - 1] in " \t\n;&|("):
            nl = cmd.find("\n", i)   # a comment: its apostrophes open no quote
            i = n if nl < 0 else nl
            continue
        elif c in "'\"":
            end = cmd.find(c, i + 1)
            while c == '"' and end > 0 and cmd[end - 1] == "\\":
                end = cmd.find(c, end + 1)
            value = cmd[i + 1:end if end >= 0 else n]
            keep = _ASSIGN_BEFORE.search(cmd, max(0, i - 65), i) is not None and not _PATTERN_VALUE.search(value)
            if c == '"':
                stack.append(("dq", keep))
            else:
                end = n if end < 0 else end
                if not keep:
                    for k in range(i + 1, end):
                        if cmd[k] in _GLOB_SET:
                            out[k] = _MASK[cmd[k]]
                i = end
        i += 1
        if len(stack) > 64:   # pathological nesting: stop masking (globs resolve as before)
            return cmd
    return "".join(out)


def views(cmd: str, _depth: int = 0) -> list[str]:
    """Distinct normalised views of a command for rule matching."""
    plain = _SPACES.sub(" ", fold(cmd[:MAX_OUTPUT])).strip().lower()
    out = [plain]

    def add(v: str) -> None:
        if v and v not in out and len(out) < MAX_VIEWS:
            out.append(v)

    deob, ifs = deobfuscate(cmd)
    add(deob)
    for sep in ifs:
        # A reassigned IFS splits variables at that character; show both the
        # split and the joined reading (`r,m` -> `r m` and `rm`).
        s = sep.lower()
        for v in (deob.replace(s, " "), deob.replace(s, "")):
            add(_SPACES.sub(" ", v).strip())
    if ("?" in deob or "*" in deob or "[" in deob) and len(deob) <= MAX_INPUT:
        # a quoted or escaped `*` is literal to the shell (a sed or grep pattern), not a glob
        masked = _mask_quoted_globs(cmd)
        base = deob if masked == cmd else deobfuscate(masked)[0]
        resolved = _resolve_globs(base)
        if resolved != base:
            add(resolved.translate(_UNMASK))
    if _depth >= MAX_DEPTH or len(cmd) > MAX_INPUT:
        return out
    src = fold(cmd[:MAX_INPUT])
    if not _LAYERS.search(src):   # no pipe, quote, substitution, code flag or Windows syntax: nothing nested
        return out
    texts = [src[:MAX_LAYERED]]
    expanded = expand(cmd)[:MAX_LAYERED]
    if expanded != texts[0]:
        texts.append(expanded)
    sub: list[str] = []   # commands found inside other layers, analysed as commands in their own right
    # Windows shells (cmd.exe carets and %VAR%, PowerShell) read differently.
    win: list[str] = []
    for t in texts:
        for v in code.windows_views(t):
            add(_final_view(v))
            sub.extend(code.powershell_payloads(v))
            win.append(v)
    texts += win[:2]
    # Pipelines whose output is computable: what they feed to a shell or interpreter.
    for t in texts:
        for payload, sink, word in pipes.payloads(t):
            if sink == "interpreter":
                vs, cmds = code.analyse(code.lang_of(word), payload)
                for v in vs:
                    add(v)
                sub.extend(cmds)
            else:
                sub.append(payload)
    # Interpreter one-liners (python -c, perl -e, node -e, awk, powershell -c, sh -c, eval ...).
    for t in texts:
        for lang, prog in code.one_liners(t):
            vs, cmds = code.analyse(lang, prog)
            for v in vs:
                add(v)
            sub.extend(cmds)
    for s in dict.fromkeys(sub[:16]):
        for w in views(s, _depth + 1):
            add(w)
    return out


def _final_view(v: str) -> str:
    return _SPACES.sub(" ", v.replace('"', "").replace("'", "")).strip().lower()
