"""Gaps in the evidence of one chain: intents without an outcome, a session without a
close, heartbeat windows with no heartbeat. Fed record by record, in chain order;
memory is bounded by the open intents (at most MAX_OPEN, then counted only)."""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timezone

from .session import OUTCOME_LAYER, SESSION_TRANSPORT, parse_kv
from .writer import EGRESS_INTENT

MAX_OPEN = 100_000
MAX_LISTED = 20
HEARTBEAT_SLACK = 2.0      # a window is missing when the gap exceeds slack * interval


def ts_seconds(ts: str) -> float:
    """Seconds since the epoch of a canonical RFC3339Nano UTC timestamp."""
    base = datetime(int(ts[0:4]), int(ts[5:7]), int(ts[8:10]), int(ts[11:13]), int(ts[14:16]), int(ts[17:19]),
                    tzinfo=timezone.utc).timestamp()
    frac = ts[20:-1] if len(ts) > 20 and ts[19] == "." else ""
    return base + (int(frac) / 10 ** len(frac) if frac else 0.0)


class Gaps:
    def __init__(self) -> None:
        self.open: OrderedDict[str, tuple[str, str]] = OrderedDict()   # intent id -> (timestamp, target)
        self.dropped = 0            # open intents beyond MAX_OPEN (counted, not listed)
        self.unmatched_outcomes = 0
        self.session: dict | None = None
        self.closed = False
        self.last_live = 0.0
        self.last_live_ts = ""
        self.missing: list[dict] = []
        self.missing_count = 0
        self.intents = self.outcomes = 0

    def add(self, rec: dict) -> None:
        transport = rec.get("transport")
        if transport == SESSION_TRANSPORT:
            self._session(rec)
            return
        phase = rec.get("decision_phase")  # Pipelock (v1-full): intent and outcome share an action_id
        if rec.get("layer") == OUTCOME_LAYER or phase == "outcome":
            self.outcomes += 1
            ref = rec.get("action_id", "") if phase == "outcome" else rec.get("request_id", "")
            if self.open.pop(ref, None) is None:
                self.unmatched_outcomes += 1
            return
        intent = rec.get("intent")
        if phase == "intent" or (intent and intent.startswith(EGRESS_INTENT)):
            self.intents += 1
            self.open[rec["action_id"]] = (rec["timestamp"], rec.get("target", ""))
            if len(self.open) > MAX_OPEN:
                self.open.popitem(last=False)
                self.dropped += 1

    def _session(self, rec: dict) -> None:
        sc = rec.get("session_control") if isinstance(rec.get("session_control"), dict) else {}
        kind = rec.get("pattern") or sc.get("kind", "")
        ts = rec["timestamp"]
        now = ts_seconds(ts)
        if kind == "session_open":
            facts = parse_kv(rec.get("intent", ""))
            op = sc.get("open") if isinstance(sc.get("open"), dict) else {}
            try:
                hb = max(0, int(facts.get("heartbeat_s") or op.get("heartbeat_seconds") or 0))  # 0: not declared
            except (TypeError, ValueError):
                hb = 0
            self.session = {"open_id": rec["action_id"], "opened": ts, "heartbeat_s": hb, "facts": facts}
            self.closed = False
        elif self.session is not None:
            hb = self.session["heartbeat_s"]
            if hb and now - self.last_live > HEARTBEAT_SLACK * hb:
                self.missing_count += 1
                if len(self.missing) < MAX_LISTED:
                    self.missing.append({"from": self.last_live_ts, "to": ts,
                                         "seconds": round(now - self.last_live, 3), "heartbeat_s": hb})
            if kind == "session_close":
                self.closed = True
        self.last_live, self.last_live_ts = now, ts

    def report(self) -> list[dict]:
        out: list[dict] = []
        n_open = len(self.open) + self.dropped
        if n_open:
            out.append({"kind": "intent_without_outcome", "count": n_open,
                        "examples": [{"action_id": k, "timestamp": t, "target": tg}
                                     for k, (t, tg) in list(self.open.items())[:MAX_LISTED]]})
        if self.session is not None and not self.closed:
            out.append({"kind": "session_without_close", "count": 1, "opened": self.session["opened"],
                        "open_id": self.session["open_id"], "last_heartbeat": self.last_live_ts})
        if self.missing_count:
            out.append({"kind": "missing_heartbeat_window", "count": self.missing_count, "examples": self.missing})
        if self.unmatched_outcomes:
            out.append({"kind": "outcome_without_intent", "count": self.unmatched_outcomes})
        return out


def describe(gap: dict) -> str:
    k = gap["kind"]
    if k == "intent_without_outcome":
        ex = gap["examples"][0] if gap.get("examples") else {}
        return (f"{gap['count']} intent(s) without an outcome (first: {ex.get('action_id', '?')} "
                f"{ex.get('target', '')} at {ex.get('timestamp', '')})")
    if k == "session_without_close":
        return f"session opened at {gap['opened']} has no session_close (last sign of life {gap['last_heartbeat']})"
    if k == "missing_heartbeat_window":
        ex = gap["examples"][0]
        return (f"{gap['count']} heartbeat window(s) missing (first: {ex['seconds']} s without a heartbeat "
                f"from {ex['from']} to {ex['to']}, interval {ex['heartbeat_s']} s)")
    if k == "outcome_without_intent":
        return f"{gap['count']} outcome(s) reference an intent not in this chain"
    return k
