"""Key roster: the public keys an auditor trusts, each with a validity window.

A roster is a YAML or JSON file:

    version: 1
    keys:
      - name: ci-2026a                 # free text, shown in reports
        public_key: 4655a7e6...1678    # 64 hex (raw Ed25519 public key), or a .pub file path
        valid_from: 2026-01-01T00:00:00Z
        valid_until: 2026-07-01T00:00:00Z   # optional; absent = still valid
        note: rotated by keygen --rotate    # optional

A receipt verifies against the roster when its signer_key is listed and its timestamp t
satisfies valid_from <= t < valid_until. Timestamps compare as instants (UTC).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from .capped import CappedReadError, read_capped
from .canonical import is_canonical_time
from .errors import ReceiptError
from .gaps import ts_seconds
from .keys import load_public_key

MAX_ROSTER = 1 << 20
MAX_KEYS = 1000


@dataclass(frozen=True)
class RosterKey:
    name: str
    key: str               # 64 lowercase hex
    valid_from: str
    valid_until: str = ""  # "" = open-ended
    note: str = ""

    def covers(self, first_ts: str, last_ts: str) -> bool:
        if ts_seconds(first_ts) < ts_seconds(self.valid_from):
            return False
        return not self.valid_until or ts_seconds(last_ts) < ts_seconds(self.valid_until)


class Roster:
    def __init__(self, keys: list[RosterKey], path: str = ""):
        self.keys = keys
        self.path = path
        self.by_key: dict[str, list[RosterKey]] = {}
        for k in keys:
            self.by_key.setdefault(k.key, []).append(k)

    def check(self, key: str, first_ts: str, last_ts: str) -> str:
        """'' when `key` may sign receipts from first_ts to last_ts, else the reason."""
        entries = self.by_key.get(key)
        if not entries:
            return f"signer_key {key} is not in the roster {os.path.basename(self.path) or ''}".rstrip()
        if any(e.covers(first_ts, last_ts) for e in entries):
            return ""
        e = entries[0]
        window = f"{e.valid_from} .. {e.valid_until or 'open'}"
        return (f"signer_key {key} ({e.name}) signed receipts from {first_ts} to {last_ts}, outside its "
                f"validity window {window} (expired or not yet valid)")

    def name_of(self, key: str) -> str:
        e = self.by_key.get(key)
        return e[0].name if e else ""

    def to_json(self) -> dict:
        return {"version": 1, "keys": [{k: v for k, v in (("name", e.name), ("public_key", e.key),
                                                          ("valid_from", e.valid_from),
                                                          ("valid_until", e.valid_until), ("note", e.note)) if v}
                                       for e in self.keys]}


def _parse(text: str, path: str) -> Any:
    if path.endswith(".json") or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError as e:
            raise ReceiptError(f"roster {path}: not valid JSON: {e}") from None
    try:
        import yaml
        return yaml.safe_load(text)
    except Exception as e:
        raise ReceiptError(f"roster {path}: not valid YAML: {str(e)[:200]}") from None


def _time(v: Any, what: str, path: str) -> str:
    if hasattr(v, "isoformat"):  # YAML turns unquoted timestamps into datetimes
        from datetime import timezone
        v = v.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if v.tzinfo else \
            v.strftime("%Y-%m-%dT%H:%M:%SZ")
    if not isinstance(v, str) or not is_canonical_time(v):
        raise ReceiptError(f"roster {path}: {what} must be an RFC 3339 UTC time like 2026-01-01T00:00:00Z, "
                           f"got {v!r}")
    return v


def load_roster(path: str) -> Roster:
    path = os.path.expanduser(path)
    try:
        raw = read_capped(path, MAX_ROSTER)
    except CappedReadError as e:
        raise ReceiptError(f"roster {path}: {e}") from None
    doc = _parse(raw.decode("utf-8", "replace"), path)
    if not isinstance(doc, dict) or doc.get("version") != 1 or not isinstance(doc.get("keys"), list):
        raise ReceiptError(f"roster {path}: want a mapping with version: 1 and a list of keys")
    unknown = set(doc) - {"version", "keys"}
    if unknown:
        raise ReceiptError(f"roster {path}: unknown field(s) {sorted(unknown)}")
    keys = []
    base = os.path.dirname(os.path.abspath(path))
    for i, e in enumerate(doc["keys"][:MAX_KEYS + 1]):
        where = f"keys[{i}]"
        if i >= MAX_KEYS:
            raise ReceiptError(f"roster {path}: more than {MAX_KEYS} keys")
        if not isinstance(e, dict):
            raise ReceiptError(f"roster {path}: {where} must be a mapping")
        bad = set(e) - {"name", "public_key", "valid_from", "valid_until", "note"}
        if bad:
            raise ReceiptError(f"roster {path}: {where} has unknown field(s) {sorted(bad)}")
        pk = e.get("public_key")
        if not isinstance(pk, str) or not pk:
            raise ReceiptError(f"roster {path}: {where}.public_key is required (64 hex or a .pub file)")
        if not os.path.isabs(os.path.expanduser(pk)) and os.path.exists(os.path.join(base, pk)):
            pk = os.path.join(base, pk)
        key = load_public_key(pk).hex()
        if "valid_from" not in e:
            raise ReceiptError(f"roster {path}: {where}.valid_from is required")
        vf = _time(e["valid_from"], f"{where}.valid_from", path)
        vu = _time(e["valid_until"], f"{where}.valid_until", path) if e.get("valid_until") else ""
        if vu and ts_seconds(vu) <= ts_seconds(vf):
            raise ReceiptError(f"roster {path}: {where}: valid_until is not after valid_from")
        keys.append(RosterKey(str(e.get("name") or key[:12]), key, vf, vu, str(e.get("note") or "")))
    if not keys:
        raise ReceiptError(f"roster {path}: no keys")
    return Roster(keys, path)


def write_roster(path: str, roster: Roster) -> None:
    """Atomically (re)write a roster file as YAML-compatible JSON."""
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(roster.to_json(), f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
