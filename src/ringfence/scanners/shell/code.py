"""Commands hidden in other languages: interpreter one-liners, PowerShell, cmd.exe.

`one_liners(text)` finds program text handed to an interpreter on the command
line (`python -c`, `perl -e`, `node -e`, `ruby -e`, `php -r`, `awk 'prog'`,
`powershell -c`, `bash -c`, `eval`, `cmd /c`, here-strings into any of them).
`analyse(lang, prog)` folds the program's string literals (concatenation, chr()
lists, hex/base64/rot13 decoders, reversal, replace/join/format) and returns a
normalised view of the program and the command strings it hands to a shell
(`os.system`, `subprocess`, `child_process`, `system()`, backquotes, IEX).
`windows_views(text)` reads cmd.exe carets, `set` variables and `%VAR%` (with
`:~s,l` substrings), PowerShell backtick escapes and Windows paths.
"""
from __future__ import annotations

import re

from ...text.blobs import b64_bytes, hex_bytes
from ...text.chars import rot13
from .words import pipelines, unescape, words

MAX_CODE = 64 * 1024
MAX_ROUNDS = 8

_LIT = r"""(?:[rbuf]{0,2}"(?:[^"\\\n]|\\.){0,4096}"|[rbuf]{0,2}'(?:[^'\\\n]|\\.){0,4096}')"""
_LIT_RE = re.compile(_LIT, re.S)
_SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "busybox"}


def _base(w: str) -> str:
    w = w.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower()
    if w.endswith(".exe"):
        w = w[:-4]
    if re.fullmatch(r"python\d(?:\.\d+)?", w):
        return "python3"
    if w in ("gawk", "mawk", "nawk"):
        return "awk"
    if w == "nodejs":
        return "node"
    return w


def lang_of(word: str) -> str:
    """Language name of an interpreter word (`python3.11` -> python3, `gawk` -> awk)."""
    return _base(word)


def _lit_value(tok: str) -> str:
    """The text of one literal token (prefix and quotes removed, escapes decoded)."""
    i = 0
    while tok[i] not in "'\"":
        i += 1
    raw = "r" in tok[:i].lower()
    body = tok[i + 1:-1]
    return body if raw else unescape(body)


def _lit(s: str) -> str:
    """A literal token for text s (quotes chosen so the token re-parses)."""
    s = s[:MAX_CODE]
    if '"' not in s:
        return '"' + s.replace("\\", "\\\\") + '"'
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _b64(s: str) -> str | None:
    b = b64_bytes(s, loose=True)
    if b is None:
        return None
    if len(b) >= 4 and b[1:2] == b"\0" and b[3:4] == b"\0":
        return b.decode("utf-16-le", "replace")
    return b.decode("utf-8", "replace")


def _hex(s: str) -> str | None:
    b = hex_bytes(s, loose=True)
    return None if b is None else b.decode("utf-8", "replace")


def _chars(nums: str) -> str | None:
    out = []
    for n in re.findall(r"0x[0-9a-fA-F]+|\d+", nums)[:4096]:
        v = int(n, 0)
        if v > 0x10FFFF:
            return None
        out.append(chr(v))
    return "".join(out)


L = r"(" + _LIT + r")"
# A list of character codes. The comma is required between codes: with an optional one, "7373"
# splits as 7|373, 73|73, ... and a list with no closing match backtracks exponentially.
_CODES = r"(?:0x[0-9a-f]+|\d+)(?:\s*,\s*(?:0x[0-9a-f]+|\d+)){0,4095}\s*(?:,\s*)?"

