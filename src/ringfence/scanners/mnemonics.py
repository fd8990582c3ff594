"""BIP-39 seed phrases from the other official wordlists (scanners/dlp.py has English).

The wordlists are the ones BIP-39 publishes, as shipped by the `mnemonic` package (a
dependency). A phrase is 12/15/18/21/24 words of one list with one kind of separator
between them (spaces, ideographic spaces, commas, quotes, a line each, numbering), at
most SLACK label words around it in the same run, and a valid checksum. Words are
compared folded (NFKD, combining marks dropped, lowercase): the lists are built to be
unambiguous that way, so NFC, NFD and accent-stripped spellings are all found.

Latin-script lists (Spanish, French, Italian, Portuguese, Czech) are looked for in the
English pre-filter's seed-shaped regions of the accent-folded view (lowercase; C-level
passes first, Python only where twelve list words stand in a row); Japanese, Korean
and Chinese by a run pattern that needs separators (Chinese written without them is
ordinary text in the list's 2,048 common characters).
"""
from __future__ import annotations

import functools
import re

from ..text.forms import bare
from . import validators as V

LATIN = ("spanish", "french", "italian", "portuguese", "czech")
CJK = ("japanese", "korean", "chinese_simplified", "chinese_traditional")
SIZES = (24, 21, 18, 15, 12)
SLACK = 2
MAX_RUN = max(SIZES) + SLACK
MAX_WINDOWS = 2000  # checksum tests per text

_SEP = re.compile(r"(?:[ \t,;|\"'\u3001\u3000\uff0c]{1,4}|[ \t]*\r?\n[ \t]*|\s{0,4}\d{1,2}[.):]?\s{1,4})")
_SEP_DIGITS = re.compile(r"\d+")
_SEP_BLANK = re.compile(r"[ \t\u3000]+")
# kana, Hangul syllables, CJK ideographs: the scripts of the non-Latin lists
_CJK_CHAR = "\u3040-\u30ff\uac00-\ud7a3\u3400-\u4dbf\u4e00-\u9fff"
_CJK_ANY = re.compile(f"[{_CJK_CHAR}]")
_CJK_RUN = re.compile(f"(?:[{_CJK_CHAR}]{{1,9}}+{_SEP.pattern}){{11,}}[{_CJK_CHAR}]{{1,9}}+")
_CJK_TOK = re.compile(f"[{_CJK_CHAR}]+")
_ACCENTED = re.compile("[\u00c0-\u024f\u0300-\u036f]")  # Latin letters with diacritics, combining marks


def fold(word: str) -> str:
    return bare(word).lower()


@functools.lru_cache(maxsize=1)
def wordlists() -> dict[str, dict[str, int]]:
    """{language: {folded word: index}} for the official lists other than English."""
    from mnemonic import Mnemonic
    return {lang: {fold(w): i for i, w in enumerate(Mnemonic(lang).wordlist)} for lang in LATIN + CJK}


@functools.lru_cache(maxsize=1)
def _latin_bytes() -> tuple[frozenset[bytes], dict[str, frozenset[bytes]]]:
    """All folded Latin list words as bytes, and per language."""
    per = {lang: frozenset(w.encode("ascii") for w in wordlists()[lang]) for lang in LATIN}
    return frozenset().union(*per.values()), per


_LETTERS_ONLY = bytes(c if 97 <= c <= 122 else 32 for c in range(256))
_RUN12 = b"\x01" * 12
_WORD = re.compile(r"[a-z]+")


def _has_run(toks: list[bytes], members: frozenset[bytes]) -> bool:
    """Twelve list words in a row among the letter tokens (C-level passes only)."""
    return _RUN12 in bytes(map(members.__contains__, toks))


def _sep_class(sep: str) -> str:
    return _SEP_BLANK.sub(" ", _SEP_DIGITS.sub("#", sep.replace("\r", "")))


