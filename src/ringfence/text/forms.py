"""Unicode normalization forms: the one NFKC and NFKD call of every scanner and text/.
Light to import (the scanners' cold start pays only for `unicodedata`).

    nfkc(text, around=None) -> str   NFKC; one quick check when the text is already normal
    bare(text) -> str                NFKD with combining marks dropped (accents off)
"""
from __future__ import annotations

import unicodedata


def nfkc(text: str, around: dict | None = None) -> str:
    """NFKC of text; `around` (a translate table whose values are never its keys, so a second
    pass changes nothing it already mapped) is applied before NFKC, which turns some
    look-alikes into letters no table lists (ϲ -> ς), and after, for what NFKC produced."""
    if around is not None:
        text = text.translate(around)
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text  # (NFKC of a normal text is the text: one check, no copy)
    text = unicodedata.normalize("NFKC", text)
    return text if around is None else text.translate(around)


def bare(text: str) -> str:
    """NFKD with the combining marks dropped: compatibility forms to their plain letters and
    accents off (`Ｔéléchargér` -> `Telecharger`); every script's base letters kept."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


__all__ = ["bare", "nfkc"]
