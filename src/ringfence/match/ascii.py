"""Can a `re` pattern match any all-ASCII text? (Shrinks databases that only scan ASCII.)

    can_match_ascii(pattern, flags) -> bool

False only when provably no string of ASCII characters matches: every way through the
pattern needs a character that no ASCII character can be (case folding included: with
IGNORECASE "ſ" matches "s" and "K" (Kelvin) matches "k"). Each single-character atom
(literal, class, dot, category) is tested against all 128 ASCII characters with `re`
itself, so the folding rules are exactly the ones confirmation uses. Anything this does
not model (lookarounds, back-references, conditionals, an unknown parser node, a parse
error) counts as "may match": the answer errs only towards keeping a pattern.
"""
from __future__ import annotations

import re

try:
    import re._parser as _parser  # 3.11+
    import re._compiler as _compiler
    from re._constants import (ANY, AT, BRANCH, CATEGORY, IN, LITERAL, MAX_REPEAT, MIN_REPEAT,
                               NOT_LITERAL, SUBPATTERN)
except ImportError:  # pragma: no cover - before 3.11
    import sre_compile as _compiler  # type: ignore
    import sre_parse as _parser  # type: ignore
    from sre_constants import (ANY, AT, BRANCH, CATEGORY, IN, LITERAL, MAX_REPEAT, MIN_REPEAT,  # type: ignore
                               NOT_LITERAL, SUBPATTERN)

VERSION = 1   # part of the cache key of databases filtered with it: bump when answers change
_ASCII = "".join(map(chr, range(128)))
_ONE_CHAR = (LITERAL, NOT_LITERAL, IN, ANY, CATEGORY)
_POSSESSIVE = getattr(_parser, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(_parser, "ATOMIC_GROUP", None)


def _atom_takes_ascii(op, av, flags: int, state) -> bool:
    try:
        st = _parser.State()
        st.flags = flags & ~re.VERBOSE   # the flags in force here (a local (?-i:...) included)
        rx = _compiler.compile(_parser.SubPattern(st, [(op, av)]), st.flags)
    except Exception:
        return True
    return rx.search(_ASCII) is not None


def _can(items, flags: int, state, depth: int = 0) -> bool:
    if depth > 200:
        return True
    for op, av in items:
        if op in _ONE_CHAR:
            if not _atom_takes_ascii(op, av, flags, state):
                return False
        elif op in (MAX_REPEAT, MIN_REPEAT) or (_POSSESSIVE is not None and op == _POSSESSIVE):
            lo, _hi, sub = av
            if lo > 0 and not _can(sub, flags, state, depth + 1):
                return False
        elif op == SUBPATTERN:
            _group, add, rem, sub = av
            if not _can(sub, (flags | add) & ~rem, state, depth + 1):
                return False
        elif _ATOMIC is not None and op == _ATOMIC:
            if not _can(av, flags, state, depth + 1):
                return False
        elif op == BRANCH:
            if not any(_can(alt, flags, state, depth + 1) for alt in av[1]):
                return False
        elif op == AT:
            continue
        # ASSERT, ASSERT_NOT, GROUPREF, GROUPREF_EXISTS, anything new: may match
    return True


def can_match_ascii(pattern: str, flags: int = 0) -> bool:
    """False only when no all-ASCII string can match `re.compile(pattern, flags)`."""
    try:
        parsed = _parser.parse(pattern, flags)
    except Exception:
        return True
    try:
        return _can(parsed, parsed.state.flags, parsed.state)
    except RecursionError:  # pragma: no cover
        return True


__all__ = ["can_match_ascii", "VERSION"]
