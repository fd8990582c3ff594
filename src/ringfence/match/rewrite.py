"""Turn a Python `regex` pattern into a *superset* pattern for a pre-filter.

The pre-filter engines (Hyperscan, RE2) only decide which patterns may hit and
roughly where; the `regex` module then confirms and gives exact spans. So the
pre-filter must never miss: whatever `regex` matches, the rewritten pattern must
match too. Rewrites, all of which only widen the language:

- `\\b` `\\B` and lookarounds are dropped (an assertion removed can only widen);
- `\\w` `\\s` `\\d` become their exact ASCII members plus every non-ASCII character
  (RE2's shorthands are ASCII-only, Hyperscan's UCP ones differ slightly);
- `\\W` `\\S` `\\D` become complements of small subsets of the positive class;
- in a negated class shorthands shrink to ASCII subsets; a class holding `\\W` `\\S` `\\D`
  becomes "any character"; POSIX `[:name:]` classes are unsupported (always candidates);
- repeats with bounds above 32 become `{min(m,32),}` (fast Hyperscan compiles);
- atomic groups and possessive quantifiers become plain ones; named groups become
  plain groups; back-references become "anything".

Returns None when the pattern uses syntax this does not understand; the caller
then treats the pattern as "always a candidate" and confirms it directly.
"""
from __future__ import annotations

VERSION = 2   # bump when the rewrite changes (part of the compiled-database cache key)

# Every non-ASCII character is a possible \w \d \s: exact Unicode classes make
# Hyperscan databases huge and slow to build (and engines' Unicode tables differ),
# while on ASCII these are exact. Non-ASCII-heavy text only gets more candidates.
NON_ASCII = r"\x{80}-\x{10FFFF}"
W_IN = r"A-Za-z0-9_" + NON_ASCII
S_IN = r"\t\n\x{0B}\f\r \x{1C}-\x{1F}" + NON_ASCII
D_IN = r"0-9" + NON_ASCII
ANY = r"[\s\S]"
_OUT = {
    "w": "[" + W_IN + "]",
    "s": "[" + S_IN + "]",
    "d": "[" + D_IN + "]",
    "W": "[^A-Za-z0-9_]",
    "S": "[^\\t\\n\\f\\r ]",
    "D": "[^0-9]",
    "b": "",
    "B": "",
    "Z": r"\z",
    "A": r"\A",
}
_IN = {"w": W_IN, "s": S_IN, "d": D_IN, "b": r"\x08"}
# In a negated class a shorthand must shrink (complement of a subset is a superset).
_IN_NEG = {"w": "A-Za-z0-9_", "s": r"\t\n\x{0B}\f\r ", "d": "0-9", "b": r"\x08"}
_HEX = set("0123456789abcdefABCDEF")


class _Unsupported(ValueError):
    """Syntax this module does not understand (or malformed): never guessed at."""


def _escape(src: str, i: int, in_class: bool, neg: bool = False) -> tuple[str, int, bool]:
    """Rewrite the escape at src[i] == '\\'. Returns (text, next index, is_shorthand)."""
    if i + 1 >= len(src):
        raise _Unsupported("trailing backslash")
    c = src[i + 1]
    if in_class:
        if c in _IN:
            return (_IN_NEG if neg else _IN)[c], i + 2, False
        if c in "WSD":
            return "", i + 2, True  # caller widens the whole class
    else:
        if c in _OUT:
            return _OUT[c], i + 2, False
        if c in "123456789":
            j = i + 2
            while j < len(src) and src[j].isdigit():
                j += 1
            return ANY + "*", j, False
    if c in "pP":
        if i + 2 < len(src) and src[i + 2] == "{":
            j = src.find("}", i + 3)
            if j < 0:
                raise _Unsupported("bad \\p")
            return src[i:j + 1], j + 1, False
        return src[i:i + 3], i + 3, False
    if c == "x":
        if i + 2 < len(src) and src[i + 2] == "{":
            j = src.find("}", i + 3)
            if j < 0:
                raise _Unsupported("bad \\x")
            return src[i:j + 1], j + 1, False
        h = src[i + 2:i + 4]
        if len(h) != 2 or not set(h) <= _HEX:
            raise _Unsupported("bad \\x")
        return src[i:i + 4], i + 4, False
    if c in "uU":
        n = 4 if c == "u" else 8
        h = src[i + 2:i + 2 + n]
        if len(h) != n or not set(h) <= _HEX:
            raise _Unsupported("bad \\u")
        return "\\x{" + h + "}", i + 2 + n, False
    if c == "0":
        j = i + 2
        while j < len(src) and j < i + 4 and src[j] in "01234567":
            j += 1
        return "\\x{%x}" % int(src[i + 1:j], 8), j, False
    if c.isalnum() and c not in "ntrfvae":
        # \G \K \N{...} \g<..> \X \m \M and friends: not worth emulating.
        raise _Unsupported("escape \\" + c)
    if c == "e":
        return r"\x{1B}", i + 2, False
    return src[i:i + 2], i + 2, False


def _class(src: str, i: int) -> tuple[str, int]:
    """Rewrite the character class starting at src[i] == '['."""
    j = i + 1
    neg = j < len(src) and src[j] == "^"
    if neg:
        j += 1
    parts: list[str] = []
    first = True
    while True:
        if j >= len(src):
            raise _Unsupported("unterminated class")
        c = src[j]
        if c == "]" and not first:
            j += 1
            break
        first = False
        if c == "\\":
            txt, j, sh = _escape(src, j, True, neg)
            if txt == "" and sh:
                # \W \S \D inside a class: widen the class to everything.
                return ANY, _skip_class(src, j)
            parts.append(txt)
        elif c == "[":
            # POSIX [:alpha:] is Unicode-wide in `regex`, ASCII in RE2/PCRE.
            raise _Unsupported("nested or POSIX class")
        else:
            if c in "&~|-" and j + 1 < len(src) and src[j + 1] == c:
                raise _Unsupported("class set operation")
            parts.append(c)
            j += 1
    return "[" + ("^" if neg else "") + "".join(parts) + "]", j


