"""ROT13 for DLP, bounded by the rules themselves.

A ROT13 view of every text would double the scan. Instead the pre-filter pass also
looks for the ROT13 of each rule's literal prefix ("ghs_" -> "tuf_", "AKIA" -> "NXVN")
and of the secret-naming words ("password" -> "cnffjbeq"); only a text holding one of
those gets a ROT13 view, which every rule then confirms as usual.

    literal_prefixes(pattern) -> [str]      the literal starts a pattern can match
    hints(patterns, words, prefilters) -> (exact, caseless) regexes for the ROT13 of prefixes,
                                           words and (for rules without a prefix) whole pre-filters
    rot13_regex(pattern) -> the pattern of the ROT13 of its matches
    rot13(text) -> str
"""
from __future__ import annotations

import codecs
import re
from itertools import product

MIN_HINT = 4
MAX_VARIANTS = 32
WORDS = ("password", "passwd", "passphrase", "secret", "token", "api_key", "apikey", "api-key", "access_key",
         "private_key", "private key", "credential", "bearer ", "authorization", "AKIA", "ASIA")

_LEAD = re.compile(r"^(?:\\b|\^|\(\?<[!=](?:[^()\\]|\\.|\[[^\]]*\])*\)|\(\?P<\w+>|\(\?i\))+")
_ALT = re.compile(r"\(\?:((?:[A-Za-z0-9_.\\-]|\\.)+(?:\|(?:[A-Za-z0-9_.\\-]|\\.)+)*)\)")
_CLASS = re.compile(r"\[([A-Za-z0-9_]{1,8}-?)\]")
_LIT = re.compile(r"(?:[A-Za-z0-9_ :=-]|\\[.\-/$ ])+")


def literal_prefixes(pattern: str) -> list[str]:
    """Literal strings one of which every match starts with ([] when none can be read)."""
    p = _LEAD.sub("", pattern)
    parts: list[list[str]] = []
    while p:
        m = _ALT.match(p)
        if m:
            alts = [a.replace("\\", "") for a in m.group(1).split("|")]
        else:
            m = _CLASS.match(p)
            if m:
                alts = list(m.group(1))
            else:
                m = _LIT.match(p)
                if not m:
                    break
                alts = [m.group(0).replace("\\", "")]
        nxt = p[m.end():m.end() + 1]
        if nxt in ("?", "*", "{"):  # optional or repeated: the prefix ends before it
            break
        parts.append(alts)
        p = p[m.end():]
        n = 1
        for a in parts:
            n *= len(a)
        if n > MAX_VARIANTS:
            parts.pop()
            break
    return ["".join(t) for t in product(*parts)] if parts else []


_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ROT13_BYTES = bytes.maketrans(_LETTERS, _LETTERS[13:26] + _LETTERS[:13] + _LETTERS[39:] + _LETTERS[26:39])


def rot13(text: str) -> str:
    """codecs' rot13 (ASCII letters only), on the UTF-8 bytes: a multi-byte character has
    no byte below 0x80, so only ASCII letters move (~10x faster on megabytes)."""
    return text.encode("utf-8", "surrogatepass").translate(_ROT13_BYTES).decode("utf-8", "surrogatepass")


def _rot_char(c: str) -> str:
    return codecs.encode(c, "rot13") if c.isascii() and c.isalpha() else c


def _rot_class(body: str) -> str:
    """A character class's contents with every letter (ranges too) rotated."""
    out, letters, i = [], set(), 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            out.append(body[i:i + 2])  # \d \w \s \- ...: not letters
            i += 2
        elif i + 2 < len(body) and body[i + 1] == "-" and c.isascii() and c.isalpha() and body[i + 2].isalpha():
            letters.update(chr(x) for x in range(ord(c), ord(body[i + 2]) + 1))
            i += 3
        elif c.isascii() and c.isalpha():
            letters.add(c)
            i += 1
        else:
            out.append(c)
            i += 1
    rotated = sorted({ord(_rot_char(c)) for c in letters})
    spans: list[list[int]] = []
    for o in rotated:
        if spans and o == spans[-1][1] + 1:
            spans[-1][1] = o
        else:
            spans.append([o, o])
    ranges = "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in spans)
    return ranges + "".join(out)  # letters first: a trailing '-' stays literal


_LETTER = re.compile(r"[A-Za-z]")
_ESCAPE = re.compile(r"\\.|\(\?[^)]*?[:)>]|\{[^}]*\}")  # \d, group heads, quantifiers: no letters of the shape
_GROUP_HEAD = re.compile(r"\((?:\?(?:P<\w+>|<[=!]|[:=!]|[aiLmsux]+\)|[aiLmsux-]+:))?")


def rot13_regex(pattern: str) -> str:
    """The pattern that matches the ROT13 of what `pattern` matches: literal letters and
    letters in classes rotated; escapes, group syntax and quantifiers kept."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            neg = "^" if pattern[i + 1:i + 2] == "^" else ""
            out.append("[" + neg + _rot_class(pattern[i + 1 + len(neg):j]) + "]")
            i = j + 1
        elif c == "(":
            m = _GROUP_HEAD.match(pattern, i)
            out.append(m.group(0))
            i = m.end()
        elif c == "{":
            j = pattern.find("}", i)
            out.append(pattern[i:j + 1])
            i = j + 1
        else:
            out.append(_rot_char(c))
            i += 1
    return "".join(out)


def hints(patterns, context_words=(), prefilters=()) -> tuple[list[str], list[str]]:
    """(case-sensitive, caseless) Hyperscan/`re` patterns: the ROT13 of each rule's literal
    prefix at a word start (ROT13 keeps case), and of the secret-naming and context words.
    A rule without a literal prefix of MIN_HINT chars (a short one like "hf_", a shape like
    an IBAN's) gives its whole pre-filter, rotated (`prefilters`: (pattern, pre-filter,
    caseless) per rule, context rules left out: their words are the hint)."""
    exact, words = set(), set()
    for pat in patterns:
        for pre in literal_prefixes(pat):
            if sum(c.isalpha() for c in pre) >= 2 and len(pre) >= MIN_HINT:
                exact.add(r"\b" + re.escape(rot13(pre)))
    for pat, pf, caseless in prefilters:
        pres = literal_prefixes(pat)
        if pres and all(sum(c.isalpha() for c in p) >= 2 and len(p) >= MIN_HINT for p in pres):
            continue
        rot = rot13_regex(pf)
        # digits only (cards, SSNs) read the same in ROT13; a shape of letter classes ([A-Z]
        # of an IBAN) too, but its rotated text is another value: the shape is the hint
        if rot != pf or _LETTER.search(_ESCAPE.sub("", pf)):
            (words if caseless else exact).add(rot)
    words.update(re.escape(rot13(w)) for w in WORDS)
    for w in context_words:
        w = w.lower()
        if len(w) >= 5:
            words.add(re.escape(rot13(w)))  # "datadog", "private" ...
        elif len(w) >= 3 and w.isalpha():
            words.add(r"\b" + re.escape(rot13(w)) + r"\b")  # "ssn", "aws": whole words only
    return sorted(exact), sorted(words)


__all__ = ["hints", "literal_prefixes", "rot13"]
