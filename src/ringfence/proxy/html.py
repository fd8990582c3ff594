"""Readable text from HTML for /fetch: visible text, title, no scripts or styles.

This is for what the agent reads; scanning runs on the whole raw document
(comments and hidden elements included) before extraction."""
from __future__ import annotations

import re
from html.parser import HTMLParser

SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe", "object"})
BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
                   "footer", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr", "main",
                   "nav", "aside", "dd", "dt", "figure", "figcaption", "form"})
MAX_DEPTH = 512


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.in_title = False
        self.title: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in SKIP:
            self.skip = min(self.skip + 1, MAX_DEPTH)
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in SKIP:
            self.skip = max(self.skip - 1, 0)
        elif tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        elif not self.skip:
            self.parts.append(data)


_WS = re.compile(r"[ \t\f\v\u00a0]+")
_NL = re.compile(r"\n\s*\n+")


def extract_text(html: str) -> tuple[str, str]:
    """(title, readable text)."""
    p = _Extractor()
    try:
        p.feed(html)
        p.close()
    except Exception:  # html.parser is lenient; never let odd markup crash a fetch
        pass
    text = _WS.sub(" ", "".join(p.parts))
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _NL.sub("\n\n", text).strip()
    return " ".join("".join(p.title).split()), text


def looks_like_html(content_type: str, body_start: str) -> bool:
    ct = content_type.lower()
    if "html" in ct:
        return True
    if ct and not ct.startswith("text/plain"):
        return False
    s = body_start.lstrip()[:64].lower()
    return s.startswith("<!doctype html") or s.startswith("<html")
