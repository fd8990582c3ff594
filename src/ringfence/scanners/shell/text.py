"""Unicode folding for command text: look-alike letters, fullwidth forms, invisible
and tag characters (a command written to look like ASCII to a human reviewer)."""
from __future__ import annotations

import unicodedata
import re

MAX_OUTPUT = 512 * 1024

# Letters that render like ASCII letters (Cyrillic, Greek, a few others).
# Written from the Unicode charts; NFKC already folds fullwidth forms.
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ո": "n", "ս": "u",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ү": "Y",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "χ": "x", "υ": "u",
    "ϲ": "c", "ϳ": "j", "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "ı": "i", "ℓ": "l", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "⁄": "/",
    "∕": "/", "／": "/", "＼": "\\", "‘": "'", "’": "'", "“": '"', "”": '"',
}
# Invisible characters dropped outright (zero-width, soft hyphen, BOM, tags).
_INVISIBLE = dict.fromkeys([0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E,
                            0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062,
                            0x2063, 0x2064, 0xFEFF])
_FOLD = str.maketrans({**{ord(k): v for k, v in _CONFUSABLES.items()}, **_INVISIBLE})

_LOOKALIKE = "".join(k for k in _CONFUSABLES if k.isalpha())
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
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_FOLD)
    # Unicode tag characters (U+E0000..E007F) carry hidden ASCII: decode them.
    if _TAGS.search(text):
        text = "".join(chr(ord(c) - 0xE0000) if 0xE0020 <= ord(c) <= 0xE007E else
                       ("" if 0xE0000 <= ord(c) <= 0xE007F else c) for c in text)
    return text