def _windows(run: list[tuple[str, int]]) -> list[list[int]]:
    """Index windows of one run of (word, index) that are phrase-sized (SLACK words around)."""
    n = len(run)
    out = []
    if n < 12 or n > MAX_RUN:
        return out
    for size in SIZES:
        if size > n or n - size > SLACK:
            continue
        for off in range(0, n - size + 1):
            win = run[off:off + size]
            if V.bip39_phrase_shape([w for w, _ in win]):
                out.append([i for _, i in win])
    return out


def _runs(tokens: list[tuple[int, int, dict[str, int]]], text: str, langs) -> list[tuple[str, list[tuple[str, int]]]]:
    """Maximal runs of one language's words with one separator class between them.
    tokens: (start, end, {language: index}) in text order."""
    out = []
    for lang in langs:
        run: list[tuple[str, int]] = []
        cls = None
        prev_end = -1
        for s, e, langs_of in tokens:
            i = langs_of.get(lang)
            gap = text[prev_end:s] if run else ""
            if i is None or (run and (not _SEP.fullmatch(gap) or (cls is not None and _sep_class(gap) != cls))):
                if run:
                    out.append((lang, run))
                run, cls = [], None
                if i is None:
                    continue
            elif run and cls is None:
                cls = _sep_class(gap)
            run.append((text[s:e], i))
            prev_end = e
        if run:
            out.append((lang, run))
    return [(lang, r) for lang, r in out if 12 <= len(r) <= MAX_RUN]


def find(text: str, regions: list[tuple[int, int]], data: bytes) -> tuple[str, list[str]] | None:
    """(language, words) of the first checksum-valid phrase, else None. `regions` are
    the byte ranges of `data` (text as UTF-8) that hold twelve or more seed-shaped
    ASCII words in a row (the English pre-filter's); Latin-script phrases are looked
    for only there, the other scripts over the text."""
    budget = MAX_WINDOWS
    # Accented words split a run here into list-word stretches that are each shorter
    # than the run; the accent-folded view (scanned too) sees the whole run.
    latin = [] if not text.isascii() and _ACCENTED.search(text) else _latin_runs(data, regions)
    for lang, run in latin + _cjk_runs(text):
        for idx in _windows(run):
            budget -= 1
            if budget < 0:
                return None
            if V.bip39_indices_checksum(idx) and not published_vector(idx, data, 0, len(data)):
                return lang, [w for w, _ in run]
    return None


def _latin_runs(data: bytes, regions: list[tuple[int, int]]):
    every, per = _latin_bytes()
    lists = wordlists()
    out = []
    for a, b in regions:
        chunk = data[max(0, a - 16): b + 16].lower()
        toks = chunk.translate(_LETTERS_ONLY).split()
        if len(toks) < 12 or not _has_run(toks, every):
            continue
        langs = [lang for lang in LATIN if _has_run(toks, per[lang])]
        if not langs:
            continue
        text = chunk.decode("latin-1")  # one char per byte: offsets stay byte offsets
        tokens = [(m.start(), m.end(), {lang: lists[lang][m.group()] for lang in langs if m.group() in lists[lang]})
                  for m in _WORD.finditer(text)]
        out += _runs(tokens, text, langs)
    return out


def _cjk_runs(text: str):
    if text.isascii() or not _CJK_ANY.search(text):
        return []
    lists = wordlists()
    out = []
    for m in _CJK_RUN.finditer(text):
        tokens = []
        for t in _CJK_TOK.finditer(text, m.start(), m.end()):
            f = fold(t.group())
            langs = {lang: lists[lang][f] for lang in CJK if f in lists[lang]}
            tokens.append((t.start(), t.end(), langs))
        out += _runs(tokens, text, CJK)
    return out


VECTOR_SPAN = 400


def published_vector(idx: list[int], data: bytes, start: int, end: int) -> bool:
    """A phrase printed beside the entropy it encodes, in hex, is a test vector (BIP-39's
    own list, wallet libraries' fixtures): a wallet backup never carries its entropy."""
    hx = V.bip39_entropy(idx).hex().encode()
    near = data[max(0, start - VECTOR_SPAN): end + VECTOR_SPAN].lower()
    return hx in near
