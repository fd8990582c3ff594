"""Backups of wrapped config files: ~/.ringfence/wrap/<id>.orig holds the exact bytes
before the first wrap, <id>.json what wrap wrote (its SHA-256) and each original entry.
`unwrap` restores the .orig bytes when the file is still exactly what wrap wrote, and
rebuilds entry by entry when the file was changed since."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile

from ..home import layout


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _base(path: str) -> str:
    real = os.path.realpath(path)
    name = os.path.basename(real).lstrip(".") or "config"
    return os.path.join(layout().root, "wrap", f"{name}-{sha(real.encode())[:16]}")


def backup_path(path: str) -> str:
    return _base(path) + ".orig"


def load_state(path: str) -> dict | None:
    try:
        with open(_base(path) + ".json", encoding="utf-8") as f:
            st = json.load(f)
        return st if isinstance(st, dict) else None
    except (OSError, ValueError):
        return None


def save_state(path: str, state: dict, original: bytes | None) -> str:
    base = _base(path)
    os.makedirs(os.path.dirname(base), mode=0o700, exist_ok=True)
    if original is not None and not os.path.exists(base + ".orig"):
        write_atomic(base + ".orig", original, 0o600)
    write_atomic(base + ".json", json.dumps(state, indent=1).encode(), 0o600)
    return base + ".orig"


def drop_state(path: str, keep_backup: bool) -> None:
    base = _base(path)
    for p in [base + ".json"] + ([] if keep_backup else [base + ".orig"]):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


def read_backup(path: str) -> bytes | None:
    try:
        with open(backup_path(path), "rb") as f:
            return f.read()
    except OSError:
        return None


def write_atomic(path: str, data: bytes, mode: int | None = None) -> None:
    """Temp file + rename in the same directory; keeps the old file's mode."""
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o600
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".rf-", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
