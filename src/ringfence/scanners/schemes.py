"""URLs with request-smuggling schemes inside outbound content (SSRF by proxy).

A fetch target with a scheme other than http(s) is refused by the URL pipeline. The same
URL can also travel inside a tool argument or a request body, for a server-side fetcher
(an image renderer, a webhook tester, a fetch tool) to open: gopher:// and dict:// write
raw bytes to any TCP service (Redis, memcached, SMTP), ldap://, tftp://, jar:, netdoc:,
phar:// and expect:// reach loaders and local files. Nothing an agent sends for ordinary
work uses them, so one anywhere in outbound content is a finding.
"""
from __future__ import annotations

import re

from ..core import Finding, redact

SCHEMES = ("gopher", "dict", "ldap", "ldaps", "ldapi", "tftp", "jar", "netdoc", "phar", "expect")
_URL = re.compile(r"(?i)(?<![\w+.-])(" + "|".join(SCHEMES) + r"):(?://|[a-z]+:)[^\s\"'<>]{1,}")


# Characters `re` (IGNORECASE) matches with an ASCII letter (see ringfence.match.ascii).
_FOLD = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}


_GATE: list = []


def _may_hold(value: str) -> bool:
    """Some scheme name followed by ":" occurs (case-insensitively, as `re` folds): one
    Hyperscan pass (match.PatternSet) instead of the regex trying every position of a
    long body, or a lowered copy searched ten times (~50 us per 10 KB)."""
    if not _GATE:
        from .. import match
        _GATE.append(match.PatternSet([(s, re.escape(s) + ":", match.I) for s in SCHEMES]))
    return bool(_GATE[0].hits(value if value.isascii() else value.translate(_FOLD)))


def smuggling_findings(fields, action: str = "block") -> list[Finding]:
    """One finding per field holding such a URL (the first URL named)."""
    out: list[Finding] = []
    for where, value in fields:
        if not isinstance(value, str) or ":" not in value or not _may_hold(value):
            continue
        m = _URL.search(value)
        if m:
            out.append(Finding("ssrf", "smuggling_scheme_url", "high", f"{m.group(1).lower()}: {redact(m.group(0))}",
                               where, action))
            if len(out) >= 8:
                break
    return out


__all__ = ["SCHEMES", "smuggling_findings"]