# Decoders with literal arguments (Python, Perl, Ruby, PHP, JavaScript, PowerShell).
_DECODERS: list[tuple[re.Pattern, object]] = [
    (re.compile(r"(?:base64\.)?(?:b64decode|decodebytes|standard_b64decode|urlsafe_b64decode|decodestring)\(\s*" + L
                + r"\s*\)|\batob\(\s*" + L + r"\s*\)|(?:mime::base64::)?decode_base64\(\s*" + L + r"\s*\)"
                + r"|base64_decode\(\s*" + L + r"\s*\)|base64\.(?:strict_)?decode64\(\s*" + L + r"\s*\)"
                + r"|buffer\.from\(\s*" + L + r"\s*,\s*['\"]base64['\"]\s*\)|\[(?:system\.)?convert\]::frombase64string\(\s*"
                + L + r"\s*\)", re.I), lambda g: _b64(_lit_value(next(x for x in g if x)))),
    (re.compile(r"bytes\.fromhex\(\s*" + L + r"\s*\)|(?:binascii\.)?(?:unhexlify|a2b_hex)\(\s*" + L + r"\s*\)"
                + r"|pack\(\s*['\"]h\*['\"]\s*,\s*" + L + r"\s*\)|hex2bin\(\s*" + L + r"\s*\)"
                + r"|buffer\.from\(\s*" + L + r"\s*,\s*['\"]hex['\"]\s*\)", re.I),
     lambda g: _hex(_lit_value(next(x for x in g if x)))),
    (re.compile(r"codecs\.(?:decode|encode)\(\s*" + L + r"\s*,\s*['\"]rot.?13['\"]\s*\)|str_rot13\(\s*" + L + r"\s*\)",
                re.I), lambda g: rot13(_lit_value(next(x for x in g if x)))),
    (re.compile(r"(?:string\.fromcharcode|pack\(\s*['\"]c\*['\"]\s*,)\s*(?:\(\s*)?(" + _CODES + r")\)",
                re.I), lambda g: _chars(g[0])),
    (re.compile(r"\[char\[\]\]\s*(?:\(\s*)?(" + _CODES + r")(?:\)\s*)?-join\s*(?:''|\"\")", re.I),
     lambda g: _chars(g[0])),
    (re.compile(r"(?:\bchr\(\s*(0x[0-9a-f]+|\d+)\s*\)|\[char\]\s*\(?(0x[0-9a-f]+|\d+)\)?|\b(\d+)\.chr\b)", re.I),
     lambda g: _chars(next(x for x in g if x))),
    (re.compile(L + r"\s*\[\s*::\s*-1\s*\]|(?:\bscalar\s+)?\breverse\s*(?:\(\s*)?" + L + r"\s*\)?|strrev\(\s*" + L
                + r"\s*\)|" + L + r"\.reverse\b(?:\(\))?|" + L
                + r"\.split\(\s*(?:''|\"\")\s*\)\.reverse\(\)\.join\(\s*(?:''|\"\")\s*\)", re.I),
     lambda g: _lit_value(next(x for x in g if x))[::-1]),
    (re.compile(L + r"\s*\.\s*replace\(\s*" + L + r"\s*,\s*" + L + r"\s*\)|" + L + r"\s*-replace\s*" + L + r"\s*,\s*"
                + L, re.I),
     lambda g: (_lit_value(g[0]).replace(_lit_value(g[1]), _lit_value(g[2])) if g[0] else
                re.sub(re.escape(_lit_value(g[4])), _lit_value(g[5]).replace("\\", "\\\\"), _lit_value(g[3]),
                       flags=re.I))),
    (re.compile(r"(?:" + L + r"|\[\s*\]|\(\s*\))\s*\.\s*join\(\s*(?:\[\s*)?((?:" + _LIT + r"\s*(?:,\s*)?){1,256})(?:\]\s*)?\)"
                + r"|\[\s*((?:" + _LIT + r"\s*(?:,\s*)?){1,256})\]\s*\.\s*join\(\s*" + L + r"?\s*\)"
                + r"|-join\s*\(\s*((?:" + _LIT + r"\s*(?:,\s*)?){1,256})\)", re.I),
     lambda g: (_lit_value(g[0]) if g[0] else "").join(_lit_value(t) for t in _LIT_RE.findall(g[1])) if g[1] else
     (_lit_value(g[3]) if g[3] else "").join(_lit_value(t) for t in _LIT_RE.findall(g[2])) if g[2] else
     "".join(_lit_value(t) for t in _LIT_RE.findall(g[4]))),
    # PowerShell format operator: ("{1}{0}" -f 'rl','cu')
    (re.compile(r"\(?\s*" + L + r"\s*-f\s*((?:" + _LIT + r"\s*(?:,\s*)?){1,64})\)?", re.I),
     lambda g: _format(_lit_value(g[0]), [_lit_value(t) for t in _LIT_RE.findall(g[1])])),
    (re.compile(L + r"\s*\.\s*(?:decode|tostring|encode)\(\s*(?:" + _LIT + r"\s*)?\)", re.I),
     lambda g: _lit_value(g[0])),
]
# Each decoder runs only when one of its words is in the text (most programs have none).
_DECODER_WORDS = (("b64decode", "decodebytes", "decodestring", "atob", "base64"), ("fromhex", "unhexlify", "a2b_hex",
                  "pack", "hex2bin", "hex"), ("rot",), ("fromcharcode", "pack"), ("[char[]]",), ("chr", "[char]"),
                  ("[::-1]", "reverse", "strrev"), ("replace",), ("join",), ("-f",), ("decode", "tostring", "encode"))
