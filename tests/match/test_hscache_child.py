"""Large databases built by a child process (hscache.build_in_child): this process loads
what the child writes and compiles nothing itself; without the child's file (it ended,
it could not start, the cache is off) it compiles as before; small databases never wait."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from ringfence.match import hscache

hs = pytest.importorskip("hyperscan")

# a family of literal-ish patterns, different per test so no test finds another's file
WORDS = ["ignore previous instructions", "exfiltrate the keys", "disregard the system prompt",
         "send the credentials", "reveal your hidden rules"]


def _exprs(tag: str) -> list[bytes]:
    return [f"{w} {tag}".replace(" ", r"\s+").encode() for w in WORDS]


CHILD = """
import json, sys, time
from ringfence.match import hscache
exprs = [e.encode() for e in json.loads(sys.argv[1])]
time.sleep(float(sys.argv[2]))
hscache.cached_compile(sys.argv[3], exprs, list(range(len(exprs))), [0] * len(exprs))
"""


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RINGFENCE_NO_CACHE", raising=False)
    yield tmp_path / "ringfence"
    hscache.stop_child()
    hscache.build_in_child(None)
    with hscache._FILL_LOCK:
        hscache._FILL["proc"] = None


@pytest.fixture
def stores(monkeypatch):
    """The databases this process compiled and stored itself (tags)."""
    got: list[str] = []
    real = hscache.store

    def store(parts, meta, db, mode, kind="hs"):
        got.append(meta.get("tag"))
        return real(parts, meta, db, mode, kind)
    monkeypatch.setattr(hscache, "store", store)
    return got


def _starter(tag: str, exprs: list[bytes], delay: float, started: list):
    def start():
        started.append(time.monotonic())
        return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps([e.decode() for e in exprs]),
                                 str(delay), tag])
    return start


def _matches(db, text: bytes) -> set[int]:
    ids: set[int] = set()
    db.scan(text, match_event_handler=lambda i, *_: ids.add(i))
    return ids


@pytest.mark.parametrize("delay", [0.0, 1.0])
def test_a_large_database_is_loaded_from_the_childs_file_not_compiled_here(cache_home, stores, delay):
    tag = f"child-{delay}"
    exprs, started = _exprs(tag), []
    hscache.build_in_child(_starter(tag, exprs, delay, started))
    db = hscache.cached_compile(tag, exprs, list(range(len(exprs))), [0] * len(exprs), child=True)
    assert len(started) == 1 and stores == []     # one child; nothing compiled or stored here
    for k, w in enumerate(WORDS):
        assert _matches(db, f"please {w}  {tag} now".encode()) == {k}
        assert _matches(db, f"please {w}".encode()) == set()
    again = hscache.cached_compile(tag, exprs, list(range(len(exprs))), [0] * len(exprs), child=True)
    assert len(started) == 1 and _matches(again, f"x {WORDS[0]} {tag}".encode()) == {0}
    proc, end = hscache._FILL["proc"], time.monotonic() + 60
    while proc.returncode is None and time.monotonic() < end:   # reaped once it ends: no zombie
        time.sleep(0.1)
    assert proc.returncode == 0


def test_a_child_that_ends_without_the_file_means_compiling_here(cache_home, stores):
    exprs, started = _exprs("elsewhere"), []
    # the child builds another database (another config): this one is compiled here
    hscache.build_in_child(_starter("other-tag", _exprs("other"), 0.0, started))
    db = hscache.cached_compile("mine", exprs, list(range(len(exprs))), [0] * len(exprs), child=True)
    assert len(started) == 1 and stores == ["mine"]
    assert _matches(db, f"{WORDS[2]} elsewhere".encode()) == {2}


def test_a_child_that_cannot_start_means_compiling_here(cache_home, stores):
    def start():
        raise OSError("no fork")
    hscache.build_in_child(start)
    exprs = _exprs("nostart")
    db = hscache.cached_compile("nostart", exprs, list(range(len(exprs))), [0] * len(exprs), child=True)
    assert stores == ["nostart"] and _matches(db, f"{WORDS[1]} nostart".encode()) == {1}


def test_small_databases_and_a_disabled_cache_never_start_a_child(cache_home, stores, monkeypatch):
    started: list = []
    hscache.build_in_child(_starter("x", _exprs("x"), 0.0, started))
    exprs = _exprs("small")
    hscache.cached_compile("small", exprs, list(range(len(exprs))), [0] * len(exprs))   # child=False
    monkeypatch.setenv("RINGFENCE_NO_CACHE", "1")
    exprs = _exprs("nocache")
    db = hscache.cached_compile("nocache", exprs, list(range(len(exprs))), [0] * len(exprs), child=True)
    assert started == [] and _matches(db, f"{WORDS[4]} nocache".encode()) == {4}
    assert stores == ["small", "nocache"]   # both compiled here
