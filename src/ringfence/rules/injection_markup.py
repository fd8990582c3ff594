"""Markup that a human reader does not see, beyond comments and display:none.

Three kinds, each read by the injection scanner as hidden text (a hit inside gets
the hidden bonus; a region with a family hit or an address to an AI is a finding):

  - elements hidden by inline CSS in more ways: clipping, off-screen offsets and
    indents, far translations, transparent text, text the colour of its background,
    zero max-size with overflow hidden (added to rules/injection.py's HIDDEN_*);
  - elements that are never rendered: <template>, <noscript> (rendered only without
    scripts), <noembed>, <noframes>, SVG <desc> and <metadata>, and structured data <script type="application/ld+json">;
  - attribute values (alt, title, meta content, hidden input values, aria-label, ...)
    and markdown image and link-reference titles: found per hit, not per page.
"""
from __future__ import annotations

import re

_COLOR = r"(#[0-9a-f]{3,8}|[a-z]{3,20}|rgba?\([^)]{1,40}\))"

# Cheap candidate finder (also compiled into the hyperscan prefilter: no backreferences).
HIDDEN_TRIGGER_MORE = (
    r"clip(?:-path)?\s*:|text-indent\s*:\s*-|translate[xyz3d]{0,2}\(\s*-|(?:left|top|right|bottom)\s*:\s*-\d\d\d"
    r"|color\s*:\s*transparent|max-(?:height|width)\s*:\s*0|background(?:-color)?\s*:"
)
# The whole opening tag must match one of these (Python `re`, backreferences allowed).
HIDDEN_TAG_MORE = (
    r"clip\s*:\s*rect\(\s*0(?:px)?[\s,]+0(?:px)?[\s,]+0(?:px)?[\s,]+0"
    r"|clip-path\s*:\s*(?:inset\(\s*(?:50|100)%|circle\(\s*0)"
    r"|text-indent\s*:\s*-\d{3,}"
    r"|translate[xyz3d]{0,2}\(\s*-\d{4,}"
    r"|(?:left|top|right|bottom)\s*:\s*-\d{3,}(?:\.\d+)?(?:px|em|rem|vw|vh|%)"
    r"|(?<![-\w])color\s*:\s*transparent"
    r"|max-(?:height|width)\s*:\s*0(?:px)?\s*;[^'\">]{0,100}overflow\s*:\s*hidden"
    r"|(?<![-\w])color\s*:\s*" + _COLOR + r"\s*(?:!important\s*)?[;'\"][^'\">]{0,200}?background(?:-color)?\s*:\s*\1(?![\w-])"
    r"|background(?:-color)?\s*:\s*" + _COLOR.replace("(", "(?P<bg>", 1) + r"\s*(?:!important\s*)?[;'\"][^'\">]{0,200}?"
    r"(?<![-\w])color\s*:\s*(?P=bg)(?![\w-])"
)

# Elements never rendered as page text. Found by plain search (lower-cased page).
# (<noembed> and <noframes> are fallbacks no current browser renders; SVG <metadata> is data)
NON_RENDERED = ("template", "noscript", "desc", "noembed", "noframes", "metadata")
NON_RENDERED_TRIGGER = r"<template|<noscript|<desc|<noembed|<noframes|<metadata|ld\+json"
LD_JSON = "application/ld+json"

# A hit in a markdown title: `![alt](url "title")`, `[text](url 'title')`, `[id]: url "title"`.
MD_TITLE = re.compile(r"(?:\]\(\s*<?[^\s()<>]{1,2000}>?\s+[\"'(]|^\s{0,3}\[[^\]\n]{1,200}\]:\s*<?\S{1,2000}>?\s+[\"'(])"
                      r"[^\"')\n]{0,2000}$")
