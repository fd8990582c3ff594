"""The injection views' compiled forms of the shared character tables (text/chars.py):
invisibles, exotic spaces, tag characters, single code point confusables; and leetspeak.
"""

from __future__ import annotations

import re

from ...text.chars import HOMO_PAIRS, INVISIBLE, LEET_CORE, LEET_READINGS, SPACES, leet_table

FLAGS = re.IGNORECASE | re.MULTILINE


# ---------------------------------------------------------------- folding tables
INVIS_RE = re.compile("[" + re.escape(INVISIBLE + SPACES) + "\U000e0000-\U000e007f]")
DROP_RE = re.compile("[" + re.escape(INVISIBLE) + "\U000e0000-\U000e007f]")
TAG_RUN = re.compile("[\U000e0020-\U000e007e]{3,}")

SPACE_TABLE: dict[int, int] = {ord(c): 0x20 for c in INVISIBLE + SPACES}
for _cp in range(0xE0000, 0xE0080):
    SPACE_TABLE[_cp] = (_cp - 0xE0000) if 0x20 <= _cp - 0xE0000 <= 0x7E else 0x20

# Single code point look-alikes -> ASCII (text/chars.py); 1:1 keeps offsets.
HOMO_TABLE = {ord(p[0]): ord(p[1]) for p in HOMO_PAIRS.split()}
MIXED_RE = re.compile(
    "[A-Za-z][" + "".join(re.escape(p[0]) for p in HOMO_PAIRS.split()) + "]|["
    + "".join(re.escape(p[0]) for p in HOMO_PAIRS.split()) + "][A-Za-z]")
# Leetspeak (text/chars.py), 1:1: one table per reading of '|' (i, l)
LEET_TABLES = tuple(leet_table(r, LEET_CORE) for r in range(LEET_READINGS))


try:  # RE2 finds long character runs ~50x faster than re (linear, no per-position retries)
    import re2 as _re2
    compile_runs = _re2.compile
except Exception:  # pragma: no cover
    compile_runs = re.compile
