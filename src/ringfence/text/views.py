"""The views every scanner reads: computed once per piece of content, then shared.

    views(text, purpose, *, max_depth=4) -> list[View]
    View(name: str, text: str, original: bool)

`purpose` is "dlp" or "injection". Views, in order, identical texts dropped:
    "raw"          the text itself (original=True: its offsets are the input's, so it is
                   the only view a strip rewrite may use)
    "fold"         fold(text)
    "fold_spaced"  fold_spaced(text)
    "tags"         decode_tags(text)
    "leet"         leet(fold(text)), and with '|' read as i   (injection only)
    "<chain>"      fold(layer.text) for each decode_layers() layer, e.g. "base64",
                   "percent>base64"; a budget stop adds a View("truncated", "", False)

A transport or the engine calls views() once per content item and hands the same list
to every scanner ("decode once, scan many"); scanners must not recompute them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .decode import decode_layers
from .normalize import decode_tags, fold, fold_pair, leet


@dataclass(frozen=True, slots=True)
class View:
    name: str
    text: str
    original: bool = False


def views(text: str, purpose: Literal["dlp", "injection"], *, max_depth: int = 4) -> list[View]:
    if purpose not in ("dlp", "injection"):
        raise ValueError(f"unknown purpose {purpose!r}")
    if not isinstance(text, str):
        raise TypeError("views takes str")
    out = [View("raw", text, True)]
    seen = {text}

    def add(name: str, s: str | None) -> None:
        if s is not None and s not in seen:
            seen.add(s)
            out.append(View(name, s, False))

    f, fs = fold_pair(text)   # one pass for both
    add("fold", f)
    add("fold_spaced", fs)
    add("tags", decode_tags(text))
    if purpose == "injection":
        add("leet", leet(f))
        if "|" in f:  # '|' reads as l above and as i here
            add("leet", leet(f, 0))
    for layer in decode_layers(text, max_depth=max_depth):
        if layer.chain == "truncated":
            out.append(View("truncated", "", False))
            continue
        add(layer.chain, fold(layer.text))
    return out


__all__ = ["View", "views"]
