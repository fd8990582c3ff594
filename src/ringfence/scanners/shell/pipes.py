"""Text pipelines worked out without running them (bounded, no execution).

A command can be built at run time by pure text filters: `echo hcurlx | cut -c2-5`,
`tr a-z n-za-m <<< phey`, `echo <b64> | base64 -d | gunzip`, `rev <<< 'hs|lruc'`,
`printf '\\x63url'`. `run(stages)` computes what such a pipeline prints when every
stage is one of a small set of known filters, and says where the output goes
(a shell, an interpreter, or nowhere). `substitute(text)` replaces `$(...)`,
backquotes and `<(...)` whose content is such a pipeline by its output.
"""
from __future__ import annotations

import re

from ...text.blobs import b32_bytes, b64_bytes, hex_bytes
from ...text.inflate import inflate
from .words import pipelines, unescape, words

MAX_OUT = 64 * 1024
MAX_SUBST = 64

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "busybox"})
INTERPRETERS = frozenset({"python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "lua",
                          "iex", "invoke-expression", "powershell", "pwsh", "powershell.exe", "pwsh.exe",
                          "osascript", "deno", "bun", "tclsh"})


def _base(w: str) -> str:
    w = w.rsplit("/", 1)[-1].lower()
    if re.fullmatch(r"python\d(?:\.\d+)?", w):
        return "python3"
    return w


def _printf(fmt: str, args: list[str]) -> str:
    out: list[str] = []
    fmt = fmt[:4096]
    args = list(args[:256])
    for _ in range(64):
        used = False

        def conv(m: re.Match) -> str:
            nonlocal used
            spec = m.group(1)
            if spec == "%":
                return "%"
            used = True
            a = args.pop(0) if args else ""
            if spec == "b":
                return unescape(a)
            if spec == "c":
                return a[:1]
            if spec in "dixXo":
                try:
                    v = int(a, 0) if a else 0
                except ValueError:
                    return "0"
                return {"x": format(v, "x"), "X": format(v, "X"), "o": format(v, "o")}.get(spec, str(v))
            return a
        out.append(unescape(re.sub(r"%[-+ #0-9.]*([sbcdixXo%])", conv, fmt)))
        if not args or not used:
            break
    return "".join(out)[:MAX_OUT]


def _tr_set(spec: str) -> str:
    classes = {"[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
               "[:digit:]": "0123456789", "[:space:]": " \t\n\r\f\v", "[:blank:]": " \t"}
    for k, v in classes.items():
        spec = spec.replace(k, v)
    spec = unescape(spec)
    out, i = [], 0
    while i < len(spec) and len(out) < 512:
        if i + 2 < len(spec) and spec[i + 1] == "-" and ord(spec[i]) <= ord(spec[i + 2]):
            out.extend(chr(c) for c in range(ord(spec[i]), min(ord(spec[i + 2]), ord(spec[i]) + 512) + 1))
            i += 3
        else:
            out.append(spec[i])
            i += 1
    return "".join(out[:512])


def _tr(args: list[str], data: str) -> str | None:
    flags = "".join(a[1:] for a in args if a.startswith("-") and len(a) > 1)
    sets = [a for a in args if not (a.startswith("-") and len(a) > 1)]
    if not sets:
        return None
    a = _tr_set(sets[0])
    if "d" in flags:
        return data.translate({ord(c): None for c in a})
    if len(sets) < 2:
        return data if "s" in flags else None
    b = _tr_set(sets[1])
    if not a or not b:
        return None
    b = (b + b[-1] * len(a))[:len(a)]
    return data.translate(str.maketrans(a, b))


def _ranges(spec: str, n: int) -> list[int] | None:
    idx: list[int] = []
    for part in spec.split(","):
        m = re.fullmatch(r"(\d*)-?(\d*)", part)
        if not m or not part:
            return None
        lo = int(m.group(1)) if m.group(1) else 1
        hi = int(m.group(2)) if m.group(2) else (n if "-" in part else lo)
        idx.extend(range(max(lo, 1), min(hi, n) + 1))
    return idx


