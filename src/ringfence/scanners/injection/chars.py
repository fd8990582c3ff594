"""Character tables shared by the views and the prefilter: invisibles, exotic spaces, tag
characters, single code point confusables, leetspeak.
"""

from __future__ import annotations

import re


FLAGS = re.IGNORECASE | re.MULTILINE


# ---------------------------------------------------------------- folding tables
INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d\u200e\u200f"
              "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b"
              "\u206c\u206d\u206e\u206f\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a"
              "\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\ufeff\uffa0\U0001d173\U0001d174\U0001d175\U0001d176\U0001d177"
              "\U0001d178\U0001d179\U0001d17a")
SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
INVIS_RE = re.compile("[" + re.escape(INVISIBLE + SPACES) + "\U000e0000-\U000e007f]")
DROP_RE = re.compile("[" + re.escape(INVISIBLE) + "\U000e0000-\U000e007f]")
TAG_RUN = re.compile("[\U000e0020-\U000e007e]{3,}")

SPACE_TABLE: dict[int, int] = {ord(c): 0x20 for c in INVISIBLE + SPACES}
for _cp in range(0xE0000, 0xE0080):
    SPACE_TABLE[_cp] = (_cp - 0xE0000) if 0x20 <= _cp - 0xE0000 <= 0x7E else 0x20

# Single code point look-alikes -> ASCII (Cyrillic, Greek, a few others); 1:1 keeps offsets.
HOMO_PAIRS = (
    "аa бb вb сc дd еe ёe һh іi јj кk лn мm нh оo пn рp тt уy хx ѕs ԁd ԛq ԝw ӏl ɡg "
    "АA ВB СC ЕE НH ІI ЈJ КK МM ОO РP ТT ХX ЅS УY "
    "αa βb γy εe ηn ιi κk νv οo ρp τt υu χx ωw ϲc "
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX "
    "ıi ȷj ℓl ⅰi ⅼl ɑa ɩi ɪi ʟl ɴn ʀr ꜱs ᴀa ᴄc ᴅd ᴇe ᴋk ᴍm ᴏo ᴘp ᴛt ᴜu ᴠv ᴡw ᴢz"
)
HOMO_TABLE = {ord(p[0]): ord(p[1]) for p in HOMO_PAIRS.split()}
MIXED_RE = re.compile(
    "[A-Za-z][" + "".join(re.escape(p[0]) for p in HOMO_PAIRS.split()) + "]|["
    + "".join(re.escape(p[0]) for p in HOMO_PAIRS.split()) + "][A-Za-z]")
LEET_TABLE = {ord(k): ord(v) for k, v in zip("0134579@$|!", "oieastgasii")}


try:  # RE2 finds long character runs ~50x faster than re (linear, no per-position retries)
    import re2 as _re2
    compile_runs = _re2.compile
except Exception:  # pragma: no cover
    compile_runs = re.compile
