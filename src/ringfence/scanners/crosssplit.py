"""Pieces of one request's URL, as fields for DLP's split join (scanners/dlp.py
split_text): a secret cut between a header and a query value or path segment of
the same request is glued back from the header fields plus these.

Only token-shaped pieces matter to the join (it drops the rest), so this is cheap:
query values and path segments, percent-decoded, bounded in count.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from ..text.percent import percent_decode

MAX_PIECES = 16


def url_pieces(url: str) -> list[tuple[str, str]]:
    """(where, value) for the query values and path segments of url."""
    try:
        p = urlsplit(url)
    except ValueError:
        return []
    out: list[tuple[str, str]] = []
    for i, seg in enumerate(p.path.split("/")):
        if seg and len(out) < MAX_PIECES:
            out.append((f"url.path[{i}]", percent_decode(seg)))
    for k, v in parse_qsl(p.query, keep_blank_values=False)[:MAX_PIECES]:
        if len(out) < MAX_PIECES * 2:
            out.append((f"url.query.{k[:64]}", v))
    if p.fragment:
        out.append(("url.fragment", percent_decode(p.fragment)))
    return out