def _cut(args: list[str], data: str) -> str | None:
    chars = fields = None
    delim = "\t"
    i = 0
    while i < len(args):
        a = args[i]
        for flag in ("-c", "-b", "-f", "-d"):
            if a.startswith(flag):
                v = a[2:] or (args[i + 1] if i + 1 < len(args) else "")
                if not a[2:]:
                    i += 1
                if flag in ("-c", "-b"):
                    chars = v
                elif flag == "-f":
                    fields = v
                else:
                    delim = v[:1] or "\t"
        i += 1
    lines = []
    for line in data.split("\n"):
        if chars is not None:
            ix = _ranges(chars, len(line))
            if ix is None:
                return None
            lines.append("".join(line[k - 1] for k in ix))
        elif fields is not None:
            parts = line.split(delim)
            ix = _ranges(fields, len(parts))
            if ix is None:
                return None
            lines.append(delim.join(parts[k - 1] for k in ix) if len(parts) > 1 else line)
        else:
            return None
    return "\n".join(lines)


_SED_S = re.compile(r"s(.)(.*?)(?<!\\)\1(.*?)(?<!\\)\1([gip0-9]*)$", re.S)


def _sed(args: list[str], data: str) -> str | None:
    scripts = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-e" and i + 1 < len(args):
            scripts.append(args[i + 1])
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        scripts.append(a)
        break
    if not scripts:
        return None
    for script in scripts:
        for part in script.split(";")[:8]:
            m = _SED_S.match(part.strip())
            if not m or len(m.group(2)) > 64:
                return None
            pat, rep, fl = m.group(2), m.group(3), m.group(4)
            try:
                import re2   # linear time for a pattern the command supplies
                opts = re2.Options()
                opts.log_errors = False
                opts.case_sensitive = "i" not in fl
                rx = re2.compile(pat.replace("\\(", "(").replace("\\)", ")"), options=opts)
                data = rx.sub(rep.replace("\\", "\\\\").replace("&", "\\0"), data, count=0 if "g" in fl else 1)
            except Exception:  # noqa: BLE001 - an unusual sed dialect: not evaluated
                return None
    return data


def _b64(data: str) -> bytes | None:
    return b64_bytes(data, loose=True) if data.strip() else None


def _text(b: bytes) -> str:
    """Bytes as text: UTF-16LE (PowerShell), UTF-8, else Latin-1 so binary (gzip) survives the next stage."""
    if len(b) >= 4 and b[1:2] == b"\0" and b[3:4] == b"\0":
        return b.decode("utf-16-le", "replace")
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b.decode("latin-1")


def _filter(w: list[str], data: str) -> str | None:
    """One known text filter applied to its input; None when the stage is not one we model."""
    cmd, args = _base(w[0]), w[1:]
    flags = " ".join(a for a in args if a.startswith("-"))
    if cmd == "cat" and not [a for a in args if not a.startswith("-")]:
        return data
    if cmd == "rev":
        return "\n".join(line[::-1] for line in data.split("\n"))
    if cmd == "tr":
        return _tr(args, data)
    if cmd == "cut":
        return _cut(args, data)
    if cmd == "sed":
        return _sed(args, data)
    if cmd in ("base64", "basenc", "b64") and re.search(r"(?:^|\s)(?:-[a-z]*d|--decode|-D)\b", flags):
        b = _b64(data)
        return None if b is None else _text(b)
    if cmd == "base32" and re.search(r"(?:^|\s)(?:-[a-z]*d|--decode)\b", flags):
        b = b32_bytes("".join(data.split()))
        return None if b is None else _text(b)
    if cmd == "openssl" and args[:1] in (["base64"], ["enc"]) and "-d" in args:
        b = _b64(data)
        return None if b is None else _text(b)
    if cmd == "xxd" and "-r" in " ".join(args):
        b = hex_bytes(data, loose=True)
        return None if b is None else _text(b)
    if cmd in ("gunzip", "zcat") or (cmd == "gzip" and "-d" in flags):
        got = inflate(data.encode("latin-1", "replace"), MAX_OUT, formats=("gzip", "zlib"))
        return None if got is None else got[1].decode("utf-8", "replace")
    if cmd == "head" and args[:1] and args[0].startswith("-c"):
        v = args[0][2:] or (args[1] if len(args) > 1 else "")
        return data[:int(v)] if v.isdigit() else None
    if cmd == "awk" and args and re.fullmatch(r"\{\s*print\s*\}", args[-1].strip()):
        return data
    return None


