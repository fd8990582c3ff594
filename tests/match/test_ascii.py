"""ringfence.match.ascii: which patterns can match ASCII text (the ASCII prefilter keeps only those)."""
from __future__ import annotations

import random
import re

import pytest

from ringfence.match.ascii import CASE_SPECIAL, ascii_literal, can_match_ascii


def test_case_specials_are_every_non_ascii_char_re_matches_with_ascii():
    cls = re.compile("[" + re.escape("".join(chr(a) for a in range(128))) + "]", re.IGNORECASE)
    found = {v for v in range(128, 0x110000) if not 0xD800 <= v <= 0xDFFF and cls.fullmatch(chr(v))}
    assert found == set(CASE_SPECIAL)


@pytest.mark.parametrize("pattern", [
    r"ignore\s+previous", r"b[ỏo]\s+qua", r"(?:忽略|ignore)", r"[^。]+", r"\w{3}", r"ты\s+теперь|now",
    r"ſecret", r"(?:指令)?override", r"K", r"(?<!不)tell", r"x(?:前)*y", r"[\u0130]", r"[а-яa-z]"])
def test_may_match_ascii(pattern):
    assert can_match_ascii(pattern)


@pytest.mark.parametrize("pattern", [
    r"忽略\s*之前", r"ты\s+теперь", r"(?:前|後)x", r"x[а-я]+", r"[\u4e00-\u9fff]{2}", r"ignore\s+所有",
    r"(?:a|b)ч", r"(?i:ἀ)"])
def test_cannot_match_ascii(pattern):
    assert not can_match_ascii(pattern)


def test_never_says_no_for_a_pattern_that_matches_ascii():
    # random patterns over mixed-script atoms; whenever `re` finds a match in random ASCII text,
    # the analysis must have said "may match"
    rng = random.Random(7)
    atoms = ["a", "b", "ab", "ж", "中", r"\s", r"\w", "[aж]", "[жз]", "[^ж]", "ı", "(?:a|ж)", "(?:ж|中)"]
    text = "".join(rng.choice("ab iI \n") for _ in range(400))
    for _ in range(400):
        p = "".join(rng.choice(atoms) + rng.choice(["", "?", "*", "+"]) for _ in range(rng.randint(1, 4)))
        if re.search(p, text, re.IGNORECASE):
            assert can_match_ascii(p), p


def test_ascii_literal():
    assert ascii_literal("token") == "token"
    assert ascii_literal("ſecret") == "secret"
    assert ascii_literal("contraseña") is None
