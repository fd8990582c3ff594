"""The injection views' compiled forms of the shared character tables (text/chars.py):
invisibles, exotic spaces, tag characters, single code point confusables (all of them);
and leetspeak.
"""

from __future__ import annotations

import re

from ...text.chars import HOMO, HOMO_EXTRA, INVISIBLE, LEET_CORE, LEET_READINGS, SPACES, leet_table
from ...text.chars import HOMO_PAIRS  # noqa: F401  (the prefilter's core set, read from here)

FLAGS = re.IGNORECASE | re.MULTILINE


# ---------------------------------------------------------------- folding tables
INVIS_RE = re.compile("[" + re.escape(INVISIBLE + SPACES) + "\U000e0000-\U000e007f]")
DROP_RE = re.compile("[" + re.escape(INVISIBLE) + "\U000e0000-\U000e007f]")
TAG_RUN = re.compile("[\U000e0020-\U000e007e]{3,}")

SPACE_TABLE: dict[int, int] = {ord(c): 0x20 for c in INVISIBLE + SPACES}
for _cp in range(0xE0000, 0xE0080):
    SPACE_TABLE[_cp] = (_cp - 0xE0000) if 0x20 <= _cp - 0xE0000 <= 0x7E else 0x20

# Single code point look-alikes -> ASCII: the full set of text/chars.py (1:1 keeps offsets).
# The prefilter's presence flags ("homo", "mixed") cover the core set (HOMO_PAIRS): each
# further class member costs its UTF-8 pass ~8% on Cyrillic prose. mixed_extra() finds the
# rest with one small hyperscan pass over the text's UTF-16 (a near-copy to encode).
HOMO_TABLE = {cp: ord(a) for cp, a in HOMO.items()}
_ALL_HOMO = "".join(map(chr, HOMO))
MIXED_RE = re.compile("[A-Za-z][" + re.escape(_ALL_HOMO) + "]|[" + re.escape(_ALL_HOMO) + "][A-Za-z]")
HOMO_ANY = re.compile("[" + re.escape(_ALL_HOMO) + "]")
_EXTRA_NEXT = {p[0]: re.compile(re.escape(p[0]) + "(?:[A-Za-z]|(?<=[A-Za-z]" + re.escape(p[0]) + "))")
               for p in HOMO_EXTRA.split()}


_EXTRA_DB: list = []


def _extra_db():
    """A hyperscan database of an ASCII letter next to an extra look-alike, in UTF-16LE
    code units (None without hyperscan)."""
    if not _EXTRA_DB:
        db = None
        try:
            import hyperscan as hs
            from .prefilter import hs_compile
            unit = lambda c: "".join("\\x%02x" % b for b in c.encode("utf-16-le"))  # noqa: E731
            extra = "(?:" + "|".join(unit(p[0]) for p in HOMO_EXTRA.split()) + ")"
            db = hs_compile(hs, ["[A-Za-z]\\x00" + extra + "|" + extra + "[A-Za-z]\\x00"], [0], [0])
        except Exception:  # pragma: no cover - hyperscan is a dependency
            db = None
        _EXTRA_DB.append(db)
    return _EXTRA_DB[0]


def mixed_extra(text: str) -> bool:
    """An ASCII letter next to a look-alike outside the prefilter's core set (`ignօre`)."""
    db = _extra_db()
    if db is None:
        return any(c in text and rx.search(text) for c, rx in _EXTRA_NEXT.items())
    hit: list[int] = []

    def on(_i, _f, to, _fl, _ctx):
        if to % 2 == 0:  # a match across two code units' halves is not one
            hit.append(to)
            return True
        return False
    try:
        db.scan(text.encode("utf-16-le", "surrogatepass"), match_event_handler=on)
    except Exception:  # ScanTerminated: the first aligned match stopped the scan
        if not hit:
            return any(c in text and rx.search(text) for c, rx in _EXTRA_NEXT.items())  # (a scan error: exact path)
    return bool(hit)
# Leetspeak (text/chars.py), 1:1: one table per reading of '|' (i, l)
LEET_TABLES = tuple(leet_table(r, LEET_CORE) for r in range(LEET_READINGS))


try:  # RE2 finds long character runs ~50x faster than re (linear, no per-position retries)
    import re2 as _re2
    compile_runs = _re2.compile
except Exception:  # pragma: no cover
    compile_runs = re.compile
