"""The one verdict cache. The Inspector (engine.py) owns it; the proxy's exact-repeat
memo of whole requests and responses lives in it too.

A key is (direction, kind, generation, digest of the content): the content is
hashed with a length prefix per part, so two different inputs never share a key by
concatenation, and a key never holds the content itself (no secret kept as a key).
Bounded in entries and in bytes; `invalidate()` (config reload, kill switch) bumps
the generation and drops every entry, so no verdict outlives the policy it was made
under. Internal errors are never stored (callers check `cacheable`)."""
from __future__ import annotations

import hashlib
import itertools
import threading
from collections import OrderedDict
from typing import Any, Iterable

MISS = object()
ENTRIES = 8192
BYTES = 32 << 20          # what the held values may weigh in all (approximate)
ENTRY_OVERHEAD = 256      # a key, a Decision and its findings, roughly
_GENERATIONS = itertools.count(1)


def _feed(h: Any, part: Any) -> None:
    """Length-prefixed and typed: raw bytes as they are, a str as its UTF-8 (lone
    surrogates kept; no repr copy of a page), anything else (int, None, tuples and lists
    of those) by its repr, which is one-to-one for these types."""
    if isinstance(part, (bytes, bytearray, memoryview)):
        h.update(b"b%d:" % len(part))
        h.update(part)
        return
    if type(part) is str:
        b = part.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(b))
        h.update(b)
        return
    if isinstance(part, list):
        part = tuple(part)
    if not isinstance(part, (str, int, tuple)) and part is not None:
        raise TypeError(f"cannot key a {type(part).__name__}")
    r = repr(part).encode("utf-8", "surrogatepass")
    h.update(b"r%d:" % len(r))
    h.update(r)


class VerdictCache:
    """A bounded LRU of verdicts, safe for worker threads (one lock)."""

    def __init__(self, entries: int = ENTRIES, max_bytes: int = BYTES):
        self.entries = entries
        self.max_bytes = max_bytes
        self.generation = next(_GENERATIONS)
        self._data: OrderedDict[bytes, tuple[Any, int]] = OrderedDict()   # by key digest
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}

    def key(self, direction: str, kind: str, *parts: Any) -> tuple:
        """(direction, kind, generation, digest); the digest covers direction and kind
        too, so the cache holds entries under the digest alone (~70 bytes less each)."""
        h = hashlib.blake2b(digest_size=20)
        _feed(h, direction)
        _feed(h, kind)
        for p in parts:
            _feed(h, p)
        return (direction, kind, self.generation, h.digest())

    def get(self, key: tuple) -> Any:
        with self._lock:
            got = self._data.get(key[3]) if key[2] == self.generation else None
            if got is None:
                self.misses[key[1]] = self.misses.get(key[1], 0) + 1
                return MISS
            self.hits[key[1]] = self.hits.get(key[1], 0) + 1
            self._data.move_to_end(key[3])
            return got[0]

    def put(self, key: tuple, value: Any, size: int = 0) -> None:
        """`size`: bytes the value holds beyond a Decision (stripped text, say)."""
        size = int(size) + ENTRY_OVERHEAD
        if size > self.max_bytes // 8:
            return  # one entry never takes a big share of the budget
        with self._lock:
            if key[2] != self.generation:
                return  # made under a policy that is gone
            old = self._data.pop(key[3], None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key[3]] = (value, size)
            self._bytes += size
            while len(self._data) > self.entries or self._bytes > self.max_bytes:
                _, (_, s) = self._data.popitem(last=False)
                self._bytes -= s

    def invalidate(self) -> None:
        """Config reload or kill switch: nothing cached before is used again."""
        with self._lock:
            self.generation = next(_GENERATIONS)
            self._data.clear()
            self._bytes = 0

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._data), "bytes": self._bytes, "generation": self.generation,
                    "hits": dict(self.hits), "misses": dict(self.misses)}

    def __len__(self) -> int:
        return len(self._data)


def cacheable(findings: Iterable[Any], error: str = "") -> bool:
    """Never remember an internal error (it may be transient)."""
    return not error and not any(getattr(f, "scanner", "") == "internal" for f in findings)
