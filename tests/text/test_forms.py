"""text/forms.py, the one NFKC / NFKD call: the same results as the direct calls it
replaced (translate, NFKC, translate; NFKD without marks), over generated texts of every
look-alike, fullwidth, compatibility and combining character class."""
import random
import unicodedata

import pytest

from ringfence.text.chars import DASHES, HOMO, INVISIBLE
from ringfence.text.forms import bare, nfkc

_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x530, 0x58F),
           (0x1D00, 0x1DBF), (0x2000, 0x206F), (0x2070, 0x209F), (0x2100, 0x218F), (0x2460, 0x24FF),
           (0x3000, 0x303F), (0x3300, 0x33FF), (0xFB00, 0xFB4F), (0xFE30, 0xFE6F), (0xFF00, 0xFFEF),
           (0x1D400, 0x1D7FF), (0x1F100, 0x1F1FF), (0xE0000, 0xE007F)]
CHARS = [chr(c) for a, b in _RANGES for c in range(a, b + 1)] + list(HOMO and map(chr, HOMO)) + list(INVISIBLE)
_rng = random.Random(9)
TEXTS = ([c for c in CHARS] + [f"c{c}rl /e{c}c" for c in CHARS[::3]]
         + ["".join(_rng.choice(CHARS) for _ in range(_rng.randint(1, 24))) for _ in range(3000)]
         + ["e\u0301", "\u1e9b\u0323", "ϲurl", "ｃｕｒｌ　ｅｖｉｌ．ｅｘａｍｐｌｅ", "ﬁle ﬂag", "①②③", "𝐢𝐠𝐧𝐨𝐫𝐞", "Ⅻ", "㎏"])
TABLES = {
    "none": None,
    "homo": str.maketrans(HOMO),
    "homo+invisible+dashes": str.maketrans({**HOMO, **dict.fromkeys(map(ord, INVISIBLE)), **dict.fromkeys(map(ord, DASHES), "-")}),
    "dots": str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."}),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_nfkc_is_the_direct_call(name):
    t = TABLES[name]
    for s in TEXTS:
        want = unicodedata.normalize("NFKC", s if t is None else s.translate(t))
        want = want if t is None else want.translate(t)
        assert nfkc(s, t) == want, ascii(s)


def test_bare_is_nfkd_without_marks():
    for s in TEXTS:
        want = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
        assert bare(s) == want, ascii(s)


def test_scanner_folds_read_the_same():
    # the shell fold and the secret fold, through nfkc: the formula they used to write out
    from ringfence.scanners.shell import text as shell_text
    from ringfence.text import normalize as N
    for s in TEXTS[::2]:
        want = unicodedata.normalize("NFKC", s.translate(shell_text._FOLD)).translate(shell_text._FOLD)
        if "\U000e0000" <= max(s) and any(0xE0000 <= ord(c) <= 0xE007F for c in want):
            continue  # tag characters: decoded after the fold, checked below
        assert shell_text.fold(s) == want, ascii(s)
    for s in TEXTS[1::2]:
        if s.isascii():
            continue
        t = unicodedata.normalize("NFKC", s.translate(N._SECRET_FOLD)).translate(N._SECRET_FOLD)
        if not t.isascii():
            t = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", t)
                                                     if not unicodedata.combining(c)))
        assert N.fold_secret(s) == t, ascii(s)
    assert shell_text.fold("ｃｕｒｌ\U000e0020x") == "curl x"


@pytest.mark.parametrize("name", sorted(k for k in TABLES if k != "none"))
def test_tables_are_idempotent(name):
    # nfkc skips the second pass on a text NFKC leaves alone: right only if a pass maps
    # nothing it produced (values are never keys)
    t = TABLES[name]
    vals = {ord(v) for v in t.values() if isinstance(v, str) and len(v) == 1} | {v for v in t.values() if isinstance(v, int)}
    assert not vals & set(t)


def test_the_callers_tables_are_idempotent():
    from ringfence.core import url as U
    from ringfence.scanners.shell import text as shell_text
    from ringfence.text import normalize as N
    for t in (shell_text._FOLD, N._SECRET_FOLD, U._DOTS):
        vals = {v if isinstance(v, int) else ord(v) for v in t.values() if v is not None and (isinstance(v, int) or len(v) == 1)}
        assert not vals & set(t)
