"""One readable line per decision a person should see, on stderr.

Wraps the receipt writer (every transport hands each Decision to it exactly once), so
each block (and, with -v, each allow) is one line: time, transport, verdict, target,
scanner:rule, receipt id. `--log-format json` prints the same fields as one JSON object
per line. Targets are already redacted for receipts; they are clipped here too.
A writer that does not write (receipts off) hands out no receipt id."""
from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

MAX_TARGET = 160


def _target(action: Any, decision: Any) -> str:
    try:
        from .receipts.writer import safe_target
        t = safe_target(action.target or "", decision.findings or ())
    except Exception:
        t = ""
    t = t or str(getattr(action, "kind", "") or "")
    return t if len(t) <= MAX_TARGET else t[:MAX_TARGET - 3] + "..."


class ConsoleWriter:
    def __init__(self, inner: Any, verbose: bool = False, fmt: str = "text", stream=None):
        self.inner = inner
        self.enabled = bool(getattr(inner, "enabled", False))
        self.verbose, self.fmt = verbose, fmt
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def record(self, action: Any, decision: Any, **kw: Any) -> str:
        rid = self.inner.record(action, decision, **kw) if self.enabled else ""
        return self._show(action, decision, rid)

    def record_intent(self, action: Any, decision: Any, **kw: Any) -> str:
        """The decision of an egress about to leave (its receipt is the intent): one line too."""
        rid = self.inner.record_intent(action, decision, **kw) if self.enabled else ""
        return self._show(action, decision, rid)

    def _show(self, action: Any, decision: Any, rid: str) -> str:
        verdict = getattr(decision, "verdict", "block")
        if verdict != "allow" or self.verbose:
            try:
                self._emit(action, decision, verdict, rid or "")
            except Exception:  # a console problem never changes a decision
                pass
        return rid or ""

    def _emit(self, action: Any, decision: Any, verdict: str, rid: str) -> None:
        top = decision.top if getattr(decision, "findings", None) else None
        rule = f"{top.scanner}:{top.rule}" if top is not None else ""
        now = time.time()
        ts = time.strftime("%H:%M:%S", time.localtime(now)) + f".{int(now * 1000) % 1000:03d}"
        transport = getattr(action, "transport", "") or ""
        target = _target(action, decision)
        if self.fmt == "json":
            line = json.dumps({"ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), "transport": transport,
                               "direction": getattr(action, "direction", ""), "verdict": verdict,
                               "target": target, "rule": rule, "receipt_id": rid}, ensure_ascii=True)
        else:
            line = f"{ts} {verdict.upper():5} {transport:10} {target}" + (f"  {rule}" if rule else "") + \
                (f"  receipt {rid}" if rid else "")
        with self._lock:
            print(line, file=self.stream, flush=True)

    def close(self, *a, **kw):
        return self.inner.close(*a, **kw)
