"""prefilter.ascii_twin: the RE2 form of a case-insensitive re pattern finds exactly the
matches re finds in any ASCII text (the hidden-element trigger runs on it per page)."""
from __future__ import annotations

import random
import re

from hypothesis import given, settings, strategies as st

from ringfence.rules import injection as R
from ringfence.rules import injection_markup as M
from ringfence.scanners.injection.prefilter import ascii_twin

HIDDEN = R.HIDDEN_TRIGGER + "|" + M.HIDDEN_TRIGGER_MORE
PIECES = ["display", "DISPLAY", "visibility", "hidden", "none", "font-size", "opacity", "0", "-", "1234", "px",
          "background", "-color", "#fff", "white", "rgba(", "255", "height", "width", "clip", "-path",
          "text-indent", "translateX(", "translate3d(", "left", "top", "color", "transparent", "max-", "aria-hidden",
          ":", " ", "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\x7f", "_", "a", "<div style=\"", "\">", ";"]


def _spans(rx, text):
    return [m.span() for m in rx.finditer(text)]


def test_every_ascii_char_reads_as_in_re():
    for p in (r"a\sb", r"a\Sb", r"a[\s,]b", r"a[^\s]b", r"\bab\b", r"a\d+b", r"a\wb"):
        twin = ascii_twin(p)
        for c in map(chr, range(128)):
            t = "a" + c + "b"
            assert _spans(twin, t) == _spans(re.compile(p, re.I), t), (p, c)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_hidden_trigger_twin_agrees(text):
    assert _spans(ascii_twin(HIDDEN), text) == _spans(re.compile(HIDDEN, re.I), text)


def test_hidden_trigger_twin_agrees_on_random_ascii():
    rnd = random.Random(3)
    twin, ref = ascii_twin(HIDDEN), re.compile(HIDDEN, re.I)
    for _ in range(300):
        text = "".join(rnd.choice(PIECES) if rnd.random() < 0.5 else chr(rnd.randrange(128)) for _ in range(60))
        assert _spans(twin, text) == _spans(ref, text)


def test_no_twin_where_re2_would_differ():
    assert ascii_twin(r"(?<=a)b") is None and ascii_twin(r"(a)\1") is None and ascii_twin("caf\u00e9") is None
