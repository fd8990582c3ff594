"""ROT13 for DLP, bounded by the rules themselves.

A ROT13 view of every text would double the scan. Instead the pre-filter pass also
looks for the ROT13 of each rule's literal prefix ("ghs_" -> "tuf_", "AKIA" -> "NXVN")
and of the secret-naming words ("password" -> "cnffjbeq"); only a text holding one of
those gets a ROT13 view, which every rule then confirms as usual.

    literal_prefixes(pattern) -> [str]      the literal starts a pattern can match
    hints(patterns, words) -> (exact, caseless) regexes for the ROT13 of prefixes and words
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


def rot13(text: str) -> str:
    return codecs.encode(text, "rot13")


def hints(patterns, context_words=()) -> tuple[list[str], list[str]]:
    """(case-sensitive, caseless) Hyperscan/`re` patterns: the ROT13 of each rule's literal
    prefix at a word start (ROT13 keeps case; a prefix under MIN_HINT chars must be
    followed by a token body, so "us_" from "hf_" does not fire on "status_code"), and
    of the secret-naming and context words."""
    exact = set()
    for pat in patterns:
        for pre in literal_prefixes(pat):
            if sum(c.isalpha() for c in pre) < 2 or len(pre) < 3:
                continue
            lit = r"\b" + re.escape(rot13(pre))
            exact.add(lit if len(pre) >= MIN_HINT else lit + r"[A-Za-z0-9_-]{16}")
    words = {re.escape(rot13(w)) for w in WORDS}
    words.update(re.escape(rot13(w.lower())) for w in context_words if len(w) >= 5)  # "datadog", "private" ...
    return sorted(exact), sorted(words)


__all__ = ["hints", "literal_prefixes", "rot13"]
