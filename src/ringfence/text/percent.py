"""Percent-decoding (%XX): the one implementation every scanner and text/ decoder calls.

    percent_rounds(s, rounds=1, errors="replace", plus=False) -> [s, once, twice, ...]
    percent_decode(s, rounds=1, errors="replace", plus=False) -> the last of those

Defined behaviour:
- rounds: decoding repeats until the text stops changing, at most `rounds` times
  (clamped to 1..MAX_ROUNDS), so double-encoding (%252e) is read and depth is bounded.
- bad escapes: a '%' not followed by two hex digits stays as written.
- bytes that are not UTF-8: errors="replace" gives U+FFFD, "surrogateescape" keeps each
  as a lone surrogate (a later round or a byte view restores it), "keep" leaves the
  escapes of such bytes as written (%B4 stays %B4: a '%' that starts other data, such as
  a card's track-1 sentinel, is not eaten), "strict" raises UnicodeDecodeError.
- '+': stays '+' (RFC 3986). plus=True is the form reading: a '+' written in the input
  is a space; a '+' that decoding produced (%2B) stays '+'.
- length: the first max_len characters are decoded (never cutting an escape or a run of
  escapes that may be one UTF-8 character), the rest stays as written. Decoding never
  lengthens a text, so each round is linear and bounded by the input.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

MAX_ROUNDS = 8
MAX_LEN = 64 << 20  # beyond every configured scan size (those block larger content)
_ESC = re.compile(r"%[0-9A-Fa-f]{2}")


def _byte_before(s: str, j: int) -> int | None:
    return int(s[j - 2:j], 16) if j >= 3 and _ESC.fullmatch(s, j - 3, j) else None


def _cut(s: str, n: int) -> int:
    """A cut at or before n that splits neither an escape nor the escapes of one UTF-8
    character."""
    i = n
    p = s.rfind("%", max(0, i - 2), i)
    if p >= 0 and _ESC.match(s, p) and p + 3 > i:
        i = p
    j, k = i, 0
    while k < 3 and (b := _byte_before(s, j)) is not None and 0x80 <= b < 0xC0:
        j, k = j - 3, k + 1  # continuation bytes
    lead = _byte_before(s, j)
    if lead is not None and lead >= 0xC0 and k + 1 < (2 if lead < 0xE0 else 3 if lead < 0xF0 else 4):
        i = j - 3  # a character whose last bytes lie past the cut: cut before it
    return i


_UNDECODED = re.compile("[\udc80-\udcff]")


def _unquote(s: str, errors: str) -> str:
    if errors != "keep":
        return unquote(s, errors=errors)
    # "keep": escapes that do not spell UTF-8 stay as written. A '%' that starts other
    # data (a card track's "%B4...", a Base45 or Ascii85 run) is then not eaten.
    t = unquote(s, errors="surrogateescape")
    return _UNDECODED.sub(lambda m: "%%%02X" % (ord(m.group(0)) - 0xDC00), t) if "%" in s and t != s else t


def _once(s: str, errors: str, max_len: int) -> str:
    if len(s) <= max_len:
        return _unquote(s, errors)
    i = _cut(s, max_len)
    return _unquote(s[:i], errors) + s[i:]


def percent_rounds(s: str, rounds: int = 1, *, errors: str = "replace", plus: bool = False,
                   max_len: int = MAX_LEN) -> list[str]:
    """s and each further round of percent-decoding of it, until it stops changing."""
    out = [s]
    if plus and "+" in s:
        s = s[:max_len].replace("+", " ") + s[max_len:]
    for _ in range(max(1, min(rounds, MAX_ROUNDS))):
        if "%" not in s:
            break
        d = _once(s, errors, max_len)
        if d == s:
            break
        out.append(d)
        s = d
    if len(out) == 1 and s is not out[0]:  # only '+' changed
        out.append(s)
    return out


def percent_decode(s: str, rounds: int = 1, *, errors: str = "replace", plus: bool = False,
                   max_len: int = MAX_LEN) -> str:
    """s percent-decoded `rounds` times at most (see the module docstring)."""
    if "%" not in s and not (plus and "+" in s):  # the common case: nothing to decode
        return s
    return percent_rounds(s, rounds, errors=errors, plus=plus, max_len=max_len)[-1]


__all__ = ["MAX_LEN", "MAX_ROUNDS", "percent_decode", "percent_rounds"]
