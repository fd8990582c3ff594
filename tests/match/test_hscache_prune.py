"""The pattern cache is pruned to the databases in use: an older database of the same
kind goes once idle, anything idle for a week goes, a database in use stays."""
from __future__ import annotations

import os
import time

import pytest

from ringfence.match import hscache

pytestmark = pytest.mark.skipif(hscache._hs is None, reason="hyperscan not installed")


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RINGFENCE_NO_CACHE", raising=False)
    return tmp_path / "ringfence"


def _age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


def _only(d, before):
    return sorted(set(os.listdir(d)) - set(before))


def test_prune_same_tag_and_idle(cache_home):
    hscache.cached_compile("dlp", [b"abc"], [1], [0])
    a = os.listdir(cache_home)
    assert len(a) == 1
    hscache.cached_compile("inj", [b"xyz"], [1], [0])
    b = _only(cache_home, a)
    hscache.cached_compile("old", [b"qqq"], [1], [0])
    c = _only(cache_home, a + b)
    _age(cache_home / a[0], 2 * 3600)        # an older dlp rule set, idle for two hours
    _age(cache_home / b[0], 2 * 3600)        # another kind, idle two hours: kept
    _age(cache_home / c[0], 8 * 86400)       # idle for a week: gone
    hscache.cached_compile("dlp", [b"abd"], [1], [0])   # the new dlp rule set
    left = set(os.listdir(cache_home))
    assert a[0] not in left and c[0] not in left and b[0] in left and len(left) == 2


def test_in_use_database_is_not_pruned(cache_home):
    hscache.cached_compile("dlp", [b"abc"], [1], [0])
    (name,) = os.listdir(cache_home)
    _age(cache_home / name, 2 * 3600)
    hscache.cached_compile("dlp", [b"abc"], [1], [0])   # loaded: in use again
    assert time.time() - os.stat(cache_home / name).st_mtime < 60
    hscache.cached_compile("dlp", [b"zzz"], [1], [0])
    assert name in os.listdir(cache_home)