def _source(w: list[str]) -> tuple[str | None, list[str]]:
    """Output of a first stage that produces text by itself (echo, printf, a here-string)."""
    if "<<<" in w:
        k = w.index("<<<")
        here = (w[k + 1] if k + 1 < len(w) else "") + "\n"
        rest = w[:k] + w[k + 2:]
        if not rest:
            return here, []
        return None, [here] + rest   # a filter fed by a here-string
    if not w:
        return None, []
    cmd = _base(w[0])
    if cmd == "echo":
        args = w[1:]
        esc = False
        while args and re.fullmatch(r"-[neE]+", args[0]):
            esc = esc or "e" in args[0]
            args = args[1:]
        s = " ".join(args)
        return (unescape(s) if esc else s) + "\n", []
    if cmd == "printf" and len(w) > 1:
        args = w[1:]
        if args[0] == "-v":
            return None, []
        return _printf(args[0], args[1:]), []
    return None, []


def run(stages: list[str]) -> tuple[str | None, str, str]:
    """(output, sink, sink word): sink is 'shell', 'interpreter' or '' (the output is printed)."""
    if not stages:
        return None, "", ""
    out, fed = _source(words(stages[0]))
    if out is None and fed:
        out = _filter(fed[1:], fed[0])
    if out is None:
        return None, "", ""
    for st in stages[1:]:
        w = words(st)
        while w and ("=" in w[0] and not w[0].startswith("=") or _base(w[0]) in ("sudo", "env", "exec", "command")):
            w = w[1:]
        if not w:
            return out[:MAX_OUT], "", ""
        b = _base(w[0])
        if b in SHELLS or b in ("source", ".") or b == "xargs" and any(_base(x) in SHELLS for x in w[1:3]):
            return out[:MAX_OUT], "shell", b
        if b in INTERPRETERS:
            return out[:MAX_OUT], "interpreter", b
        nxt = _filter(w, out)
        if nxt is None:
            return out[:MAX_OUT], "", ""
        out = nxt[:MAX_OUT]
    return out[:MAX_OUT], "", ""


def payloads(text: str) -> list[tuple[str, str, str]]:
    """Every pipeline in `text` whose output is computable: (output, sink, sink word)."""
    res = []
    for stages in pipelines(text)[:256]:
        if len(stages) < 2 and "<<<" not in stages[0]:
            continue
        out, sink, word = run(stages)
        if out is not None and out.strip():
            res.append((out, sink, word))
            if len(res) >= 16:
                break
    return res


_INNER = re.compile(r"\$\(([^()`]{1,4096})\)|`([^`]{1,4096})`|<\(([^()`]{1,4096})\)")


def substitute(text: str) -> str:
    """Replace innermost `$(...)`, backquotes and `<(...)` that are computable text pipelines."""
    if "$(" not in text and "`" not in text and "<(" not in text:
        return text
    count = 0

    def rep(m: re.Match) -> str:
        nonlocal count
        inner = m.group(1) or m.group(2) or m.group(3)
        if count >= MAX_SUBST:
            return m.group(0)
        count += 1
        pl = pipelines(inner)
        if len(pl) != 1:
            return m.group(0)
        out, sink, _ = run(pl[0])
        if out is None or sink:
            return m.group(0)
        out = out.rstrip("\n")
        return out.replace("\n", " ") if not m.group(3) else out
    return _INNER.sub(rep, text[:2 * MAX_OUT * 4])
