"""fold_secret folds only the stretches around non-ASCII characters: exactly what folding
the whole text gives (the reference below is the whole-text pipeline, written out)."""
from __future__ import annotations

import random
import unicodedata

from hypothesis import given, settings, strategies as st

from ringfence.text import normalize as N
from ringfence.text.normalize import fold_secret


def reference(text: str) -> str:
    if text.isascii():
        return text.translate(N._SECRET_DROP)
    t = unicodedata.normalize("NFKC", text.translate(N._SECRET_FOLD)).translate(N._SECRET_FOLD)
    if not t.isascii():
        t = "".join(c for c in unicodedata.normalize("NFD", t) if not unicodedata.combining(c))
        t = unicodedata.normalize("NFC", t)
    return t


# controls (dropped: they bring a letter and a later mark together), combining marks,
# compatibility forms, Hangul jamo, look-alikes, invisibles, dashes, CJK, surrogates,
# and long ASCII runs and control runs so stretches part and rejoin
PARTS = (list("aeZ0 -.=\n\t\r\x00\x01\x0b\x0c\x1f\x7f")
         + ["\u0301", "\u0308", "\u0327", "\u0338", "\u0345", "\u0323", "\u00e9", "\u212b", "\u1e9b",
            "\u200b", "\u00ad", "\u200d", "\ufe0f", "\U000e0041", "\u0085", "\u00a0", "\u3000",
            "\u0430", "\u0435", "\u03bf", "\u0585", "\u0434", "\u2013", "\u2212", "\uff46", "\ufb01",
            "\u2460", "\U0001d400", "\u1100", "\u1161", "\u11a8", "\uac00", "\u0f71", "\u0f72",
            "\u0915", "\u093f", "\u094d", "\u4e2d", "\ue000", "\ud800",
            "a" * 70, "x" * 65 + "\u0301", "\x02" * 70, " \x01" * 40])


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(PARTS), max_size=60).map("".join)))
def test_equals_whole_text_fold(s):
    assert fold_secret(s) == reference(s)


def test_long_mixed_texts_equal_whole_text_fold():
    rnd = random.Random(7)
    prose = "Set the token sk-live-0000 then call the API. " * 40
    for density in (0.0005, 0.005, 0.05, 0.3):
        chars = list(prose * 20)
        for i in range(len(chars)):
            if rnd.random() < density:
                chars[i] = rnd.choice(PARTS[19:])
        s = "".join(chars)
        assert fold_secret(s) == reference(s)


def test_look_alikes_far_apart_still_fold():
    filler = "plain ascii words " * 500
    s = filler + "AKIA\u0406OSFODNN7EXAMPLE" + filler + "gh\u0440_" + "a" * 36 + filler + "x\u200by"
    got = fold_secret(s)
    assert "AKIAIOSFODNN7EXAMPLE" in got and "ghp_" + "a" * 36 in got and "xy" in got
    assert got == reference(s)
