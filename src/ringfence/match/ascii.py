"""What a Python regex (IGNORECASE) can match in ASCII text, from its parse tree.

Used to keep a prefilter database for ASCII text small: a pattern that cannot
match any ASCII string stays out of it, and a group of patterns that all need
one of a few literals can wait behind those literals. Both answers are on the
safe side: "may match" when unsure, and literals only when every match of the
pattern holds one of them.
"""
from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover
    import sre_constants as _c  # type: ignore
    import sre_parse as _p  # type: ignore

# The only non-ASCII characters `re` (IGNORECASE) matches with an ASCII one
# (a test recomputes this over every code point).
CASE_SPECIAL = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op)


def _lit_ok(v: int) -> bool:
    return v < 128 or v in CASE_SPECIAL


def _in_ok(items) -> bool:
    if items and items[0][0] is _c.NEGATE:
        return True
    for op, av in items:
        if op is _c.LITERAL:
            if _lit_ok(av):
                return True
        elif op is _c.RANGE:
            if av[0] < 128 or any(av[0] <= s <= av[1] for s in CASE_SPECIAL):
                return True
        else:   # a category (\w, \s, \d and their negations all hold ASCII) or unknown
            return True
    return False


def _item_ok(op, av) -> bool:
    if op is _c.LITERAL:
        return _lit_ok(av)
    if op is _c.IN:
        return _in_ok(av)
    if op is _c.BRANCH:
        return any(_seq_ok(b) for b in av[1])
    if op is _c.SUBPATTERN:
        return _seq_ok(av[-1])
    if op in _REPEATS:
        return av[0] == 0 or _seq_ok(av[2])
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _seq_ok(av)
    return True   # NOT_LITERAL, ANY, CATEGORY, assertions, group references: may match


def _seq_ok(seq) -> bool:
    return all(_item_ok(op, av) for op, av in seq)


def can_match_ascii(pattern: str) -> bool:
    """False only when no ASCII string holds a match of `pattern` (IGNORECASE)."""
    try:
        return _seq_ok(_p.parse(pattern, re.IGNORECASE | re.MULTILINE))
    except Exception:
        return True


def ascii_literal(lit: str) -> str | None:
    """A literal as it can occur in ASCII text (case specials folded), or None if never."""
    out = []
    for ch in lit:
        v = ord(ch)
        if v < 128:
            out.append(ch)
        elif v in CASE_SPECIAL:
            out.append(CASE_SPECIAL[v])
        else:
            return None
    return "".join(out)
