"""Inbound prompt-injection scanner (sans-io).

One hyperscan pass per view over every family pattern (as a superset) tells
where matches may end (prefilter); only those places are confirmed with `re`,
in windows ending there on large texts. Each confirmed hit is scored in its
context (context; the families and weights are in ringfence.rules.injection)
and reported when the score reaches the threshold (scanner).

Views (views, fold): raw; invisibles and exotic spaces as spaces (tag
characters decoded); homoglyphs folded; NFKC with invisibles dropped;
leetspeak folded; markup stripped; and decoded layers (JSON \\u escapes, HTML
entities, percent, quoted-printable, byte arrays, base64/32/58, hex). Hits in
views whose offsets equal the original's carry a span (widened to the
enclosing line, element or JSON string) so `strip` can cut them out; hits that
exist only in decoded views carry none, and strip then refuses (the engine
blocks).
"""

from .prefilter import anchor_info, anchors, wait_for_databases
from .scanner import InjectionScanner

__all__ = ["InjectionScanner", "anchor_info", "anchors", "wait_for_databases"]
