"""The one verdict cache (core/verdicts.py): keys never collide by concatenation or
type, hold no content, follow the generation; entries and bytes are bounded; an
invalidation (reload, kill switch) forgets everything, including puts in flight."""
from __future__ import annotations

import asyncio

from ringfence.config import Config
from ringfence.core.verdicts import MISS, VerdictCache, cacheable
from ringfence.core import Finding

SECRET = "AKIA" + "Z4X7Q2L9MBN3TRWK"


def test_keys_separate_parts_types_directions_and_kinds():
    c = VerdictCache()
    keys = {
        c.key("outbound", "fields", [("ab", "c")]),
        c.key("outbound", "fields", [("a", "bc")]),
        c.key("outbound", "fields", [("a", "b"), ("c", "")]),
        c.key("outbound", "url", "ab", "c"),
        c.key("outbound", "url", "a", "bc"),
        c.key("outbound", "url", b"ab", "c"),
        c.key("inbound", "url", "ab", "c"),
        c.key("outbound", "url", "ab", "c", None),
        c.key("outbound", "url", "ab", "c", ""),
        c.key("outbound", "url", "1"),
        c.key("outbound", "url", 1),
    }
    assert len(keys) == 11
    # equal content, equal key: a list and a tuple of the same pairs
    assert c.key("x", "k", [("a", "b")]) == c.key("x", "k", (("a", "b"),))


def test_key_holds_no_content():
    c = VerdictCache()
    k = c.key("outbound", "url", f"https://evil.test/?k={SECRET}", "GET")
    assert SECRET not in repr(k) and SECRET.encode() not in b"".join(
        p if isinstance(p, bytes) else str(p).encode() for p in k)


def test_lone_surrogates_are_keyed_not_rejected():
    c = VerdictCache()
    assert c.key("inbound", "text", "a\ud800") != c.key("inbound", "text", "a\ud801")


def test_bounded_in_entries_lru_order():
    c = VerdictCache(entries=3)
    ks = [c.key("o", "url", str(i)) for i in range(4)]
    for k in ks[:3]:
        c.put(k, "v")
    assert c.get(ks[0]) == "v"          # now most recent
    c.put(ks[3], "v")
    assert len(c) == 3
    assert c.get(ks[1]) is MISS         # the least recently used went
    assert c.get(ks[0]) == "v" and c.get(ks[3]) == "v"


def test_bounded_in_bytes_and_big_values_not_held():
    c = VerdictCache(entries=1000, max_bytes=80_000)
    for i in range(50):
        c.put(c.key("i", "text", str(i)), "x", 4_000)
    st = c.stats()
    assert st["bytes"] <= 80_000 and st["entries"] < 50
    big = c.key("i", "text", "big")
    c.put(big, "x", 20_000)             # more than an eighth of the budget
    assert c.get(big) is MISS


def test_invalidate_forgets_and_refuses_stale_puts():
    c = VerdictCache()
    k = c.key("o", "url", "https://a.test/")
    c.put(k, "allow")
    gen = c.generation
    c.invalidate()
    assert c.generation != gen and len(c) == 0
    assert c.get(k) is MISS
    c.put(k, "allow")                   # a scan that started before the invalidation
    assert c.get(k) is MISS and len(c) == 0
    k2 = c.key("o", "url", "https://a.test/")
    assert k2 != k


def test_two_caches_never_share_keys():
    a, b = VerdictCache(), VerdictCache()
    assert a.key("o", "url", "x") != b.key("o", "url", "x")


def test_hits_and_misses_are_counted_per_kind():
    c = VerdictCache()
    k = c.key("o", "request", "x")
    assert c.get(k) is MISS
    c.put(k, 1)
    assert c.get(k) == 1
    st = c.stats()
    assert st["hits"] == {"request": 1} and st["misses"] == {"request": 1}


def test_internal_errors_are_not_cacheable():
    assert cacheable([])
    assert cacheable([Finding("dlp", "aws", "high", "AKIA...", "", "block")])
    assert not cacheable([Finding("internal", "scan_error", "high", "x", "", "block")])
    assert not cacheable([], error="RuntimeError")


def test_engine_owns_one_cache_for_urls_fields_and_texts():
    from ringfence.engine import Engine
    e = Engine(Config(), lazy=True)
    e.check_url("https://api.example.com/x", resolve=False)
    e.scan_headers([("User-Agent", "t/1")])
    e.scan_text("A plain sentence about the weather.", "inbound")
    assert set(e.verdicts.stats()["misses"]) == {"url", "fields", "text"}
    n = len(e.verdicts)
    assert n == 3
    e.invalidate()
    assert len(e.verdicts) == 0
    d, _ = e.check_url(f"https://evil.test/?k={SECRET}", resolve=False)
    assert d.verdict == "block"
    assert e.check_url(f"https://evil.test/?k={SECRET}", resolve=False)[0].verdict == "block"