_DECODERS = [(re.compile("(?:" + rx.pattern + ")|(?P<lit>" + _LIT + ")", rx.flags), fn, kws)
             for (rx, fn), kws in zip(_DECODERS, _DECODER_WORDS)]
# Literal concatenation: + (Python, JS, PowerShell, Ruby), . (Perl, PHP), .. (Lua), & (VB), juxtaposition (awk, Python).
# A lone literal matches too, so scanning resumes after it and never starts inside a string.
_CONCAT = {j: re.compile(L + r"((?:\s*(?:(?:\+|\.\.|\.|&)\s*)" + ("?" if j else "") + _LIT + r"){0,256})")
           for j in (True, False)}
_CONCAT_OP = {j: re.compile(r"\s*(?:(?:\+|\.\.|\.|&)\s*)" + ("?" if j else "") + r"(" + _LIT + r")") for j in (True, False)}
_JUXTAPOSE = frozenset({"awk", "python3", "ruby"})   # languages where "a" "b" is one string


def _format(fmt: str, args: list[str]) -> str:
    return re.sub(r"\{(\d{1,2})\}", lambda m: args[int(m.group(1))] if int(m.group(1)) < len(args) else "", fmt)


def fold_literals(prog: str, juxtapose: bool = False) -> str:
    """String literals folded: decoders applied, concatenations joined (bounded rounds).
    `juxtapose`: adjacent literals are one string (awk, Python, Ruby)."""
    prog = prog[:MAX_CODE]
    for _ in range(MAX_ROUNDS):
        before = prog
        low = prog.lower()
        for rx, fn, kws in _DECODERS:
            if not any(k in low for k in kws):
                continue

            def rep(m: re.Match, fn=fn) -> str:
                if m.group("lit") is not None:   # a whole literal: skip it (no decoding inside strings)
                    return m.group(0)
                try:
                    v = fn(m.groups())
                except (ValueError, StopIteration, IndexError, re.error):
                    return m.group(0)
                return m.group(0) if v is None else _lit(v)
            prog = rx.sub(rep, prog)
        prog = _CONCAT[juxtapose].sub(lambda m: m.group(0) if not m.group(2) else _lit(_lit_value(m.group(1)) + "".join(
            _lit_value(t) for t in _CONCAT_OP[juxtapose].findall(m.group(2)))), prog)
        if prog == before or len(prog) > MAX_CODE:
            break
    return prog[:MAX_CODE]


# Functions that hand a string (or a list of strings) to a shell or run a program.
_EXEC = re.compile(r"(?:\b(?:system|popen|popen2|popen3|exec|execsync|execfilesync|execfile|spawn|spawnsync|"
                   r"check_output|check_call|call|run|getoutput|getstatusoutput|shell_exec|passthru|proc_open|"
                   r"capture2e?|capture3|pipeline|invoke-expression|iex|start-process|create|os\.exec\w*|qx)"
                   r"|%x|&)\s*(?:[({]\s*)?(\[\s*)?((?:" + _LIT + r"\s*(?:,\s*)?){1,256})", re.I)
_BACKQUOTE = re.compile(r"`([^`]{2,4096})`")


def exec_strings(prog: str) -> list[str]:
    """Command strings a (folded) program hands to a shell."""
    out = []
    for m in _EXEC.finditer(prog[:MAX_CODE]):
        parts = [_lit_value(t) for t in _LIT_RE.findall(m.group(2))]
        cmd = " ".join(p for p in parts if p)
        if cmd.strip() and (" " in cmd.strip() or "/" in cmd):
            out.append(cmd)
        if len(out) >= 16:
            break
    for m in _BACKQUOTE.finditer(prog[:MAX_CODE]):
        out.append(m.group(1))
        if len(out) >= 24:
            break
    return out