def _skip_class(src: str, j: int) -> int:
    """Index just after the class that contains src[j] (we are inside it, past any
    leading `^` and literal `]`). A `[` inside a class is refused: a POSIX class or a
    nested set in `regex`, a literal in `re`; the dialects would end the class apart."""
    while j < len(src):
        c = src[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            raise _Unsupported("nested or POSIX class")
        if c == "]":
            return j + 1
        j += 1
    raise _Unsupported("unterminated class")


def skip_group(src: str, i: int) -> int:
    """Index just after the group opening at src[i] == '(' (escapes, classes, `[]...]`
    and `[^]...]` and nested groups understood); raises ValueError when the group
    never closes or holds syntax the rewrites refuse (the one failure behaviour)."""
    depth = 0
    j = i
    while j < len(src):
        c = src[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _class_end(src, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise _Unsupported("unbalanced group")


_LOOKAROUND_OPEN = ("(?=", "(?!", "(?<=", "(?<!")


def without_lookarounds(src: str, stand_in=None) -> str:
    """`src` with every lookaround group removed (a superset: an assertion dropped can
    only widen), or replaced by `stand_in(group)` (tests mark the cuts); raises
    ValueError like `skip_group`."""
    out: list[str] = []
    i = k = 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
        elif c == "[":
            i = _class_end(src, i)
        elif src.startswith(_LOOKAROUND_OPEN, i):
            out.append(src[k:i])
            k = skip_group(src, i)
            if stand_in is not None:
                out.append(stand_in(src[i:k]))
            i = k
        else:
            i += 1
    out.append(src[k:])
    return "".join(out)


def _class_end(src: str, i: int) -> int:
    """Index just after the class opening at src[i] == '['."""
    j = i + 1
    if j < len(src) and src[j] == "^":
        j += 1
    if j < len(src) and src[j] == "]":
        j += 1
    return _skip_class(src, j)


BIG_REPEAT = 32


def _quant(body: str) -> str:
    """A `{m,n}` quantifier for the pre-filter. Large bounds blow up Hyperscan's
    compile (seconds, or "pattern too large" with start-of-match), so they are
    widened: the minimum is capped and the maximum dropped."""
    lo_s, comma, hi_s = body.partition(",")
    lo = int(lo_s) if lo_s else 0
    hi = (int(hi_s) if hi_s else None) if comma else lo
    if hi is not None and hi <= BIG_REPEAT:
        return "{%d,%d}" % (lo, hi)
    return "{%d,}" % min(lo, BIG_REPEAT)


def prefilter_source(src: str) -> str | None:
    """A pattern whose language contains `src`'s, in PCRE/RE2 syntax, or None."""
    try:
        return _rewrite(src)
    except _Unsupported:
        return None


def _rewrite(src: str) -> str:
    out: list[str] = []
    i = 0
    n = len(src)
    after_quant = False
    while i < n:
        c = src[i]
        if after_quant and c == "+":  # possessive quantifier -> plain
            i += 1
            after_quant = False
            continue
        after_quant = False
        if c == "\\":
            txt, i, _ = _escape(src, i, False)
            out.append(txt)
        elif c == "[":
            txt, i = _class(src, i)
            out.append(txt)
        elif c == "(":
            if src.startswith("(?", i):
                rest = src[i + 2:i + 4]
                if rest[:1] in ("=", "!") or rest in ("<=", "<!"):
                    i = skip_group(src, i)
                elif rest[:1] == ">":
                    out.append("(?:")
                    i += 3
                elif rest[:1] == "#":
                    k = src.find(")", i)
                    if k < 0:
                        raise _Unsupported("bad comment")
                    i = k + 1
                elif src.startswith("(?P<", i) or (rest[:1] == "<" and rest not in ("<=", "<!")):
                    k = src.find(">", i)
                    if k < 0:
                        raise _Unsupported("bad group name")
                    out.append("(")
                    i = k + 1
                elif src.startswith("(?P=", i):
                    k = src.find(")", i)
                    if k < 0:
                        raise _Unsupported("bad backref")
                    out.append(ANY + "*")
                    i = k + 1
                elif rest[:1] == ":":
                    out.append("(?:")
                    i += 3
                else:
                    # inline flags: (?i) (?s) (?m) (?i:...) ; others unsupported
                    k = i + 2
                    while k < n and src[k] in "imsx-":
                        k += 1
                    if k >= n or src[k] not in ":)" or "x" in src[i + 2:k]:
                        raise _Unsupported("group syntax")
                    out.append(src[i:k + 1])
                    i = k + 1
            else:
                out.append(c)
                i += 1
        elif c in "*+?":
            out.append(c)
            i += 1
            after_quant = True
            if i < n and src[i] == "?":  # lazy: keep, then no possessive check
                out.append("?")
                i += 1
                after_quant = False
        elif c == "{":
            k = src.find("}", i)
            body = src[i + 1:k] if k > 0 else ""
            if k > 0 and body and all(ch.isdigit() or ch == "," for ch in body) and body.count(",") <= 1:
                out.append(_quant(body))
                i = k + 1
                after_quant = True
                if i < n and src[i] == "?":
                    out.append("?")
                    i += 1
                    after_quant = False
            else:
                out.append("\\{")
                i += 1
        elif c == "}":
            out.append("\\}")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)
