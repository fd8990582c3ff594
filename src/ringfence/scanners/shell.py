"""Shell de-obfuscation before tool-policy matching (sans-io, bounded).

An agent (or an injected instruction) can hide `rm -rf /` as `r\\m -rf /`,
`{rm,-rf,/}`, `$'\\x72m'`, `a=rm; $a -rf /`, `IFS=,;C=r,m;$C ...` or with
Cyrillic look-alike letters. `views(cmd)` returns a few normalised forms of a
command; policy rules match any of them. This is not a shell: it only undoes
the common hiding tricks, in a bounded number of rounds over bounded text.
"""
from __future__ import annotations

import re
import unicodedata

MAX_INPUT = 256 * 1024     # longer text gets one cheap round only
MAX_ROUNDS = 10
MAX_OUTPUT = 512 * 1024     # expansion (braces, variables) must not blow up

# Letters that render like ASCII letters (Cyrillic, Greek, a few others).
# Written from the Unicode charts; NFKC already folds fullwidth forms.
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ո": "n", "ս": "u",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "χ": "x", "υ": "u",
    "ϲ": "c", "ϳ": "j", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "ı": "i", "ℓ": "l", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "⁄": "/",
    "∕": "/", "／": "/", "＼": "\\", "‘": "'", "’": "'", "“": '"', "”": '"',
}
# Invisible characters dropped outright (zero-width, soft hyphen, BOM, tags).
_INVISIBLE = dict.fromkeys([0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E,
                            0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062,
                            0x2063, 0x2064, 0xFEFF])
_FOLD = str.maketrans({**{ord(k): v for k, v in _CONFUSABLES.items()}, **_INVISIBLE})

# Values used for ${VAR:off:len} of well-known variables.
_KNOWN_VARS = {
    "HOME": "/home/user", "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "SHELL": "/bin/bash", "PWD": "/", "OLDPWD": "/", "USER": "user", "LOGNAME": "user",
    "TMPDIR": "/tmp",
}
# Plain $HOME stays symbolic as "~" so credential-path rules see "~/.ssh".
_SYMBOLIC = {"HOME": "~"}

_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
_SEP = r"(?:^|(?<=[;&|\n(]))"


_LOOKALIKE = "".join(k for k in _CONFUSABLES if k.isalpha())
_LOOK_RE = re.compile("[" + _LOOKALIKE + "]")
_FULLWIDTH = re.compile("[\uff01-\uff5e]+")


def homoglyphs(text: str) -> str:
    """A word that mixes look-alike letters with ASCII letters (or uses
    fullwidth ASCII): a sign of deliberate evasion in a command. '' if none."""
    text = text[:MAX_OUTPUT]
    for m in _LOOK_RE.finditer(text):
        i = m.start()
        near = text[max(0, i - 1): i + 2]
        if any("a" <= c.lower() <= "z" for c in near):
            lo = max(text.rfind(" ", 0, i) + 1, i - 20)
            return text[lo: i + 20].split(" ")[0][:40]
    m = _FULLWIDTH.search(text)
    return m.group(0)[:40] if m else ""


_TAGS = re.compile("[\U000E0000-\U000E007F]")


