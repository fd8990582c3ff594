"""Seed phrases (BIP-39, Electrum): the word windows worth a checksum test, and how much
of the nearby text reuses a window's words (text from a small vocabulary is no phrase).
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from itertools import accumulate, compress

from .. import validators as V

_WORD = re.compile(r"[A-Za-z]+")
SEED_SIZES = (24, 21, 18, 15, 12)
SEED_SLACK = 2     # wordlist words allowed around a phrase inside one run ("seed phrase legal winner ...")
SEED_MAX_RUN = max(SEED_SIZES) + SEED_SLACK


_SEED_TOK = re.compile(r"([A-Za-z]+)([^A-Za-z]*)")
_SEP_DIGITS = re.compile(r"\d+")
_SEP_SPACE = re.compile(r"[ \t]+")


def _sep_class(sep: str) -> str:
    """Separator kind: ' ', ', ', newline, numbering ' #. ' ... (digits and blank runs folded)."""
    return _SEP_SPACE.sub(" ", _SEP_DIGITS.sub("#", sep.replace("\r", "")))


def seed_candidates(run_text: str) -> list[tuple[list[str], int, int]]:
    """Word windows worth a BIP-39 checksum test in one run of seed-shaped words,
    as (words, start, end) with offsets into run_text.

    A phrase is a maximal run of wordlist words with one kind of separator between
    them (all spaces, all ', ', one per line, or numbered), whose length is
    12/15/18/21/24 plus at most SEED_SLACK label words. A longer run is prose or
    word soup, not a phrase: testing every window of it would let 1 in 16 random
    12-word windows through on the checksum alone."""
    index = V.bip39_words()
    low = run_text.lower()
    runs: list[list[re.Match]] = []
    if len(low) > 4096:
        # Long runs are word soup or prose: find the non-wordlist words with C-level
        # passes (bytes translate + split, regex split, accumulate) and tokenise only
        # the stretches between them that hold 12 words (all of them wordlist words).
        words = low.encode("utf-8", "surrogatepass").translate(_LETTERS_ONLY).split()
        non = set(words) - _bip39_bytes()
        if not non:
            return []
        if len(non) <= 256:
            alts = sorted((w.decode("ascii") for w in non), key=len, reverse=True)
            parts = re.split(r"(?<![a-z])(" + "|".join(alts) + r")(?![a-z])", low)  # gap, word, gap, ...
            lens = list(map(len, parts))
            offs = list(accumulate(lens, initial=0))
            long_gaps = list(compress(range(0, len(parts), 2), map((12 * 4 - 1).__le__, lens[0::2])))
            counts = map(len, map(_WORD.findall, [parts[k] for k in long_gaps]))
            for k in compress(long_gaps, map((12).__le__, counts)):
                _member_runs(low, offs[k], offs[k] + lens[k], index, runs)
            return _windows_of(runs)
    _member_runs(low, 0, len(low), index, runs)
    return _windows_of(runs)


_LETTERS_ONLY = bytes(c if 65 <= c <= 90 or 97 <= c <= 122 else 32 for c in range(256))


@functools.lru_cache(maxsize=1)
def _bip39_bytes() -> frozenset[bytes]:
    return frozenset(w.encode("ascii") for w in V.bip39_words())


def _member_runs(low: str, a: int, b: int, index, runs: list) -> None:
    run: list[re.Match] = []
    cls = ""
    for m in _SEED_TOK.finditer(low, a, b):
        if m.group(1) not in index:
            if run:
                runs.append(run)
            run = []
            continue
        if len(run) >= 2 and _sep_class(run[-1].group(2)) != cls:
            runs.append(run)
            run = []
        if len(run) == 1:
            cls = _sep_class(run[0].group(2))
        run.append(m)
    if run:
        runs.append(run)


def _windows_of(runs) -> list[tuple[list[str], int, int]]:
    out: list[tuple[list[str], int, int]] = []
    for run in runs:
        n = len(run)
        if n < 12 or n > SEED_MAX_RUN:
            continue
        for size in SEED_SIZES:
            if size > n or n - size > SEED_SLACK:
                continue
            for off in range(0, n - size + 1):
                toks = run[off: off + size]
                win = [t.group(1) for t in toks]
                if V.bip39_phrase_shape(win):
                    out.append((win, toks[0].start(), toks[-1].end(1)))
    return out


_WORD_B = re.compile(rb"[A-Za-z]+")


def vocabulary_reuse(window: list[str], context: bytes) -> int:
    """How many of the window's words the nearby text uses beyond the copies of the
    window itself. Text from a small vocabulary reuses nearly all of them; a phrase
    pasted into a message (even twice, as a body and as a field) reuses few."""
    cnt = Counter(w.lower() for w in _WORD_B.findall(context))
    k = Counter(w.encode() for w in window)
    copies = min(cnt[w] // n for w, n in k.items())
    return sum(1 for w, n in k.items() if cnt[w] - copies * n > 2)


