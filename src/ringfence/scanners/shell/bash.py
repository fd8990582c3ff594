"""POSIX-shell/bash de-obfuscation: undo the tricks that hide a command word or path.

Quoting (`c'u'rl`, `c\\url`, `$'\\x63url'`), variables and their expansions
(`a=cu;b=rl;$a$b`, `${x:0:3}`, `${v//X/}`, `${v,,}`, `${!ref}`, `${u:-curl}`),
arrays (`x=(c u r l)`, `${x[@]}`), IFS tricks, brace expansion, functions and
aliases that assemble a command from their arguments, and `$(...)` text pipelines
(see pipes.py). Bounded rounds over bounded text; nothing is run.
"""
from __future__ import annotations

import re

from . import pipes
from .text import MAX_OUTPUT, fold
from .words import unescape, words

MAX_INPUT = 256 * 1024     # longer text gets one cheap round only
MAX_ROUNDS = 10
MAX_VALUE = 4096

# Values used for expansions of well-known variables.
KNOWN_VARS = {
    "HOME": "/home/user", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "SHELL": "/bin/bash", "PWD": "/", "OLDPWD": "/", "USER": "user", "LOGNAME": "user",
    "TMPDIR": "/tmp", "BASH": "/bin/bash", "HOSTTYPE": "x86_64", "OSTYPE": "linux-gnu",
}
# Plain $HOME stays symbolic as "~" so credential-path rules see "~/.ssh".
SYMBOLIC = {"HOME": "~"}

NAME = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
_SEP = r"(?:^|(?<=[;&|\n(]))"

_ANSI_C = re.compile(r"\$'((?:[^'\\]|\\.){0,4096})'", re.S)
_LOCALE_Q = re.compile(r'\$"((?:[^"\\]|\\.){0,4096})"', re.S)
_ECHO_E = re.compile(r"\b(echo\s+-[nE]*e[neE]*|printf)\s+(['\"]?)((?:[^'\"\\|;&]|\\.){0,4096})\2")
_ASSIGN = re.compile(_SEP + r"\s*(?:export\s+|local\s+|readonly\s+|typeset\s+|declare\s+(?:-\w+\s+)?)?(" + NAME
                     + r")(\+?)=('[^']{0,4096}'|\"[^\"]{0,4096}\"|\$'(?:[^'\\]|\\.){0,4096}'|\((?:[^()]{0,4096})\)"
                     + r"|(?:'[^']{0,4096}'|\"[^\"]{0,4096}\"|[^\s;&|()'\"]){0,4096}(?=[\s;&|)]|$))")
_PARAM = re.compile(r"(\"?)\$\{(!?|#)(" + NAME + r"|\d{1,2}|[@*])(?:\[([^\]{}]{0,32})\])?([^{}]{0,256})\}(\"?)")
_VAR_REF = re.compile(r"\$(" + NAME + r")")
_IFS = re.compile(r"\$\{IFS(?::\d{1,3}(?::\d{1,3})?)?\}|\$IFS\b")
_POSITIONAL = re.compile(r"\$\{[@*]\}|\$[@*]|\$\{#\}|\$[1-9](?!\w)")
_BRACE = re.compile(r"(?<!\$)\{([^{}\s]{0,1024},[^{}\s]{0,1024})\}")
_WORD_END = frozenset(" \t\n;|&(){}$`<>")
_QUOTES = re.compile(r"[\"']")
_BACKSLASH = re.compile(r"\\(.)", re.S)
_SPACES = re.compile(r"[ \t]+")


