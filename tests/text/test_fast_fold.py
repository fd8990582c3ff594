"""The fast fold path (text/_fast.py) gives exactly the reference pipeline's output."""
from __future__ import annotations

import json
import pathlib
import random
import time

from hypothesis import given, settings, strategies as st

from ringfence.text import _fast
from ringfence.text import normalize as N
from ringfence.text.normalize import decode_tags, fold, fold_pair, fold_spaced, leet
from shared_corpus import AEB_CASES, require

# Characters that exercise every step: controls, invisibles, exotic spaces, combining
# marks (also ones that compose with ASCII: = + U+0338 is a not-equal sign), Hangul
# jamo, NFKC compatibility forms, named letters, homoglyphs of three scripts, tags.
TRICKY = (list("aeiouxyzAEZ=.-/  \t\n\r\x00\x0b\x1c\x7f\x85")
          + ["\u0430", "\u0435", "\u043e", "\u0440", "\u03b1", "\u03bf", "\u0585", "\u00e9", "\u0451",
             "\u0439", "\u0301", "\u0308", "\u0338", "\u200b", "\u200d", "\u00a0", "\u3000", "\uff46",
             "\ufb01", "\u026a", "\u1d0f", "\U0001d41a", "\u1100", "\u1161", "\u11a8", "\uac00",
             "\u0f73", "\u0344", "\U000e0041", "\u2028", "\u3002", "\uff0c", "\u65e5", "\u0e33",
             "\u0b47", "\u0b3e", "\u01c5", "\u00c5", "\u212b", "\u0261", "\u0131", "\ufe0f", "\u034f",
             "\u24d0", "\U0001f1e6", "\u2260", "\u0439\u0301"])


def test_fast_path_is_active():
    assert _fast._get(), "hyperscan fast path failed to build"
    assert _fast.fast_pair("caf\u00e9 \u043f\u0440\u0438\u0432\u0435\u0442", (False, True)) is not None


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=300),
                 st.lists(st.sampled_from(TRICKY), max_size=80).map("".join)))
def test_fast_equals_reference(s):
    for spaced in (False, True):
        got = _fast.fast_pair(s, (spaced,))
        want = N._fold_slow(s, spaced)
        if got is not None:
            assert got[0] == want, (s, spaced)
    assert fold(s) == N._fold_slow(s, False)
    assert fold_spaced(s) == N._fold_slow(s, True)
    assert fold_pair(s) == (fold(s), fold_spaced(s))


def test_fast_equals_reference_random_and_repeated():
    # repeated runs go through the memo: the same run with and without a character
    # before it that it combines with must still fold differently
    rnd = random.Random(11)
    for _ in range(3000):
        s = "".join(rnd.choice(TRICKY) for _ in range(rnd.randint(1, 30)))
        assert fold_pair(s) == (N._fold_slow(s, False), N._fold_slow(s, True)), repr(s)
    assert fold("\u0338x =\u0338") == "x \u2260"
    assert fold("=\u0338") == "\u2260" and fold("\u0338") == ""


def test_fast_equals_reference_on_corpus():
    root = require(AEB_CASES)
    texts = ["Привет мир, café naïve ёжик й и\u0306 ｆｕｌｌ 日本語、テキスト。", "p\u0430y р\u0430у р\u03b1у"]
    if root.is_dir():
        for f in sorted(root.rglob("*.json")):
            texts.append(json.dumps(json.loads(f.read_text()), ensure_ascii=False))
    for t in texts:
        assert fold_pair(t) == (N._fold_slow(t, False), N._fold_slow(t, True))


def test_mixed_tokens_in_long_text():
    body = ("Обычный русский текст без латиницы. " * 2000 + "c\u0430t /\u0435tc/p\u0430sswd "
            + "ещё текст " * 2000 + "р\u03b1у")
    f = fold(body)
    assert "cat /etc/passwd" in f and f.endswith("pay")
    assert "Обычныи русскии текст" in f          # й folds to и; pure Cyrillic words stay
    assert f == N._fold_slow(body, False)


def test_surrogates_and_dense_text_fall_back():
    s = "\udc80 c\u0430t"
    assert _fast.fast_pair(s, (False,)) is None
    assert fold(s) == "\udc80 cat"
    dense = "e\u0301" * 100_000          # every other character needs work
    t0 = time.process_time()
    assert fold(dense) == "e" * 100_000
    assert time.process_time() - t0 < 3.0
    mixed = "a" + "\u0430" * 300_000     # one huge mixed token
    t0 = time.process_time()
    assert fold(mixed) == "a" * 300_001
    assert time.process_time() - t0 < 3.0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0134579@$!|+\u20acaBxZ \u0130\u00e9\u65e5\u00c9\u0130")),
               max_size=60))
def test_leet_equals_reference(s):
    assert leet(s) == s.lower().translate(N._LEET)  # the l reading of "|"


def test_leet_non_ascii_and_surrogates():
    assert leet("Пр1в3т 1GN0R3 €") == "пр" + "i" + "в" + "e" + "т ignore e"
    assert leet("\udc80 5") == "\udc80 s"


def test_decode_tags_byte_check():
    tag = "".join(chr(0xE0000 + ord(c)) for c in "hi")
    assert decode_tags("x" + tag) == "xhi"
    assert decode_tags("\U000E007F" + tag) == "hi"
    assert decode_tags("x\U000E0100 \u00e9 \U0001F600") is None   # plane-14 selector, not a tag
    assert decode_tags("\udc80 \U000E0068") == "\udc80 h"
