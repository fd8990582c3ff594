"""rot13 on UTF-8 bytes equals codecs' rot13 on any str (ASCII letters move, nothing else)."""
from __future__ import annotations

import codecs

from hypothesis import given, settings, strategies as st

from ringfence.scanners.rot13 import rot13


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=200),
                 st.lists(st.sampled_from(["a", "Z", "n", "M", "0", " ", "\u00e9", "\u0430", "\u4e2d",
                                           "\U0001f600", "\ud800", "\x00", "\x7f", "\u00ff"]),
                          max_size=60).map("".join)))
def test_equals_codecs_rot13(s):
    assert rot13(s) == codecs.encode(s, "rot13")
    assert rot13(rot13(s)) == s
