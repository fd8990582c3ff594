"""A credential file handed on, in any language (rules/handoff.py says the shape).

`credential_handoff(text, where, agent_only)` returns at most one Finding. Bounded:
the first 64 credential-file mentions of the first 256 KB of text.
"""
from __future__ import annotations

import re

from ..core import Finding
from ..rules import handoff as H

_CRED = re.compile(H.CRED_PATH, re.IGNORECASE)
_LABEL = re.compile(H.LABEL, re.MULTILINE)
_END = re.compile(H.SENTENCE_END)
_SINK = re.compile(H.SINK, re.IGNORECASE)
_ASCII_WORD = re.compile(r"[a-z']+")
_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"\s+")
MAX_TEXT = 256 * 1024
MAX_HITS = 64
WORDS_AFTER = 4   # agent-only text: an instruction goes on after naming the file


def credential_handoff(text: str, where: str, agent_only: bool = False) -> list[Finding]:
    if not isinstance(text, str) or len(text) < 12:
        return []
    text = text[:MAX_TEXT]
    # cheapest first: a label needs a colon; data text needs somewhere to send to
    if not any(c in text for c in H.COLONS) or (not agent_only and "://" not in text and "@" not in text):
        return []
    if not _gate().hits(text):   # one Hyperscan pass says whether any credential file is named
        return []
    n = 0
    for m in _CRED.finditer(text):
        n += 1
        if n > MAX_HITS:
            break
        sentence = _sentence(text, m.start(), m.end())
        if sentence is None:
            continue
        label, body, after = sentence
        if " ".join(label.lower().split()) in H.NOTE_LABELS:
            continue   # a note to a human reader of documentation
        rest = _SINK.sub(" ", body.replace(m.group(0), " "))
        words = _ASCII_WORD.findall(rest.lower())
        if any(w in H.ENGLISH for w in words) or not _enough(rest, 4, 12):
            continue  # English (the English families judge it), or too short to instruct
        if agent_only:
            if not _enough(_SINK.sub(" ", after), WORDS_AFTER, 30) and not _SINK.search(body):
                continue
        elif not _SINK.search(body):
            continue
        return [Finding("injection", "credential_handoff", "critical",
                        f"{label[:24]}: ... {m.group(0)[:40]}", where, "block")]
    return []


_GATE: list = []


def _gate():
    """The credential-file pattern as a PatternSet (built on first use; a race builds it twice, harmlessly)."""
    if not _GATE:
        from .. import match
        _GATE.append(match.PatternSet([("cred", H.CRED_PATH, match.I)]))
    return _GATE[0]


def _enough(text: str, words: int, chars: int) -> bool:
    """At least `words` words, or `chars` letters for scripts written without spaces."""
    return len(_WORD.findall(text)) >= words or len(_SPACE.sub("", text)) >= chars


def _sentence(text: str, a: int, b: int) -> tuple[str, str, str] | None:
    """(label, the sentence from the label on, the part after the file) when a label opens
    the sentence that holds text[a:b]; None otherwise."""
    lo = max(0, a - 400)
    start = lo
    for e in _END.finditer(text, lo, a):
        start = e.end()
    label = None
    for lm in _LABEL.finditer(text, max(0, start - 2), a):
        if lm.start(1) >= start - 2:
            label = lm
            break
    if label is None:
        return None
    e = _END.search(text, b, min(len(text), b + 400))
    end = e.start() if e else min(len(text), b + 400)
    return label.group(1), text[label.end():end], text[b:end]
