"""Follow evidence directories: new lines, new files, rotation. Reads only whole lines."""
from __future__ import annotations

import json
import os
import sys
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, TextIO

from .digest import host_of
from .session import OUTCOME_LAYER, SESSION_TRANSPORT
from .verify import list_logs

MAX_PARTIAL = 1 << 20   # a line longer than this is skipped, never buffered without bound


@dataclass
class Filter:
    blocks: bool = False
    rule: str | None = None
    host: str | None = None
    session: str | None = None
    controls: bool = False

    def match(self, rec: dict, session: str) -> bool:
        control = rec.get("transport") == SESSION_TRANSPORT or rec.get("layer") == OUTCOME_LAYER
        if control and not self.controls:
            return False
        if self.blocks and rec.get("verdict") != "block":
            return False
        if self.rule:
            full = f"{rec.get('layer', '')}:{rec.get('pattern', '')}"
            if self.rule not in (rec.get("pattern"), full):
                return False
        if self.host:
            h = host_of(rec.get("target", "")).lower()
            want = self.host.lower()
            if not (h == want or h.endswith("." + want)):
                return False
        if self.session and self.session not in session:
            return False
        return True


def line_of(rec: dict, session: str) -> str:
    rule = f" [{rec['layer']}:{rec['pattern']}]" if rec.get("layer") and rec.get("pattern") else ""
    intent = f" {rec['intent']}" if rec.get("intent") else ""
    text = (f"{rec.get('timestamp', '')} {rec.get('verdict', '?').upper():5} {rec.get('transport', '')} "
            f"{rec.get('method', '') or '-'} {rec.get('target', '')}{rule}{intent} "
            f"({session}, {rec.get('action_id', '')})")
    # one line per decision: no control characters from the evidence reach the terminal
    return "".join(c if c.isprintable() else "?" for c in text)


class Follower:
    def __init__(self, directory: str, flt: Filter, as_json: bool = False, out: TextIO | None = None):
        self.dir = directory
        self.flt = flt
        self.as_json = as_json
        self.out = out or sys.stdout
        self.offsets: dict[str, int] = {}
        self.partial: dict[str, bytes] = {}

    def _files(self) -> list[tuple[str, str]]:
        try:
            groups = list_logs(self.dir)
        except OSError:
            return []
        return [(sid, p) for sid, ps in groups.items() for p in ps]

    def _records(self, path: str):
        """Complete new lines of `path` -> action_records."""
        try:
            with open(path, "rb") as f:
                f.seek(self.offsets.get(path, 0))
                data = f.read(16 << 20)
        except OSError:
            return
        if not data:
            return
        self.offsets[path] = self.offsets.get(path, 0) + len(data)
        buf = self.partial.pop(path, b"") + data
        *lines, rest = buf.split(b"\n")
        if rest:
            if len(rest) <= MAX_PARTIAL:
                self.partial[path] = rest
        for raw in lines:
            try:
                e = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(e, dict):
                continue
            r = e.get("detail") if e.get("type") == "action_receipt" else (e if "action_record" in e else None)
            if isinstance(r, dict) and isinstance(r.get("action_record"), dict):
                yield r["action_record"]

    def _emit(self, rec: dict, session: str, path: str) -> None:
        if self.as_json:
            self.out.write(json.dumps({"session": session, "file": os.path.basename(path), "record": rec},
                                      ensure_ascii=False) + "\n")
        else:
            self.out.write(line_of(rec, session) + "\n")

    def backlog(self, n: int) -> None:
        """Print the last n matching records already there (n < 0: all; 0: none)."""
        last: deque = deque(maxlen=None if n < 0 else n)
        for sid, path in self._files():
            for rec in self._records(path):
                if n and self.flt.match(rec, sid):
                    last.append((rec, sid, path))
        for rec, sid, path in last:
            self._emit(rec, sid, path)
        self.out.flush()

    def poll(self) -> int:
        n = 0
        for sid, path in self._files():
            for rec in self._records(path):
                if self.flt.match(rec, sid):
                    self._emit(rec, sid, path)
                    n += 1
        if n:
            self.out.flush()
        return n

    def follow(self, interval: float = 0.2, until: Any = None) -> None:
        while until is None or not until():
            self.poll()
            time.sleep(max(0.02, interval))
