"""On-disk Hyperscan database cache: reuse, identical results, corruption, opt-out."""
from __future__ import annotations

import os
import stat

import pytest

from ringfence.match import PatternSet, hscache
from test_patternset import CORPUS, REALISTIC


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RINGFENCE_NO_CACHE", raising=False)
    return tmp_path / "ringfence"


def _files(d):
    return sorted(p for p in d.iterdir() if p.name.startswith("hs-")) if d.is_dir() else []


def test_second_construction_loads_from_cache(cache_home):
    first = PatternSet(REALISTIC, engine="hyperscan")
    files = _files(cache_home)
    assert len(files) == 2                                # main and presence databases
    assert stat.S_IMODE(os.stat(cache_home).st_mode) == 0o700
    assert all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in files)
    mtimes = [f.stat().st_mtime_ns for f in files]
    second = PatternSet(REALISTIC, engine="hyperscan")
    assert [f.stat().st_mtime_ns for f in files] == mtimes   # read, not rewritten
    assert second._presence is not None
    assert second._som == first._som and second._always == first._always
    for text in CORPUS:
        assert second.scan(text) == first.scan(text)
    # a different pattern list is a different key
    PatternSet(REALISTIC[:3], engine="hyperscan")
    assert len(_files(cache_home)) == 4


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_corrupt_cache_is_rebuilt(cache_home, damage):
    ref = PatternSet(REALISTIC, engine="hyperscan")
    files = _files(cache_home)
    for f in files:
        good = f.read_bytes()
        if damage == "flip":
            b = bytearray(good)
            b[len(b) // 2] ^= 0xFF
            f.write_bytes(bytes(b))
        elif damage == "truncate":
            f.write_bytes(good[: len(good) // 3])
        elif damage == "garbage":
            f.write_bytes(b"RFHS1\n" + os.urandom(500))
        else:
            f.write_bytes(b"")
        assert not hscache.verify_file(f)
    ps = PatternSet(REALISTIC, engine="hyperscan")
    for text in CORPUS[:60] + ["a" * 20000 + " AKIAIOSFODNN7EXAMPLE"]:   # also the presence db
        assert ps.scan(text) == ref.scan(text)
    assert all(hscache.verify_file(f) for f in files)     # rewritten, valid again


def test_file_for_another_key_is_not_used(cache_home):
    PatternSet(REALISTIC[:2], engine="hyperscan")
    a = _files(cache_home)[0]
    PatternSet(REALISTIC[2:4], engine="hyperscan")
    b = [f for f in _files(cache_home) if f != a][0]
    a.write_bytes(b.read_bytes())          # right checksum, wrong key in the header
    assert not hscache.verify_file(a)
    ps = PatternSet(REALISTIC[:2], engine="hyperscan")
    assert hscache.verify_file(a)          # rebuilt under its own key
    assert ps.hits("key AKIAIOSFODNN7EXAMPLE here") == {"aws_access_key"}
    assert ps.hits("ghp_" + "a" * 36) == {"github_pat"}
    assert ps.hits("xoxb-" + "1" * 20) == set()


def test_opt_out_and_unsafe_directory(cache_home, monkeypatch):
    monkeypatch.setenv("RINGFENCE_NO_CACHE", "1")
    PatternSet(REALISTIC[:2], engine="hyperscan")
    assert _files(cache_home) == []
    monkeypatch.delenv("RINGFENCE_NO_CACHE")
    cache_home.mkdir(mode=0o700)
    os.chmod(cache_home, 0o777)            # others could plant a database: never used
    PatternSet(REALISTIC[:2], engine="hyperscan")
    assert _files(cache_home) == []


@pytest.mark.parametrize("engine", ["hyperscan", "re2"])
def test_hit_floods_give_exact_results(engine, monkeypatch):
    """Past MAX_CALLBACKS the hyperscan engine confirms present patterns over the whole
    chunk; results must equal the reference (and the other engine)."""
    from ringfence import match
    from test_patternset import _reference
    monkeypatch.setattr(match, "MAX_CALLBACKS", 50)
    ps = PatternSet(REALISTIC, engine=engine)
    texts = ["a" * 5000 + " AKIAIOSFODNN7EXAMPLE " + "ignore previous instructions",
             "1 " * 3000 + "4111 1111 1111 1111", "x@" * 2000 + "bob@example.com",
             "the the " * 500 + "AKIAIOSFODNN7EXAMPL"] + CORPUS[:40]
    for t in texts:
        assert ps.scan(t) == _reference(REALISTIC, t), t[:60]


def test_cached_database_is_ready_to_scan(tmp_path, monkeypatch):
    import hyperscan
    from ringfence.match import hscache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RINGFENCE_NO_CACHE", raising=False)
    args = ("scratch-test", [b"abc"], [7], [0])
    hscache.cached_compile(*args)          # compile and store
    db = hscache.cached_compile(*args)     # load from disk
    hits = []
    db.scan(b"xxabc", match_event_handler=lambda i, s, e, f, c: hits.append((i, e)))
    assert hits == [(7, 5)]


# -- the directory and file checks: each refusal costs a recompile, never a planted database

ARGS = ("refusal-test", [b"needle"], [3], [0])


def _store_one(cache_home):
    hscache.cached_compile(*ARGS)
    files = _files(cache_home)
    assert len(files) == 1 and hscache.load(_parts()) is not None
    return files[0]


def _parts():
    import hyperscan
    return [ARGS[0], hyperscan.HS_MODE_BLOCK, [[e.hex(), i, f] for e, i, f in zip(*ARGS[1:])]]


@pytest.mark.parametrize("mode", [0o750, 0o705, 0o770, 0o701])
def test_directory_with_any_group_or_other_access_is_refused(cache_home, mode):
    _store_one(cache_home)
    os.chmod(cache_home, mode)
    assert hscache.usable_dir() is None
    assert hscache.load(_parts()) is None
    os.chmod(cache_home, 0o700)
    assert hscache.usable_dir() == str(cache_home)


def test_directory_that_is_a_symlink_is_refused(cache_home, tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir(mode=0o700)
    os.chmod(real, 0o700)
    cache_home.symlink_to(real, target_is_directory=True)
    assert hscache.usable_dir(True) is None
    hscache.cached_compile(*ARGS)            # compiles, stores nothing through the link
    assert _files(real) == []


def test_directory_of_another_owner_is_refused(cache_home):
    _store_one(cache_home)
    if os.geteuid() != 0:
        pytest.skip("needs root to chown")
    os.chown(cache_home, 65534, 65534)
    assert hscache.usable_dir() is None and hscache.load(_parts()) is None


@pytest.mark.parametrize("mode", [0o602, 0o620, 0o666])
def test_file_others_may_write_is_refused(cache_home, mode):
    f = _store_one(cache_home)
    os.chmod(f, mode)
    assert hscache.load(_parts()) is None and not hscache.verify_file(f)
    db = hscache.cached_compile(*ARGS)       # rebuilt (and rewritten 0600)
    hits = []
    db.scan(b"a needle", match_event_handler=lambda i, s, e, fl, c: hits.append(i))
    assert hits == [3]
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o600 and hscache.load(_parts()) is not None


def test_file_that_is_a_symlink_is_refused(cache_home, tmp_path):
    f = _store_one(cache_home)
    good = tmp_path / "copy.db"
    good.write_bytes(f.read_bytes())
    os.chmod(good, 0o600)
    f.unlink()
    f.symlink_to(good)                        # an intact database, reached through a link
    assert hscache.load(_parts()) is None and not hscache.verify_file(f)


def test_file_of_another_owner_is_refused(cache_home):
    f = _store_one(cache_home)
    if os.geteuid() != 0:
        pytest.skip("needs root to chown")
    os.chown(f, 65534, 65534)
    assert hscache.load(_parts()) is None and not hscache.verify_file(f)


def test_file_that_is_not_regular_is_refused(cache_home):
    f = _store_one(cache_home)
    f.unlink()
    os.mkfifo(f, 0o600)                       # would block a plain open(); never read
    assert hscache.load(_parts()) is None


def _ids_found(db, data: bytes) -> set[int]:
    got: set[int] = set()

    def on(i, _f, _t, _fl, _c):
        got.add(i)
    db.scan(data, match_event_handler=on)
    return got


def test_keep_compiles_a_subset_under_the_whole_lists_key(cache_home):
    import hyperscan as hs
    exprs = [b"alpha", b"beta", b"gamma", b"delta"]
    calls: list[int] = []

    def keep(k):
        calls.append(k)
        return k % 2 == 0
    db = hscache.cached_compile("t.keep", exprs, [10, 11, 12, 13], [0] * 4, keep=keep, keep_tag="even-v1")
    assert _ids_found(db, b"alpha beta gamma delta") == {10, 12}   # beta, delta left out
    assert sorted(calls) == [0, 1, 2, 3]
    calls.clear()
    again = hscache.cached_compile("t.keep", exprs, [10, 11, 12, 13], [0] * 4, keep=keep, keep_tag="even-v1")
    assert calls == []                                   # from the cache: keep not called
    assert _ids_found(again, b"alpha beta gamma delta") == {10, 12}
    # the same list without a filter, or with another tag, is another database
    full = hscache.cached_compile("t.keep", exprs, [10, 11, 12, 13], [0] * 4)
    assert _ids_found(full, b"alpha beta gamma delta") == {10, 11, 12, 13}
    odd = hscache.cached_compile("t.keep", exprs, [10, 11, 12, 13], [0] * 4, keep=lambda k: k % 2 == 1,
                                 keep_tag="odd-v1")
    assert _ids_found(odd, b"alpha beta gamma delta") == {11, 13}
    assert len(_files(cache_home)) == 3
    assert hs.HS_MODE_BLOCK == db.mode


def test_keep_needs_a_tag_and_something_to_keep(cache_home):
    with pytest.raises(ValueError):
        hscache.cached_compile("t.keep", [b"a1"], [0], [0], keep=lambda k: True)
    with pytest.raises(ValueError):
        hscache.cached_compile("t.keep", [b"a1"], [0], [0], keep=lambda k: False, keep_tag="none-v1")


def _js_files(d):
    return sorted(p for p in d.iterdir() if p.name.startswith("js-")) if d.is_dir() else []


def test_cached_json_derives_once_and_survives_damage(cache_home):
    """A derived value (composed patterns) is made once, then read back equal; a damaged,
    truncated or foreign file is ignored and the value made again."""
    calls = []

    def make():
        calls.append(1)
        return {"fam": [["ignore\\s+(?:all\\s+)?previous", 1.0], ["ты\\s+теперь", 0.5]]}

    first = hscache.cached_json("t", ["k1"], make)
    assert hscache.cached_json("t", ["k1"], make) == first and len(calls) == 1
    (f,) = _js_files(cache_home)
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    blob = f.read_bytes()
    for damaged in (blob[:-3], blob[:-1] + bytes([blob[-1] ^ 1]), b"x" + blob[1:]):
        f.write_bytes(damaged)
        assert hscache.cached_json("t", ["k1"], make) == first
    assert len(calls) == 4
    # another key is another file, never this one's value
    assert hscache.cached_json("t", ["k2"], lambda: [1, 2]) == [1, 2]


def test_cached_json_is_not_read_from_an_unsafe_directory(cache_home, monkeypatch):
    hscache.cached_json("t", ["k"], lambda: "one")
    os.chmod(cache_home, 0o750)
    try:
        assert hscache.cached_json("t", ["k"], lambda: "two") == "two"
    finally:
        os.chmod(cache_home, 0o700)
    monkeypatch.setenv("RINGFENCE_NO_CACHE", "1")
    assert hscache.cached_json("t", ["k"], lambda: "three") == "three"