def analyse(lang: str, prog: str) -> tuple[list[str], list[str]]:
    """(views of the program, shell commands it runs)."""
    if lang in _SHELLS or lang in ("eval", "cmd"):
        return [], [prog]
    folded = fold_literals(prog, lang in _JUXTAPOSE)
    flag = {"python3": "-c", "perl": "-e", "ruby": "-e", "node": "-e", "php": "-r", "awk": "",
            "powershell": "-c", "pwsh": "-c"}.get(lang, "-e")
    view = re.sub(r"[ \t]+", " ", (lang + " " + flag + " " + _LIT_RE.sub(lambda m: _lit_value(m.group(0)), folded))
                  .lower()).strip()
    cmds = exec_strings(folded)
    if lang == "awk":  # print ... | "sh"  /  "cmd" | getline
        for m in re.finditer(r"(" + _LIT + r")\s*\|\s*getline|\|\s*(" + _LIT + r")", folded):
            cmds.append(_lit_value(m.group(1) or m.group(2)))
    if lang in ("powershell", "pwsh", "iex"):
        cmds.extend(powershell_payloads(folded))
    return [view], cmds


_PREFIX = {"sudo", "env", "exec", "nohup", "command", "builtin", "time", "nice", "stdbuf", "doas", "timeout"}
_CODE_FLAGS = {"python3": ("-c",), "perl": ("-e", "-E"), "ruby": ("-e",), "node": ("-e", "--eval", "-p", "--print"),
               "php": ("-r",), "lua": ("-e",), "rscript": ("-e",), "osascript": ("-e",), "bun": ("-e", "--eval"),
               "deno": ("eval",)}


def one_liners(text: str) -> list[tuple[str, str]]:
    """(language, program) for every program handed to an interpreter or shell on the command line."""
    out: list[tuple[str, str]] = []
    for stages in pipelines(text[:MAX_CODE])[:256]:
        for st in stages:
            w = words(st)
            while w and (w[0] in _PREFIX or re.fullmatch(r"[A-Za-z_]\w*=.*", w[0])):
                w = w[1:]
                while w and (w[0].startswith("-") or re.fullmatch(r"\d+[smhd]?", w[0])):
                    w = w[1:]
            if not w:
                continue
            b = _base(w[0])
            prog = _raw_program(b, st) if b in ("cmd", "%comspec%", "powershell", "pwsh") else None
            prog = prog if prog is not None else _program(b, w)
            if prog is not None and prog.strip():
                out.append(("sh" if b in _SHELLS or b in ("su", "eval") else b, prog))
            if len(out) >= 16:
                return out
    return out


_RAW_FLAG = {"cmd": re.compile(r"\s/[ckr]\s+(.*)$", re.I | re.S),
             "powershell": re.compile(r"\s[-/]c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?\s+(.*)$", re.I | re.S)}


def _raw_program(b: str, stage: str) -> str | None:
    """The text after `cmd /c` or `powershell -Command`, as written (one level of quotes removed)."""
    rx = _RAW_FLAG["cmd" if b in ("cmd", "%comspec%") else "powershell"]
    m = rx.search(stage)
    if not m:
        return None
    prog = m.group(1).strip()
    if len(prog) >= 2 and prog[0] == prog[-1] == '"':
        prog = prog[1:-1]
    return prog


def _program(b: str, w: list[str]) -> str | None:
    if "<<<" in w:
        k = w.index("<<<")
        if k + 1 < len(w) and (b in _CODE_FLAGS or b in _SHELLS or b in ("powershell", "pwsh", "iex")):
            return w[k + 1]
    if b in _CODE_FLAGS:
        flags = _CODE_FLAGS[b]
        for i, a in enumerate(w[1:-1], 1):
            if a in flags or (b in ("perl", "ruby") and re.fullmatch(r"-[a-zA-Z]*[eE]", a)):
                return w[i + 1]
        return None
    if b == "awk":
        args = w[1:]
        i = 0
        while i < len(args):
            if args[i] in ("-F", "-v", "-f"):
                if args[i] == "-f":
                    return None
                i += 2
                continue
            if args[i].startswith("-"):
                i += 1
                continue
            return args[i]
        return None
    if b in _SHELLS or b == "su":
        for i, a in enumerate(w[1:-1], 1):
            if re.fullmatch(r"-[a-z]*c[a-z]*", a):
                return w[i + 1]
        return None
    if b == "eval":
        return " ".join(w[1:])
    if b in ("powershell", "pwsh"):
        for i, a in enumerate(w[1:-1], 1):
            al = a.lower()
            if re.fullmatch(r"[-/]c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?", al):
                return " ".join(w[i + 1:])
        rest = [a for a in w[1:] if not a.startswith(("-", "/"))]
        return " ".join(rest) if rest and not _ENC_FLAG.search(" ".join(w)) else None
    if b in ("cmd", "%comspec%"):
        for i, a in enumerate(w[1:-1], 1):
            if a.lower() in ("/c", "/k", "/r"):
                return " ".join(w[i + 1:])
    return None


