"""On-disk cache of compiled Hyperscan databases (start-up time).

    load(key_parts) -> (meta: dict, db) | None
    store(key_parts, meta: dict, db, mode) -> None
    cached_compile(tag, exprs, ids, flags, mode=HS_MODE_BLOCK, keep=None, keep_tag="",
                   load_only=False) -> hyperscan.Database (None: load_only and not cached)
    verify_file(path) -> bool

`key_parts` is any JSON-serialisable value that determines the database (patterns,
flags, mode, rewrite version); the key is SHA-256 over it plus the hyperscan version
and the machine. Files live in $XDG_CACHE_HOME/ringfence (else ~/.cache/ringfence),
directory mode 0700, files 0600, written atomically (temp file + rename). This is the
only Hyperscan disk cache: every scanner compiles through it.

The directory is used only when it is a real directory (not a symlink), owned by us,
with no access for group or others (0700). A file is used only when it is a regular
file (opened without following symlinks) owned by us and writable by nobody else,
its name and header carry the expected key, the SHA-256 of its body matches, and
hyperscan accepts it; anything else (corrupt, truncated, other version, unreadable,
planted) is ignored and the database is rebuilt. RINGFENCE_NO_CACHE=1 turns the
cache off. Every failure here only costs a recompile; it never changes what is matched.

build_in_child(start): a long-running process (the proxy) has a child process build the
databases it misses into this cache and loads them from here (see there).
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import threading
import time

try:
    import hyperscan as _hs
except Exception:  # pragma: no cover - depends on the install
    _hs = None

MAGIC = b"RFHS1\n"
FORMAT = 1
MAX_FILE = 64 << 20
# Pruning (on each store, i.e. after a compile): a database is "current" while it is used
# (load touches its mtime). Another database of the same tag (an older rule set) unused for
# SAME_TAG_IDLE_S, and any database unused for MAX_IDLE_S, is deleted. The grace period
# keeps two versions running side by side from deleting each other's databases.
SAME_TAG_IDLE_S = 3600
MAX_IDLE_S = 7 * 86400


def enabled() -> bool:
    return _hs is not None and os.environ.get("RINGFENCE_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ringfence")


def key_of(key_parts) -> str:
    doc = [FORMAT, getattr(_hs, "__version__", "?"), os.uname().machine, key_parts]  # = platform.machine(), without importing it
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def usable_dir(create: bool = False) -> str | None:
    """The cache directory when it is private to us (see the module doc), else None."""
    d = cache_dir()
    try:
        if create:
            os.makedirs(d, mode=0o700, exist_ok=True)
        st = os.lstat(d)  # a symlink is refused, not followed
    except OSError:
        return None
    # only a private directory of ours: nobody else can plant, swap or read a database
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        return None
    return d


def _read_private(path: str) -> bytes | None:
    """A cache file's bytes when it is a regular file of ours that nobody else may write."""
    try:
        # O_NONBLOCK: a FIFO planted under the name must not hang start-up (no effect on files)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022 \
                or st.st_size > MAX_FILE:
            return None
        with os.fdopen(fd, "rb") as f:
            fd = -1
            return f.read(MAX_FILE + 1)
    except OSError:
        return None
    finally:
        if fd != -1:
            os.close(fd)


def _path(d: str, key: str, kind: str = "hs") -> str:
    return os.path.join(d, kind + "-" + key + ".db")


def load(key_parts, kind: str = "hs"):
    """(meta, database) from the cache, or None (missing, invalid, disabled).
    kind "js": (meta, JSON value) stored by cached_json."""
    if not enabled():
        return None
    d = usable_dir(False)
    if d is None:
        return None
    path = _path(d, key_of(key_parts), kind)
    got = _read(path, _json_payload if kind == "js" else None)
    if got is not None:
        try:
            import time
            if time.time() - os.stat(path).st_mtime > 600:
                os.utime(path)  # in use: keeps it from being pruned (at most every 10 minutes)
        except OSError:
            pass
    return got