class Env:
    """Variables, arrays and IFS values seen in one command (bounded)."""

    def __init__(self) -> None:
        self.vars: dict[str, str] = {}
        self.arrays: dict[str, list[str]] = {}
        self.ifs: list[str] = []

    def set(self, name: str, raw: str, append: bool) -> None:
        if len(self.vars) + len(self.arrays) >= 256:
            return
        if raw.startswith("(") and raw.endswith(")"):
            self.arrays[name] = [w[:MAX_VALUE] for w in words(raw[1:-1])][:256]
            return
        if raw.startswith("$'"):
            val = unescape(raw[2:-1])
        else:
            val = "".join(words(raw)[:1]) if ("'" in raw or '"' in raw) else raw
        if name == "IFS":
            val = unescape(val)
            if val and val not in self.ifs and len(self.ifs) < 8:
                self.ifs.append(val)
            return
        self.vars[name] = ((self.vars.get(name, "") if append else "") + val)[:MAX_VALUE]

    def values(self, name: str, index: str | None) -> list[str] | None:
        if name in self.arrays:
            arr = self.arrays[name]
            if index in ("@", "*"):
                return arr
            if index is None or index.isdigit():
                k = int(index or 0)
                return [arr[k]] if k < len(arr) else [""]
            return None
        if index not in (None, "0", "@", "*"):
            return None
        if name in self.vars:
            return [self.vars[name]]
        if name in KNOWN_VARS:
            return [KNOWN_VARS[name]]
        return None


