"""Lone surrogates at the scanning boundary.

A JSON "\\ud800" escape (or a surrogateescape decode) yields a str that cannot
be encoded as UTF-8, and every byte-level matcher (Hyperscan, re2) needs UTF-8.
Rather than guarding each encode inside the scanners, text is cleaned once as it
enters scanning: each lone surrogate becomes U+FFFD. The swap is one code point
for one, so offsets in findings still point into the original text.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Iterable

REPLACEMENT = "\ufffd"
_LONE = re.compile("[\ud800-\udfff]")


def clean(text: Any) -> Any:
    """`text` with lone surrogates replaced by U+FFFD; other values unchanged."""
    if not isinstance(text, str) or text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _LONE.sub(REPLACEMENT, text)


def clean_fields(fields: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [(clean(w), clean(v)) for w, v in fields]


def text_entry(fn: Callable) -> Callable:
    """Wrap a scanner method whose first argument is text."""
    @functools.wraps(fn)
    def wrapped(text: Any, *args: Any, **kw: Any) -> Any:
        return fn(clean(text), *args, **kw)
    return wrapped


def fields_entry(fn: Callable) -> Callable:
    """Wrap a scanner method whose first argument is (name, text) pairs."""
    @functools.wraps(fn)
    def wrapped(fields: Iterable[tuple[Any, Any]], *args: Any, **kw: Any) -> Any:
        return fn(clean_fields(fields), *args, **kw)
    return wrapped