def _tag_of(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(len(MAGIC) + 96 + 4 + 4096)
        i = len(MAGIC) + 96
        mlen = int.from_bytes(head[i:i + 4], "big")
        if not head.startswith(MAGIC) or mlen > 4096:
            return None
        tag = json.loads(head[i + 4:i + 4 + mlen].decode("utf-8")).get("tag")
        return tag if isinstance(tag, str) else None
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def prune(d: str, tag: str, keep: str, now: float | None = None) -> int:
    """Delete stale databases in d (see SAME_TAG_IDLE_S); returns how many. Never raises."""
    import time
    now = time.time() if now is None else now
    removed = 0
    try:
        names = os.listdir(d)
    except OSError:
        return 0
    for name in names:
        path = os.path.join(d, name)
        stale = name.startswith(".hs-")  # a temp file left by a crash
        if not stale and not (name.startswith(("hs-", "js-")) and name.endswith(".db")) or path == keep:
            continue
        try:
            idle = now - os.stat(path).st_mtime
        except OSError:
            continue
        if stale:
            stale = idle > 3600
        elif idle > MAX_IDLE_S:
            stale = True
        elif idle > SAME_TAG_IDLE_S:
            stale = _tag_of(path) == tag
        if stale:
            try:
                os.unlink(path)
                removed += 1
            except OSError:
                pass
    return removed


def _json_payload(payload: bytes, _mode: int):
    return json.loads(payload.decode("utf-8"))


def _read(path: str, decode=None):
    key = os.path.basename(path)[3:-3]
    blob = _read_private(path)
    if blob is None:
        return None
    try:
        if len(blob) > MAX_FILE or not blob.startswith(MAGIC):
            return None
        i = len(MAGIC)
        if blob[i:i + 64].decode("ascii") != key:
            return None
        digest = blob[i + 64:i + 96]
        body = blob[i + 96:]
        if hashlib.sha256(body).digest() != digest:
            return None
        mlen = int.from_bytes(body[:4], "big")
        meta = json.loads(body[4:4 + mlen].decode("utf-8"))
        if not isinstance(meta, dict) or not isinstance(meta.get("mode"), int):
            return None
        return meta, (decode or _hs.loadb)(body[4 + mlen:], meta["mode"])
    except Exception:
        return None


def verify_file(path) -> bool:
    """True when a cache file is intact (key in its name and header, checksum, loads)."""
    return _hs is not None and _read(os.fspath(path)) is not None


def store(key_parts, meta: dict, db, mode: int, kind: str = "hs") -> None:
    """Write the database (kind "js": db is a JSON value); errors are ignored (the cache
    is only a speed-up)."""
    if not enabled():
        return
    d = usable_dir(True)
    if d is None:
        return
    key = key_of(key_parts)
    try:
        m = json.dumps(dict(meta, mode=mode), sort_keys=True).encode("utf-8")
        payload = json.dumps(db, separators=(",", ":")).encode("utf-8") if kind == "js" else bytes(_hs.dumpb(db))
        body = len(m).to_bytes(4, "big") + m + payload
        blob = MAGIC + key.encode("ascii") + hashlib.sha256(body).digest() + body
        fd, tmp = tempfile.mkstemp(prefix=".hs-", dir=d)   # created 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.chmod(tmp, 0o600)
            os.replace(tmp, _path(d, key, kind))
            prune(d, str(meta.get("tag", "")), _path(d, key, kind))
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except Exception:
        return


# Building in a child process (build_in_child): the compile's memory peak (~250 MB for a
# fresh machine's injection databases) and its CPU stay out of a long-running process.
FILL_WAIT_MAX_S = 900.0
FILL_POLL_S = 0.1
_FILL_LOCK = threading.Lock()
_FILL: dict = {"start": None, "proc": None, "deadline": 0.0}


def build_in_child(start) -> None:
    """From now on a large database (cached_compile(..., child=True)) missing from the
    disk cache is built by a child process (start() -> subprocess.Popen, called once, on
    the first such miss; it builds every database into this cache) and loaded from the
    cache when its file appears. A database the child
    does not write (it ended, failed, or builds for another config) is compiled here, as
    without a child; so is every database while the cache is off or unusable.
    start=None turns this off."""
    with _FILL_LOCK:
        _FILL["start"] = start


def stop_child() -> None:
    """Stop the child build, if one is running (this process ends)."""
    with _FILL_LOCK:
        proc = _FILL["proc"]
    if proc is not None and proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(5)
        except Exception:
            pass


def from_child(parts, kind: str = "hs"):
    """load(parts) once the child build has written it; None when there is no child build,
    or it ended (or FILL_WAIT_MAX_S passed) without writing this one."""
    with _FILL_LOCK:
        if _FILL["start"] is None or not enabled() or usable_dir(True) is None:
            return None
        if _FILL["proc"] is None:
            try:
                _FILL["proc"] = _FILL["start"]()
            except Exception:
                _FILL["start"] = None   # could not start: compile here from now on
                return None
            _FILL["deadline"] = time.monotonic() + FILL_WAIT_MAX_S
            # reaped when it ends (no zombie left once nothing waits for its files)
            threading.Thread(target=_FILL["proc"].wait, name="hs-child-reaper", daemon=True).start()
        proc, deadline = _FILL["proc"], _FILL["deadline"]
    while True:
        got = load(parts, kind)
        if got is not None:
            return got
        if proc.poll() is not None or time.monotonic() > deadline:
            return load(parts, kind)   # written just before it ended
        time.sleep(FILL_POLL_S)


def _db_parts(tag: str, exprs: list[bytes], ids: list[int], flags: list[int], mode: int, keep_tag: str) -> list:
    parts = [tag, mode, [[e.hex(), i, f] for e, i, f in zip(exprs, ids, flags)]]
    if keep_tag:
        parts.append(["keep", keep_tag])
    return parts


def is_cached(tag: str, exprs: list[bytes], ids: list[int], flags: list[int], mode: int | None = None,
              keep_tag: str = "") -> bool:
    """Whether cached_compile would find a file for these arguments (not yet checked or
    loaded: a caller may defer the load, and its memory, to first use)."""
    if not enabled():
        return False
    d = usable_dir(False)
    mode = _hs.HS_MODE_BLOCK if mode is None else mode
    return d is not None and os.path.isfile(_path(d, key_of(_db_parts(tag, exprs, ids, flags, mode, keep_tag))))


def cached_compile(tag: str, exprs: list[bytes], ids: list[int], flags: list[int], mode: int | None = None,
                   keep=None, keep_tag: str = "", load_only: bool = False, child: bool = False):
    """hyperscan.Database for these expressions, from the cache when possible.

    keep(k) -> bool, with keep_tag naming it (and its version): compile only the
    expressions k it keeps, under the key of the whole list, so a cached database is
    found without calling keep (which may be slow: it runs only when compiling).
    load_only: None instead of compiling when the cache does not have it.
    child: a large database (seconds of CPU, a memory peak): when build_in_child is on,
    wait for the child to write it instead of compiling it here (small ones compile here:
    a wait on the child would be longer than the compile)."""
    if _hs is None:
        raise RuntimeError("hyperscan is not installed")
    if keep is not None and not keep_tag:
        raise ValueError("keep needs a keep_tag (it is part of the cache key)")
    mode = _hs.HS_MODE_BLOCK if mode is None else mode
    parts = _db_parts(tag, exprs, ids, flags, mode, keep_tag if keep is not None else "")
    got = load(parts)
    if got is None and child and not load_only:
        got = from_child(parts)
    if got is not None:
        db = got[1]
        if getattr(db, "scratch", None) is None:
            # A deserialised database has no scratch space: scanning it would raise.
            db.scratch = _hs.Scratch(db)
        return db
    if load_only:
        return None
    if keep is not None:
        sel = [k for k in range(len(exprs)) if keep(k)]
        if not sel:
            raise ValueError(f"{tag}: keep left no expression to compile")
        exprs, ids, flags = [exprs[k] for k in sel], [ids[k] for k in sel], [flags[k] for k in sel]
    db = _hs.Database(mode=mode)
    db.compile(expressions=list(exprs), ids=list(ids), elements=len(exprs), flags=list(flags))
    store(parts, {"tag": tag}, db, mode)
    return db


def cached_json(tag: str, key_parts, make):
    """make()'s value (JSON: lists, dicts, strings, numbers), from the cache when possible:
    a value derived from the rules that costs start-up time to derive (composed or
    rewritten patterns). key_parts must determine it (the rules' content, the deriving
    code's version). Same directory, file checks and pruning as the databases."""
    parts = ["json", tag, key_parts]
    got = load(parts, "js")
    if got is not None:
        return got[1]
    value = make()
    store(parts, {"tag": tag}, value, 0, "js")
    return value


__all__ = ["load", "store", "build_in_child", "from_child", "stop_child", "cached_compile", "cached_json", "is_cached", "cache_dir", "usable_dir", "enabled", "key_of", "verify_file",
           "prune"]