def fold(text: str) -> str:
    """NFKC, look-alike letters to ASCII, invisible characters removed."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_FOLD)
    # Unicode tag characters (U+E0000..E007F) carry hidden ASCII: decode them.
    if _TAGS.search(text):
        text = "".join(chr(ord(c) - 0xE0000) if 0xE0020 <= ord(c) <= 0xE007E else
                       ("" if 0xE0000 <= ord(c) <= 0xE007F else c) for c in text)
    return text


_ESC_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "a": "", "b": "", "e": "", "f": "", "v": "",
               "\\": "\\", "'": "'", '"': '"', "?": "?", " ": " "}
_ESC_RE = re.compile(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|0?[0-7]{1,3}|.)", re.S)


def _unescape(s: str) -> str:
    """Decode \\xHH, \\NNN, \\uXXXX and the usual letter escapes (echo -e / printf / $'...')."""
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
        return _ESC_SIMPLE.get(e, e)
    return _ESC_RE.sub(rep, s)


_ANSI_C = re.compile(r"\$'((?:[^'\\]|\\.){0,4096})'", re.S)
_LOCALE_Q = re.compile(r'\$"((?:[^"\\]|\\.){0,4096})"', re.S)
# $(echo X) / $(printf X) / `echo X` / `printf X`: the output is the argument text.
_SUBST_ECHO = re.compile(r"\$\(\s*(?:builtin\s+)?(echo|printf)((?:\s+-[neE]+)*)\s+([^()`]{0,4096}?)\s*\)")
_TICK_ECHO = re.compile(r"`\s*(echo|printf)((?:\s+-[neE]+)*)\s+([^`]{0,4096}?)\s*`")
_ECHO_E = re.compile(r"\b(echo\s+-[nE]*e[neE]*|printf)\s+(['\"]?)((?:[^'\"\\|;&]|\\.){0,4096})\2")
_ASSIGN = re.compile(_SEP + r"\s*(?:export\s+|local\s+|declare\s+(?:-\w+\s+)?)?(" + _NAME + r")=('[^']{0,4096}'|\"[^\"]{0,4096}\"|[^\s;&|]{0,4096})")
_VAR_SUBSTR = re.compile(r"\$\{(" + _NAME + r"):(-?\s*\d{1,6})(?::(\d{1,6}))?\}")
_VAR_INDIRECT = re.compile(r"\$\{!(" + _NAME + r")\}")
_VAR_REF = re.compile(r"\$\{(" + _NAME + r")\}|\$(" + _NAME + r")")
_IFS = re.compile(r"\$\{IFS(?::\d{1,3}(?::\d{1,3})?)?\}|\$IFS\b")
_POSITIONAL = re.compile(r"\$\{[@*]\}|\$[@*]|\$\{#\}")
_BRACE = re.compile(r"(?<!\$)\{([^{}\s]{0,1024},[^{}\s]{0,1024})\}")
_WORD_END = frozenset(" \t\n;|&(){}$`<>")
_QUOTES = re.compile(r"[\"']")
_BACKSLASH = re.compile(r"\\(.)", re.S)
_SPACES = re.compile(r"[ \t]+")


def _strip_quotes(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


def _echo_output(cmd: str, flags: str, arg: str) -> str:
    arg = _QUOTES.sub("", arg)
    if cmd == "printf" or "e" in flags:
        arg = _unescape(arg)
    return arg.replace("\n", " ").strip()


def _expand_braces(text: str) -> str:
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


def _one_round(text: str, env: dict[str, str], ifs: list[str]) -> str:
    # ANSI-C and locale quotes: decode escapes, keep the content.
    text = _ANSI_C.sub(lambda m: _unescape(m.group(1)), text)
    text = _LOCALE_Q.sub(lambda m: m.group(1), text)
    # echo/printf command substitution.
    text = _SUBST_ECHO.sub(lambda m: _echo_output(m.group(1), m.group(2), m.group(3)), text)
    text = _TICK_ECHO.sub(lambda m: _echo_output(m.group(1), m.group(2), m.group(3)), text)
    # Assignments seen in this command: remember them (IFS specially).
    for m in _ASSIGN.finditer(text):
        name, val = m.group(1), _strip_quotes(m.group(2))
        if name == "IFS":
            val = _unescape(val)
            if val and val not in ifs and len(ifs) < 8:
                ifs.append(val)
        elif len(env) < 256:
            env[name] = val[:4096]
    text = _IFS.sub(" ", text)
    text = _POSITIONAL.sub("", text)

    def substr(m: re.Match) -> str:
        name = m.group(1)
        val = env.get(name, _KNOWN_VARS.get(name))
        if val is None:
            return m.group(0)
        off = int(m.group(2).replace(" ", ""))
        ln = m.group(3)
        seg = val[off:] if off >= 0 else val[off:]
        return seg[: int(ln)] if ln is not None else seg
    text = _VAR_SUBSTR.sub(substr, text)
    text = _VAR_INDIRECT.sub(lambda m: "${" + env[m.group(1)] + "}"
                             if re.fullmatch(_NAME, env.get(m.group(1), "")) else m.group(0), text)

    def ref(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name in env:
            return env[name]
        return _SYMBOLIC.get(name, m.group(0))
    text = _VAR_REF.sub(ref, text)
    text = _expand_braces(text)
    return text


def _final(text: str) -> str:
    text = _BACKSLASH.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)
    text = _QUOTES.sub("", text)
    text = _SPACES.sub(" ", text)
    return text.strip().lower()


def deobfuscate(cmd: str) -> tuple[str, list[str]]:
    """Return (normalised command, IFS characters the command reassigned)."""
    text = fold(cmd[:MAX_OUTPUT])
    rounds = MAX_ROUNDS if len(text) <= MAX_INPUT else 1
    env: dict[str, str] = {}
    ifs: list[str] = []
    # printf/echo -e escape decoding first: `$(printf '\x72\x6d')` -> rm.
    for _ in range(rounds):
        new = _one_round(text, env, ifs)
        if new == text:
            break
        text = new
        if len(text) > MAX_INPUT:  # expansion bomb or huge input: stop expanding
            text = text[:MAX_OUTPUT]
            break
    text = _ECHO_E.sub(lambda m: m.group(1) + " " + _unescape(m.group(3)), text)
    return _final(text), ifs


# Glob words (`/???/r?`, `/e*/sha*`) resolved against the names that matter.
_GLOB_WORD = re.compile(r"[^\s;&|()<>]*(?:[?*]|\[[^\]\s]{1,20}\])[^\s;&|()<>]*")
_GLOB_CMDS = ("rm", "cat", "nc", "ncat", "curl", "wget", "bash", "sh", "python", "python3", "perl", "chmod",
              "chown", "dd", "mkfs", "shred", "base64", "socat", "crontab", "systemctl", "iptables", "sudo")
_GLOB_TARGETS = tuple(f"{d}{c}" for c in _GLOB_CMDS for d in ("", "/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/",
                                                                "/usr/local/bin/")) + (
    "/etc/shadow", "/etc/passwd", "/etc/sudoers", "/etc/crontab", "~/.ssh/id_rsa", "~/.ssh/id_ed25519",
    "~/.ssh/authorized_keys", "~/.aws/credentials", "~/.bashrc", "~/.zshrc", "/dev/tcp", "/dev/sda", "/var/log")
_B64_PIPE = re.compile(r"(?:echo|printf)\s+(?:-\w+\s+)?([a-z0-9+/]{8,}={0,2})\s*\|\s*base64\s+(?:-d|--decode|-D)\b"
                       r"|base64\s+(?:-d|--decode|-D)\s*<<<\s*([a-z0-9+/]{8,}={0,2})", re.I)


def _resolve_globs(text: str) -> str:
    import fnmatch

    def rep(m: re.Match) -> str:
        w = m.group(0)
        if len(w) > 64 or w.strip("*?") == "":
            return w
        for t in _GLOB_TARGETS:
            if fnmatch.fnmatchcase(t, w):
                return t
        return w
    return _GLOB_WORD.sub(rep, text)


def _b64_payloads(text: str) -> list[str]:
    """`echo <b64> | base64 -d` payloads, decoded (they are commands run through a pipe)."""
    import base64
    import binascii
    out = []
    for m in _B64_PIPE.finditer(text[:MAX_INPUT]):
        raw = m.group(1) or m.group(2)
        try:
            dec = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=False)
        except (binascii.Error, ValueError):
            continue
        s = dec.decode("utf-8", "replace")
        if s and sum(c.isprintable() or c in "\n\t" for c in s) >= 0.9 * len(s):
            out.append(s)
        if len(out) >= 4:
            break
    return out


# `echo 'X' | rev` / `rev <<< 'X'`: the command is stored backwards.
_REV_PIPE = re.compile(r"(?:echo|printf)\s+(?:-\w+\s+)?(['\"])([^'\"\n]{4,4096})\1\s*\|\s*rev\b"
                       r"|rev\s*<<<\s*(['\"])([^'\"\n]{4,4096})\3")
# `echo <hex> | xxd -r -p`: a hex-encoded command.
_HEX_PIPE = re.compile(r"(?:echo|printf)\s+(?:-\w+\s+)?['\"]?((?:[0-9a-f]{2}){4,2048})['\"]?\s*\|\s*xxd\s+(?:-\w+\s+)*-r\b", re.I)


# `echo 'X' | tr 'a-z' 'n-za-m'` / `tr S1 S2 <<< 'X'`: a substitution cipher (rot13 and kin).
_TR_SET = r"(['\"]?)([^'\"\s|;&]{1,128})\Q"
_TR_PIPE = re.compile(r"(?:echo|printf)\s+(?:-\w+\s+)?(['\"])([^'\"\n]{4,4096})\1\s*\|\s*tr\s+"
                      + _TR_SET.replace("Q", "3") + r"\s+" + _TR_SET.replace("Q", "5")
                      + r"|tr\s+" + _TR_SET.replace("Q", "7") + r"\s+" + _TR_SET.replace("Q", "9")
                      + r"\s*<<<\s*(['\"])([^'\"\n]{4,4096})\11")


def _tr_set(spec: str) -> str:
    out, i = [], 0
    while i < len(spec) and len(out) < 512:
        if i + 2 < len(spec) and spec[i + 1] == "-" and ord(spec[i]) <= ord(spec[i + 2]):
            out.extend(chr(c) for c in range(ord(spec[i]), ord(spec[i + 2]) + 1))
            i += 3
        else:
            out.append(spec[i])
            i += 1
    return "".join(out[:512])


def _tr_payloads(text: str) -> list[str]:
    out = []
    for m in _TR_PIPE.finditer(text[:MAX_INPUT]):
        if m.group(2) is not None:
            data, a, b = m.group(2), m.group(4), m.group(6)
        else:
            data, a, b = m.group(12), m.group(8), m.group(10)
        a, b = _tr_set(a), _tr_set(b)
        if not a or not b:
            continue
        b = b + b[-1] * (len(a) - len(b))   # tr pads SET2 with its last character
        out.append(data.translate(str.maketrans(a, b[:len(a)])))
        if len(out) >= 4:
            break
    return out


def _rev_payloads(text: str) -> list[str]:
    out = []
    for m in _REV_PIPE.finditer(text[:MAX_INPUT]):
        out.append((m.group(2) or m.group(4))[::-1])
        if len(out) >= 4:
            break
    return out


def _hex_payloads(text: str) -> list[str]:
    out = []
    for m in _HEX_PIPE.finditer(text[:MAX_INPUT]):
        s = bytes.fromhex(m.group(1)).decode("utf-8", "replace")
        if s and sum(c.isprintable() or c in "\n\t" for c in s) >= 0.9 * len(s):
            out.append(s)
        if len(out) >= 4:
            break
    return out


def views(cmd: str, _depth: int = 0) -> list[str]:
    """Distinct normalised views of a command for rule matching."""
    plain = _SPACES.sub(" ", fold(cmd[:MAX_OUTPUT])).strip().lower()
    deob, ifs = deobfuscate(cmd)
    out = [plain]
    if deob != plain:
        out.append(deob)
    for sep in ifs:
        # A reassigned IFS splits variables at that character; show both the
        # split and the joined reading (`r,m` -> `r m` and `rm`).
        s = sep.lower()
        for v in (deob.replace(s, " "), deob.replace(s, "")):
            v = _SPACES.sub(" ", v).strip()
            if v not in out:
                out.append(v)
    if ("?" in deob or "*" in deob or "[" in deob) and len(deob) <= MAX_INPUT:
        g = _resolve_globs(deob)
        if g not in out:
            out.append(g)
    if _depth < 2 and "base64" in deob:
        for payload in _b64_payloads(fold(cmd[:MAX_INPUT])):
            for v in views(payload, _depth + 1):
                if v not in out:
                    out.append(v)
    if _depth < 2 and ("rev" in deob or "xxd" in deob or "tr " in deob):
        src = fold(cmd[:MAX_INPUT])
        for payload in _rev_payloads(src) + _hex_payloads(src) + _tr_payloads(src):
            for v in views(payload, _depth + 1):
                if v not in out:
                    out.append(v)
    return out
