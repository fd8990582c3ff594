"""Quote-aware splitting of command text (bounded, linear, no execution).

`pipelines(text)` cuts a command line into pipelines and their stages at unquoted
`;`, `&&`, `||`, `&`, newlines and `|`; `words(stage)` splits one stage into words
with quotes removed and `$'...'` decoded, keeping here-string (`<<<`) and
here-document bodies as words of their own.
"""
from __future__ import annotations

import re

MAX_TEXT = 64 * 1024
MAX_WORDS = 512
MAX_STAGES = 256

_ESC_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "v": "\v",
               "\\": "\\", "'": "'", '"': '"', "?": "?", " ": " "}
_ESC_RE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|0?[0-7]{1,3}|.)", re.S)


def unescape(s: str) -> str:
    """Decode \\xHH, \\NNN, \\uXXXX and the letter escapes (echo -e, printf, $'...', code literals)."""
    if "\\" not in s:
        return s

    def rep(m: re.Match) -> str:
        e = m.group(1)
        try:
            if e[0] == "x":
                return chr(int(e[1:], 16))
            if e[0] in "uU":
                cp = int(e[1:], 16)
                return chr(cp) if cp <= 0x10FFFF else ""
            if e[0] in "01234567":
                return chr(int(e, 8) & 0xFF)
        except ValueError:
            return ""
        return _ESC_SIMPLE.get(e, "\\" + e)
    return _ESC_RE.sub(rep, s)


_HEREDOC = re.compile(r"<<(-?)[ \t]*(['\"]?)([A-Za-z_][\w.-]{0,63})\2([^\n]*)\n")


def heredocs_to_strings(text: str) -> str:
    """`cmd <<EOF ... | sh` + body + `EOF` -> `cmd <<< 'body' ... | sh` (the body is the stage's input)."""
    if "<<" not in text:
        return text
    out: list[str] = []
    pos = 0
    for _ in range(32):
        m = _HEREDOC.search(text, pos)
        if not m:
            break
        if text.startswith("<", m.start() + 2) or (m.start() > 0 and text[m.start() - 1] == "<"):
            out.append(text[pos:m.end()])
            pos = m.end()
            continue
        end = re.compile(r"^[ \t]*" + re.escape(m.group(3)) + r"[ \t]*$", re.M).search(text, m.end())
        body = text[m.end(): end.start() if end else len(text)]
        out.append(text[pos:m.start()] + "<<< " + _squote(body.rstrip("\n")) + m.group(4) + "\n")
        pos = end.end() if end else len(text)
    out.append(text[pos:])
    return "".join(out)


def pipelines(text: str) -> list[list[str]]:
    """Pipelines (each a list of stage texts) at depth 0, quotes respected.
    Here-documents are turned into here-strings of their body so a stage keeps its input."""
    text = heredocs_to_strings(text[:MAX_TEXT])
    out: list[list[str]] = []
    cur: list[str] = []
    buf: list[str] = []
    i, n, depth, q = 0, len(text), 0, ""
    stages = 0

    def cut(stage_end: bool) -> None:
        nonlocal buf, cur, stages
        s = "".join(buf).strip()
        buf = []
        stages += 1
        if s or cur:
            cur.append(s)
        if not stage_end:
            if any(cur):
                out.append(cur)
            cur = []

    while i < n and stages < MAX_STAGES:
        c = text[i]
        if q:
            buf.append(c)
            if c == "\\" and q != "'" and i + 1 < n:
                buf.append(text[i + 1])
                i += 2
                continue
            if c == q:
                q = ""
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            buf.append(text[i:i + 2])
            i += 2
            continue
        if c in "'\"`":
            q = c
            buf.append(c)
            i += 1
            continue
        if c == "(" or (c == "{" and i > 0 and text[i - 1] == "$"):
            depth += 1
        elif c in ")}" and depth > 0:
            depth -= 1
        elif depth == 0:
            if c in ";\n" or (c == "&" and not text.startswith("&>", i) and (i == 0 or text[i - 1] not in "<>")):
                if c == "&" and text.startswith("&&", i):
                    i += 1
                cut(False)
                i += 1
                continue
            if c == "|":
                if text.startswith("||", i):
                    cut(False)
                    i += 2
                    continue
                if i > 0 and text[i - 1] == ">":   # >| clobber
                    buf.append(c)
                    i += 1
                    continue
                cut(True)
                i += 1 + (text.startswith("|&", i))
                continue
        buf.append(c)
        i += 1
    cut(False)
    return out


def _squote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def words(stage: str) -> list[str]:
    """Words of one simple command: quotes removed, `$'..'` decoded, `<<<` kept as a word."""
    out: list[str] = []
    buf: list[str] = []
    have = False
    s = stage[:MAX_TEXT]
    i, n = 0, len(s)
    while i < n and len(out) < MAX_WORDS:
        c = s[i]
        if c in " \t\n":
            if have:
                out.append("".join(buf))
                buf, have = [], False
            i += 1
            continue
        if c == "<" and s.startswith("<<<", i) and not have:
            out.append("<<<")
            i += 3
            continue
        have = True
        if c == "\\" and i + 1 < n:
            if s[i + 1] != "\n":
                buf.append(s[i + 1])
            i += 2
        elif c == "'":
            j = s.find("'", i + 1)
            j = n if j < 0 else j
            buf.append(s[i + 1:j])
            i = j + 1
        elif c == "$" and s.startswith("$'", i):
            m = re.compile(r"\$'((?:[^'\\]|\\.)*)'", re.S).match(s, i)
            if m:
                buf.append(unescape(m.group(1)))
                i = m.end()
            else:
                buf.append(c)
                i += 1
        elif c == '"':
            j = i + 1
            while j < n and s[j] != '"':
                if s[j] == "\\" and j + 1 < n and s[j + 1] in '"\\$`':
                    buf.append(s[j + 1])
                    j += 2
                    continue
                buf.append(s[j])
                j += 1
            i = j + 1
        else:
            buf.append(c)
            i += 1
    if have:
        out.append("".join(buf))
    return out
