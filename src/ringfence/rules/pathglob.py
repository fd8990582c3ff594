"""Compile the sensitive-file catalogue's globs (see rules/sensitive_files.py)
into regex source that finds such a path anywhere in a lower-cased path or
command view: either separator, home and XDG/Windows variables, backup
suffixes (`.bak`, `~`), and nothing glued on either side."""
from __future__ import annotations

import re

SEP = r"[/\\]"
_NAME = r"[^/\\\s;|&<>'\"`]"          # one character of a path name
_LEFT = r"(?<![\w.$%-])"              # not in the middle of a longer name
_BACKUP = r"(?:\.(?:bak|backup|old|orig|save|copy|tmp|\d{1,3}))?~?"
_RIGHT = r"(?![\w.-]|[/\\])"          # a file: nothing glued, not a directory prefix
_PREFIXES = (  # home-relative prefixes with their variable spellings
    ("~/appdata/roaming/", r"(?:appdata" + SEP + r"roaming|%appdata%|\$env:appdata)" + SEP),
    ("~/appdata/local/", r"(?:appdata" + SEP + r"local|%localappdata%|\$env:localappdata)" + SEP),
    ("~/.config/", r"(?:\.config|\$xdg_config_home|\$\{xdg_config_home\})" + SEP),
    ("~/.local/share/", r"(?:\.local" + SEP + r"share|\$xdg_data_home|\$\{xdg_data_home\})" + SEP),
    ("~/", ""),
    ("**/", ""),
)


def _split_alts(s: str) -> list[str]:
    out, depth, cur = [], 0, []
    for ch in s:
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        if ch in ",|" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _close(s: str, i: int, close: str) -> int:
    depth = 0
    for j in range(i, len(s)):
        if s[j] in "{(":
            depth += 1
        elif s[j] in "})":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError(f"unbalanced {close} in {s!r}")


def _body(g: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(g):
        c = g[i]
        if g.startswith("**/", i):
            out.append(r"(?:[^\n;|&<>'\"`]{0,160}?" + SEP + ")?")
            i += 3
        elif g.startswith("!(", i):
            j = _close(g, i + 1, ")")
            alts = "|".join(_body(a) for a in _split_alts(g[i + 2:j]))
            out.append(r"(?!(?:" + alts + r")" + _RIGHT + ")")
            i = j + 1
        elif c == "{":
            j = _close(g, i, "}")
            out.append("(?:" + "|".join(_body(a) for a in _split_alts(g[i + 1:j])) + ")")
            i = j + 1
        elif c == "*":
            out.append(_NAME + "{0,128}")
            i += 1
        elif c == "?":
            out.append(_NAME)
            i += 1
        elif c == "/":
            out.append(SEP)
            i += 1
        elif c == " ":
            out.append(r"(?:\\?\x20|%20)")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _parts(glob: str) -> tuple[str, str, str, str]:
    """(left boundary, head, glob body, tail) of one glob."""
    g = glob.lower()
    head, left = "", _LEFT
    if g.startswith("/"):  # an absolute path, with a Windows drive or not, or after ../
        head, left = r"(?:[a-z]:)?", r"(?<![\w-])"
    else:
        for p, rx in _PREFIXES:
            if g.startswith(p):
                head, g = rx, g[len(p):]
                break
        else:
            raise ValueError(f"glob must start with ~/, **/ or /: {glob!r}")
        if not head and g.startswith("*") and not g.startswith("**"):
            left, g = "", g[1:]  # `*.p12`: find the literal part; any name may precede it
    if g.endswith("/**"):
        return left, head, g[:-3], SEP
    if g.endswith("/"):  # the directory itself
        return left, head, g[:-1], SEP + "?" + _RIGHT
    return left, head, g, _BACKUP + _RIGHT


def compile_glob(glob: str) -> str:
    left, head, g, tail = _parts(glob)
    return left + head + _body(g) + tail


def compile_globs(globs) -> str:
    """One alternation, factored by boundary, head and first plain character (the
    regex engine then tries a few branches per position, not hundreds)."""
    heads: dict[tuple[str, str], dict[str, list[str]]] = {}
    for glob in globs:
        left, head, g, tail = _parts(glob)
        first = g[0] if g[:1].isalnum() or g[:1] in ("." , "_", "-") else ""
        heads.setdefault((left, head), {}).setdefault(first, []).append(_body(g[len(first):]) + tail)
    out = []
    for (left, head), byfirst in heads.items():
        branches = [re.escape(ch) + "(?:" + "|".join(rest) + ")" for ch, rest in byfirst.items() if ch]
        branches += byfirst.get("", [])
        out.append(left + head + "(?:" + "|".join(branches) + ")")
    return "(?:" + "|".join(out) + ")"
