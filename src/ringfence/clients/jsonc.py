"""JSON with comments and trailing commas (VS Code's mcp.json allows both)."""
from __future__ import annotations

import json


def _strip(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
        elif c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise ValueError("unterminated /* comment")
            out.append(" ")
            i = j + 2
        elif c in "}]":
            # drop a trailing comma before a closing bracket
            k = len(out) - 1
            while k >= 0 and out[k] in " \t\r\n":
                k -= 1
            if k >= 0 and out[k] == ",":
                del out[k]
            out.append(c)
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def loads(text: str):
    """Plain JSON first (fast, exact); JSONC only when that fails."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(_strip(text))


def indent_of(text: str) -> int | str:
    """The indent the file uses (spaces count or a tab), 2 when unknown."""
    for line in text.splitlines()[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            lead = line[:len(line) - len(stripped)]
            return "\t" if lead.startswith("\t") else len(lead)
    return 2


def dumps(data, like: str) -> str:
    text = json.dumps(data, indent=indent_of(like), ensure_ascii=False)
    return text + ("\n" if like.endswith("\n") or not like else "")
