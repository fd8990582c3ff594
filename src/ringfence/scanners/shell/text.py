"""Unicode folding for command text: look-alike letters, fullwidth forms, invisible
and tag characters (a command written to look like ASCII to a human reviewer)."""
from __future__ import annotations

import re

from ...text.chars import DASHES, HOMO, INVISIBLE
from ...text.forms import nfkc

MAX_OUTPUT = 512 * 1024

# Look-alike letters and invisibles: the shared tables (text/chars.py); NFKC already folds
# fullwidth forms. Punctuation that reads as a shell metacharacter is this module's own.
_PUNCT = {**dict.fromkeys(DASHES, "-"), "⁄": "/", "∕": "/", "／": "/", "＼": "\\", "‘": "'", "’": "'", "“": '"', "”": '"'}
_FOLD = str.maketrans({**HOMO, **{ord(k): v for k, v in _PUNCT.items()}, **dict.fromkeys(map(ord, INVISIBLE))})

_LOOKALIKE = "".join(map(chr, HOMO))
_LOOK_RE = re.compile("[" + _LOOKALIKE + "]")
_FULLWIDTH = re.compile("[\uff01-\uff5e]+")


def homoglyphs(text: str) -> str:
    """A word that mixes look-alike letters with ASCII letters (or uses
    fullwidth ASCII): a sign of deliberate evasion in a command. '' if none."""
    text = text[:MAX_OUTPUT]
    for m in _LOOK_RE.finditer(text):
        i = m.start()
        near = text[max(0, i - 1): i + 2]
        if any("a" <= c.lower() <= "z" for c in near):
            lo = max(text.rfind(" ", 0, i) + 1, i - 20)
            return text[lo: i + 20].split(" ")[0][:40]
    m = _FULLWIDTH.search(text)
    return m.group(0)[:40] if m else ""


_TAGS = re.compile("[\U000E0000-\U000E007F]")


def fold(text: str) -> str:
    """NFKC, look-alike letters to ASCII, invisible characters removed."""
    # before NFKC too: it turns some look-alikes into letters no table lists (ϲ -> ς)
    text = nfkc(text, _FOLD)
    # Unicode tag characters (U+E0000..E007F) carry hidden ASCII: decode them.
    if _TAGS.search(text):
        text = "".join(chr(ord(c) - 0xE0000) if 0xE0020 <= ord(c) <= 0xE007E else
                       ("" if 0xE0000 <= ord(c) <= 0xE007F else c) for c in text)
    return text