def _strip_quotes(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


def glob_regex(pat: str) -> re.Pattern | None:
    """A shell pattern as a regex; None when it could be slow (more than one `*`)."""
    if len(pat) > 64 or pat.count("*") > 1:
        return None
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = pat.find("]", i + 2)
            if j < 0:
                out.append(re.escape(c))
            else:
                body = pat[i + 1:j].replace("\\", "\\\\")
                out.append("[" + ("^" + body[1:] if body[:1] in "!^" else body) + "]")
                i = j
        elif c == "\\" and i + 1 < len(pat):
            i += 1
            out.append(re.escape(pat[i]))
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("".join(out), re.S)
    except re.error:
        return None


def _apply_op(val: str, op: str) -> str | None:
    """One parameter-expansion operator applied to a known value; None if not modelled."""
    if not op:
        return val
    if op in (",,", "@L"):
        return val.lower()
    if op in ("^^", "@U"):
        return val.upper()
    if op == ",":
        return val[:1].lower() + val[1:]
    if op in ("^", "@u"):
        return val[:1].upper() + val[1:]
    if op in ("~~", "~"):
        return val.swapcase()
    if op in ("@Q", "@E", "@P", "@A", "@K", "@a"):
        return unescape(val) if op == "@E" else val
    m = re.fullmatch(r":\s*(-?\s*\d{1,6})(?::\s*(-?\d{1,6}))?", op)
    if m:
        off = int(m.group(1).replace(" ", ""))
        seg = val[off:] if off >= 0 else val[len(val) + off:] if -off <= len(val) else ""
        if m.group(2) is not None:
            ln = int(m.group(2))
            seg = seg[:ln] if ln >= 0 else seg[:ln]
        return seg
    m = re.fullmatch(r"(//|/#|/%|/)((?:[^/\\]|\\.)*)(?:/(.*))?", op, re.S)
    if m:
        kind, pat, rep = m.group(1), m.group(2), _strip_quotes(m.group(3) or "")
        if "*" not in pat and "?" not in pat and "[" not in pat:
            pat = pat.replace("\\", "")
            if not pat:
                return val
            if kind == "//":
                return val.replace(pat, rep)
            if kind == "/#":
                return rep + val[len(pat):] if val.startswith(pat) else val
            if kind == "/%":
                return val[:-len(pat)] + rep if val.endswith(pat) else val
            return val.replace(pat, rep, 1)
        rx = glob_regex(pat)
        if rx is None or len(val) > MAX_VALUE:
            return None
        if kind == "/#":
            mm = rx.match(val)
            return rep + val[mm.end():] if mm else val
        if kind == "/%":
            for k in range(len(val) + 1):
                if rx.fullmatch(val, k):
                    return val[:k] + rep
            return val
        return rx.sub(lambda _: rep, val, count=0 if kind == "//" else 1)
    m = re.fullmatch(r"(##|#|%%|%)(.*)", op, re.S)
    if m:
        kind, pat = m.group(1), m.group(2)
        rx = glob_regex(pat)
        if rx is None or len(val) > MAX_VALUE:
            return None
        ends = [k for k in range(len(val) + 1) if (rx.fullmatch(val, 0, k) if kind[0] == "#" else rx.fullmatch(val, k))]
        if not ends:
            return val
        if kind == "#":
            return val[min(ends):]
        if kind == "##":
            return val[max(ends):]
        if kind == "%":
            return val[:max(ends)]
        return val[:min(ends)]
    return None


def _param(env: Env, m: re.Match) -> str:
    q1, flag, name, index, op, q2 = m.groups()
    whole = m.group(0)
    if name == "IFS":
        return q1 + " " + q2
    if flag == "!":
        ref = env.vars.get(name)
        if ref is None or not re.fullmatch(NAME, ref):
            return whole
        name = ref
    vals = env.values(name, index)
    if flag == "#":
        if vals is None:
            return whole
        return q1 + str(len(vals) if index in ("@", "*") else len(vals[0])) + q2
    dm = re.fullmatch(r"(:?)([-=+?])(.*)", op, re.S)
    if dm:
        colon, kind, word = dm.groups()
        empty = vals is None or (colon and not "".join(vals))
        word = _strip_quotes(word)
        if kind in "-=":
            return q1 + (word if empty else " ".join(vals or [])) + q2
        if kind == "+":
            return q1 + ("" if empty else word) + q2
        return whole if vals is None else q1 + " ".join(vals) + q2
    if vals is None:
        return whole
    out = []
    for v in vals[:256]:
        r = _apply_op(v, op)
        if r is None:
            return whole
        out.append(r)
    if q1 and q2 and index in ("@",) and len(out) > 1:
        return " ".join('"' + o.replace('"', '\\"') + '"' for o in out)
    return q1 + " ".join(out) + q2


_FUNC = re.compile(r"(?:^|(?<=[;&|\n(]))\s*(?:function\s+(" + NAME + r")\s*(?:\(\s*\))?|(" + NAME
                   + r")\s*\(\s*\))\s*\{")
_ALIAS = re.compile(_SEP + r"\s*alias\s+(" + NAME + r")=(\$\([^()]{0,1024}\)|`[^`]{0,1024}`"
                    r"|(?:'[^']{0,1024}'|\"[^\"]{0,1024}\"|[^\s;&|`'\"]){1,1024})")


def _body_end(text: str, i: int) -> int:
    """Index of the `}` closing the brace opened just before i (quotes and ${...} respected)."""
    depth, q = 1, ""
    lim = min(len(text), i + 8192)
    while i < lim:
        c = text[i]
        if q:
            if c == "\\":
                i += 2
                continue
            if c == q:
                q = ""
        elif c in "'\"":
            q = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _expand_positional(body: str, args: list[str]) -> str:
    def rep(m: re.Match) -> str:
        s = m.group(0).strip('"')
        if s in ("$@", "$*", "${@}", "${*}"):
            return " ".join(args)
        m2 = re.fullmatch(r"\$\{@:(\d{1,3})(?::(\d{1,3}))?\}", s)
        if m2:
            lo = max(int(m2.group(1)) - 1, 0)
            hi = lo + int(m2.group(2)) if m2.group(2) else None
            return " ".join(args[lo:hi])
        k = s.strip("${}")
        return args[int(k) - 1] if k.isdigit() and 0 < int(k) <= len(args) else ""
    return re.sub(r"\"?\$[@*]\"?|\$\{[@*]\}|\$\{@:\d{1,3}(?::\d{1,3})?\}|\$\{\d{1,2}\}|\$[1-9]", rep, body)


def inline_functions(text: str) -> str:
    """Calls of functions (and aliases) defined in the same command, shown with their body."""
    if "(" not in text and "function" not in text and "alias" not in text:
        return text
    defs: dict[str, str] = {}
    spans = []
    for m in _FUNC.finditer(text[:MAX_INPUT]):
        end = _body_end(text, m.end())
        if end < 0:
            continue
        defs[m.group(1) or m.group(2)] = text[m.end():end].strip().rstrip(";")
        spans.append((m.start(), end + 1))
        if len(defs) >= 16:
            break
    for m in _ALIAS.finditer(text[:MAX_INPUT]):
        defs[m.group(1)] = "".join(words(m.group(2))[:1]) + ' "$@"'
        if len(defs) >= 32:
            break
    if not defs:
        return text
    names = "|".join(re.escape(n) for n in defs)
    call = re.compile(r"(?:^|(?<=[;&|\n(`]))(\s*)(" + names + r")(?![\w(=-])([^;&|\n)`]*)")
    done = 0

    def rep(m: re.Match) -> str:
        nonlocal done
        if done >= 32 or any(a <= m.start() < b for a, b in spans):
            return m.group(0)
        done += 1
        args = words(m.group(3))
        return m.group(1) + _expand_positional(defs[m.group(2)], args)[:MAX_VALUE]
    return call.sub(rep, text)


def expand_braces(text: str) -> str:
    """`pre{a,b}post` -> `preapost prebpost` (one level, bounded), linear time."""
    if "{" not in text or "," not in text:
        return text
    out: list[str] = []
    last = 0
    for m in _BRACE.finditer(text):
        parts = m.group(1).split(",")
        if len(parts) > 64:
            continue
        i = m.start()
        lo = max(last, i - 256)
        j = i
        while j > lo and text[j - 1] not in _WORD_END:
            j -= 1
        k = m.end()
        hi = min(len(text), k + 256)
        e = k
        while e < hi and text[e] not in _WORD_END and text[e] != "{":
            e += 1
        pre, post = text[j:i], text[k:e]
        out.append(text[last:j])
        out.append(" ".join(pre + p + post for p in parts))
        last = e
    out.append(text[last:])
    return "".join(out)


def _one_round(text: str, env: Env) -> str:
    text = _ANSI_C.sub(lambda m: "'" + unescape(m.group(1)).replace("'", "") + "'", text)
    text = _LOCALE_Q.sub(lambda m: m.group(1), text)
    def ref(m: re.Match) -> str:
        name = m.group(1)
        if name in env.vars:
            return env.vars[name]
        if name in env.arrays:
            return env.arrays[name][0] if env.arrays[name] else ""
        return SYMBOLIC.get(name, m.group(0))

    for m in _ASSIGN.finditer(text):
        raw = m.group(3)
        if "$" in raw and not raw.startswith("'"):   # assignments expand their value when they run
            raw = _VAR_REF.sub(ref, _PARAM.sub(lambda p: _param(env, p), raw))
        env.set(m.group(1), raw, bool(m.group(2)))
    text = _IFS.sub(" ", text)
    text = _PARAM.sub(lambda m: _param(env, m), text)
    text = _VAR_REF.sub(ref, text)
    text = _POSITIONAL.sub("", text)
    text = pipes.substitute(text)
    text = expand_braces(text)
    if len(text) <= MAX_INPUT:
        text = inline_functions(text)
    return text


def final(text: str) -> str:
    text = _BACKSLASH.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)
    text = _QUOTES.sub("", text)
    text = _SPACES.sub(" ", text)
    return text.strip().lower()


def deobfuscate(cmd: str) -> tuple[str, list[str]]:
    """Return (normalised command, IFS characters the command reassigned)."""
    text, ifs = _expand(cmd)
    text = _ECHO_E.sub(lambda m: m.group(1) + " " + unescape(m.group(3)), text)
    return final(text), ifs


def expand(cmd: str) -> str:
    """The command with variables, substitutions, functions and braces expanded; case and quotes kept."""
    return _expand(cmd)[0]


def _expand(cmd: str) -> tuple[str, list[str]]:
    text = fold(cmd[:MAX_OUTPUT])
    rounds = MAX_ROUNDS if len(text) <= MAX_INPUT else 1
    env = Env()
    if len(text) <= MAX_INPUT:
        text = inline_functions(text)
    for _ in range(rounds):
        new = _one_round(text, env)
        if new == text:
            break
        text = new
        if len(text) > MAX_INPUT:  # expansion bomb or huge input: stop expanding
            text = text[:MAX_OUTPUT]
            break
    return text, env.ifs
