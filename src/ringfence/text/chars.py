"""Character tables every folding view reads: one set, so the injection views and
text/normalize.py (fold, fold_secret) cannot drift apart.

    INVISIBLE    characters with no glyph that hide inside words (format characters,
                 fillers, variation selectors); normalize widens it with all of \\p{Cf}
    SPACES       exotic spaces
    DASHES       dashes and minus signs that read as '-'
    HOMO_PAIRS   single code point look-alikes -> one ASCII letter (1:1, so a view that
                 translates with them keeps every offset): the core set every view reads
    HOMO_EXTRA   more of them, for the views off the injection prefilter's hot path
    HOMO         both, as a translate table
    hs_class(cps) -> str   a hyperscan class of code points (ranges folded)
    rot13(text) -> str     ROT13 of the ASCII letters (the one implementation)
    LEET, leet_table(reading, chars)   leetspeak symbols -> letters, one table per reading
"""
from __future__ import annotations

INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u200b\u200c\u200d\u200e"
             "\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a"
             "\u206b\u206c\u206d\u206e\u206f\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09"
             "\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\ufeff\uffa0\U0001d173\U0001d174\U0001d175\U0001d176\U0001d177"
             "\U0001d178\U0001d179\U0001d17a") + "".join(map(chr, range(0xE0100, 0xE01F0)))  # + VS supplement
SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

# Well-known look-alikes (public Unicode confusable facts), each one code point -> one ASCII letter.
# HOMO_PAIRS: the core set, read by every view (the injection prefilter builds its presence
# classes from it; each frequent letter added there costs its hyperscan pass on Cyrillic prose).
HOMO_PAIRS = (
    "аa бb вb сc дd еe ёe һh іi јj кk лn мm нh оo пn рp тt уy хx ѕs ԁd ԛq ԝw ӏl ɡg "
    "АA ВB СC ЕE НH ІI ЈJ КK МM ОO РP ТT ХX ЅS УY "
    "αa βb γy εe ηn ιi κk νv οo ρp τt υu χx ωw ϲc "
    "ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX "
    "ıi ȷj ℓl ⅰi ⅼl ɑa ɩi ɪi ʟl ɴn ʀr ꜱs ᴀa ᴄc ᴅd ᴇe ᴋk ᴍm ᴏo ᴘp ᴛt ᴜu ᴠv ᴡw ᴢz"
)
# HOMO_EXTRA: more look-alikes that the secret view, fold and the shell fold also read.
HOMO_EXTRA = (
    "їi ьb ґr ЁE ЇI ԚQ ԜW ҮY ҺH ӀI ЬB ϳj ϹC"                     # Cyrillic, Greek
    " աw գq զq հh յj ոn ռn սu ցg օo քp ՍU ՏS ՕO"                   # Armenian
    " ʏy ǀl"
)
HOMO: dict[int, str] = {ord(p[0]): p[1] for p in (HOMO_PAIRS + " " + HOMO_EXTRA).split()}  # all of them
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"   # read as '-'
# Leetspeak: a digit or symbol -> the letter it reads as. '|' reads as i or as l: both
# readings are listed, and a reader builds one view per reading (leet_table(0), (1)).
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
        "@": "a", "$": "s", "!": "i", "+": "t", "\u20ac": "e", "|": "il"}
LEET_READINGS = 2
# The symbols the injection views read 1:1 (digits like 8 and '+' fill code and numbers:
# reading them there would cost a view on most code).
LEET_CORE = "0134579@$!|"


def leet_table(reading: int, chars: str | None = None) -> dict[int, int]:
    """A translate table of leetspeak `chars` (default: all) in one of their readings
    (0..LEET_READINGS-1; a character with one reading reads the same in each)."""
    return {ord(k): ord(v[min(reading, len(v) - 1)]) for k, v in LEET.items() if chars is None or k in chars}


_AZ = "abcdefghijklmnopqrstuvwxyz"
ROT13 = str.maketrans(_AZ + _AZ.upper(), _AZ[13:] + _AZ[:13] + (_AZ[13:] + _AZ[:13]).upper())


_LETTERS = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ROT13_BYTES = bytes.maketrans(_LETTERS, _LETTERS[13:26] + _LETTERS[:13] + _LETTERS[39:] + _LETTERS[26:39])


def rot13(text: str) -> str:
    """ROT13 of the ASCII letters (every other character kept): its own inverse. Done on the
    UTF-8 bytes, where a multi-byte character has no byte below 0x80, so only ASCII letters
    move (~5-10x faster than str.translate on megabytes)."""
    return text.encode("utf-8", "surrogatepass").translate(_ROT13_BYTES).decode("utf-8", "surrogatepass")


def cp_runs(cps) -> list[tuple[int, int]]:
    """The code points cps as sorted runs (first, last) of consecutive code points."""
    cps = sorted(set(cps))
    out, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        out.append((cps[i], cps[j]))
        i = j + 1
    return out


def cp_class(cps, esc: str = "\\x{%x}") -> str:
    """The body of a character class of the code points cps, runs folded into ranges
    (`esc` writes one code point: hyperscan/RE2 `\\x{..}`, Python `\\U........`)."""
    return "".join(esc % a + ("-" + esc % b if b > a else "") for a, b in cp_runs(cps))


def hs_class(cps) -> str:
    """A hyperscan character class of the code points cps, runs folded into ranges."""
    return "[" + cp_class(cps) + "]"


__all__ = ["DASHES", "HOMO", "HOMO_EXTRA", "HOMO_PAIRS", "INVISIBLE", "LEET", "LEET_CORE", "LEET_READINGS", "ROT13", "SPACES", "cp_class", "cp_runs", "hs_class", "leet_table", "rot13"]