# ---- Windows: cmd.exe and PowerShell -------------------------------------------------

_ENC_FLAG = re.compile(r"(?:^|\s)[-/]e(?:c|n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?)?)?)?)?)?)?"
                       r"\s+['\"]?([A-Za-z0-9+/=]{8,})", re.I)
_WIN_MARK = re.compile(r"\w\^\w|%\w+%|%\w+:~|\$env:|powershell|pwsh|\bcmd(?:\.exe)?\s+/[ckr]\b|\b[a-z]:\\\w"
                       r"|\w`\w|-join\b|\[char\]|new-object|invoke-|\biex\b|(?:^|[&|(])\s*set\s+\"?\w+=", re.I)
_CMD_SET = re.compile(r"(?:^|[&|\s(])set\s+\"?(\w{1,64})=([^&|\"\n]{0,1024})\"?", re.I)
_CMD_VAR = re.compile(r"%(\w{1,64})(?::~(-?\d{1,4})(?:,(-?\d{1,4}))?|:([^%=]{1,32})=([^%]{0,32}))?%")
_WIN_KNOWN = {"userprofile": "~", "homepath": "~", "home": "~", "appdata": "~/appdata/roaming",
              "localappdata": "~/appdata/local", "temp": "/tmp", "tmp": "/tmp", "comspec": "c:/windows/system32/cmd.exe",
              "systemroot": "c:/windows", "windir": "c:/windows", "programdata": "c:/programdata",
              "public": "c:/users/public", "homedrive": "c:", "systemdrive": "c:"}
_PS_ENV = re.compile(r"\$(?:env:)?(userprofile|home|appdata|localappdata|temp|tmp|comspec|homepath)\b", re.I)


def windows_views(text: str) -> list[str]:
    """Readings of text as cmd.exe or PowerShell would see it (case kept); [] when nothing Windows-like."""
    if not _WIN_MARK.search(text[:MAX_CODE]):
        return []
    t = text[:MAX_CODE]
    env = {k.lower(): v for k, v in _CMD_SET.findall(t)[:64]}
    out = []
    t = t.replace("^", "")

    def var(m: re.Match) -> str:
        name = m.group(1).lower()
        val = env.get(name, _WIN_KNOWN.get(name))
        if val is None:
            return m.group(0)
        if m.group(2) is not None:
            s = int(m.group(2))
            seg = val[s:] if s >= 0 else val[len(val) + s:]
            if m.group(3) is not None:
                n = int(m.group(3))
                seg = seg[:n] if n >= 0 else seg[:len(seg) + n]
            return seg
        if m.group(4) is not None:
            return re.sub(re.escape(m.group(4)), m.group(5), val, flags=re.I)
        return val
    for _ in range(3):
        n = _CMD_VAR.sub(var, t)
        if n == t:
            break
        t = n
    t = _PS_ENV.sub(lambda m: _WIN_KNOWN.get(m.group(1).lower(), "~"), t)
    # PowerShell backtick escapes inside words: I`E`X, Ne`w-Ob`ject
    t = re.sub(r"(?<=[\w.-])`(?=[\w.-])", "", t)
    t = fold_literals(t)
    t = re.sub(r"\.\s*\(\s*(" + _LIT + r")\s*\)", lambda m: "." + _lit_value(m.group(1)), t)
    t = re.sub(r"&\s*\(\s*(" + _LIT + r")\s*\)", lambda m: _lit_value(m.group(1)), t)
    t = t.replace("\\", "/")
    out.append(re.sub(r"[ \t]+", " ", t).strip())
    return out


def powershell_payloads(view: str) -> list[str]:
    """`-EncodedCommand` payloads (any abbreviation; UTF-16LE base64) and IEX string arguments."""
    out = []
    low = view.lower()
    if "power" in low or "pwsh" in low:
        for m in _ENC_FLAG.finditer(view[:MAX_CODE]):
            dec = _b64(m.group(1))
            if dec and sum(c.isprintable() or c in "\r\n\t" for c in dec) >= 0.9 * len(dec):
                out.append(dec)
            if len(out) >= 4:
                break
    return out
