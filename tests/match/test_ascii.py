"""match.ascii.can_match_ascii: False only when no all-ASCII text can match."""
from __future__ import annotations

import itertools
import random
import re

import pytest

from ringfence.match.ascii import can_match_ascii

I = re.IGNORECASE | re.MULTILINE


@pytest.mark.parametrize("pattern,flags,want", [
    # plain literals and classes
    ("abc", 0, True), ("é", 0, False), ("é", I, False), ("ты\\s+теперь", I, False),
    ("a[éb]", 0, True), ("a[éü]", 0, False), ("[\u0400-\u04ff]", I, False), ("[^\\x00-\\x7f]", 0, False),
    # case folding onto ASCII (what `re` IGNORECASE does): Long s, Kelvin sign, dotted I
    ("ſ", I, True), ("ſ", 0, False), ("\u212a", I, True), ("\u0130", I, True), ("[ſ]", I, True),
    ("(?i:ſ)", 0, True), ("(?-i:ſ)", I, False),
    # repeats, alternation, empty branches
    ("aé?", 0, True), ("aé+", 0, False), ("é{0}", 0, True), ("é{1,3}", 0, False), ("é*+", 0, True),
    ("é++", 0, False), ("(?>é)", 0, False), ("a(?:é|b)", 0, True), ("a(?:é|ü)", 0, False), ("(?:é|)x", 0, True),
    ("(?:ты|you)\\s+", I, True),
    # categories, dot, negations, anchors
    ("\\w", 0, True), ("\\S", 0, True), ("\\W", 0, True), ("[^é]", 0, True), (".", 0, True), ("(?a)\\w", 0, True),
    ("\\bé\\b", 0, False), ("^é$", I, False),
    # not modelled: kept (may match)
    ("(?=é)a", 0, True), ("(?<=é)a", 0, True), ("[", 0, True),
    # a back-reference to a group that needs non-ASCII: the group itself already says no
    ("(é)\\1", 0, False),
])
def test_constructs(pattern, flags, want):
    assert can_match_ascii(pattern, flags) is want


_ATOMS = ["a", "s", "k", "i", "é", "ſ", "\u212a", "\u0130", "ı", "ж", "[éa]", "[éü]", "\\w", "[^a]", ".",
          "[ж-я]", "\\s", "[ſж]", "\u017f?", "(?:ж|s)", "(?:ж|ü)", "(?i:ſ)", "(?-i:ſ)", "(?i:\u212a)", "é*"]
_ALPHABET = "askixISK_0 \n"   # every ASCII character an atom above can take, in some case


def _random_pattern(rnd: random.Random) -> str:
    parts = []
    for _ in range(rnd.randint(1, 3)):
        a = rnd.choice(_ATOMS)
        if rnd.random() < 0.3:
            a = f"(?:{a}|{rnd.choice(_ATOMS)})"
        if rnd.random() < 0.2:
            a = f"(?:{a}){{0,1}}" if rnd.random() < 0.5 else f"(?:{a}){{1,1}}"
        parts.append(a)
    return "".join(parts)


def _ascii_match_exists(rx: re.Pattern, longest: int) -> bool:
    for n in range(longest + 1):
        for t in itertools.product(_ALPHABET, repeat=n):
            if rx.fullmatch("".join(t)):
                return True
    return False


def test_random_patterns_never_said_impossible_when_an_ascii_match_exists():
    rnd = random.Random(12)
    said_no = 0
    for _ in range(150):
        p = _random_pattern(rnd)
        flags = rnd.choice((0, I))
        got = can_match_ascii(p, flags)
        rx = re.compile(p, flags)
        exists = _ascii_match_exists(rx, 3)   # at most 3 atoms, each one character wide
        if exists:
            assert got, (p, flags)
        said_no += not got
    assert said_no > 10   # the generator makes impossible ones too: the answer is not always "may"


def test_injection_patterns_said_impossible_match_no_ascii_text():
    """Every injection pattern judged non-ASCII-only, against ASCII versions of every
    family's examples (non-ASCII letters replaced by look-alike and plain ASCII letters)."""
    from ringfence.rules import injection as R
    from ringfence.scanners.injection import chars
    pats = [p for fam in R.FAMILIES for p, _ in fam.patterns]
    no = [p for p in pats if not can_match_ascii(p, chars.FLAGS)]
    assert len(no) > 100   # the 44 languages' tables hold many
    texts = []
    for fam in R.FAMILIES:
        for ex in list(fam.tp) + list(fam.tn):
            import unicodedata
            plain = unicodedata.normalize("NFKD", ex).encode("ascii", "ignore").decode()
            texts += [plain, ex.encode("ascii", "replace").decode(), ex.encode("ascii", "ignore").decode()]
    blob = "\n".join(texts)
    assert blob.isascii()
    for p in no:
        assert re.search(p, blob, chars.FLAGS) is None, p
