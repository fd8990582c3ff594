"""Streaming aggregation of receipts for reports: counters plus capped samples, so memory
stays bounded however long the log (plain dicts: they cross process boundaries)."""
from __future__ import annotations

from urllib.parse import urlsplit

from .session import OUTCOME_LAYER, SESSION_TRANSPORT, parse_kv

MAX_ROWS = 5000          # block table rows kept (all blocks are counted)
MAX_RUG = 200
MAX_KEYS = 20000         # distinct destinations / tools / minutes kept before pruning
MAX_SESSIONS = 2000
MAX_SESSION_BUCKETS = 600
MAX_SECONDS = 3600       # per-second timeline kept while the log spans at most this many seconds


_HOSTS: dict[str, str] = {}


def host_of(target: str) -> str:
    h = _HOSTS.get(target)
    if h is None:
        h = _host_of(target)
        if len(_HOSTS) > 4096:
            _HOSTS.clear()
        _HOSTS[target] = h
    return h


def _host_of(target: str) -> str:
    if "://" in target:
        if target.startswith("ringfence://"):
            return ""
        try:
            return (urlsplit(target).hostname or "")[:253]
        except ValueError:
            return ""
    host, sep, port = target.rpartition(":")
    if sep and port.isdigit() and host and "/" not in host:
        return host.strip("[]")[:253]
    return ""


def _bump(d: dict, k: str, n: int = 1) -> None:
    d[k] = d.get(k, 0) + n
    if len(d) > MAX_KEYS:  # keep the heavy hitters; the tail becomes approximate
        for key, _ in sorted(d.items(), key=lambda kv: kv[1])[: MAX_KEYS // 2]:
            del d[key]


def new() -> dict:
    return {"total": 0, "decisions": 0, "verdicts": {}, "timeline": {}, "blocks": 0, "block_rules": {},
            "block_scanners": {}, "destinations": {}, "tools": {}, "mcp_sessions": {}, "sessions": {},
            "rows": [], "rugpulls": [], "controls": {}, "outcomes": 0, "intents": 0, "modes": {},
            "timeline_s": {}, "timeline_s_full": True}


class Digest:
    """Fed one action_record at a time (with its recorder session)."""

    def __init__(self) -> None:
        self.d = new()

    def add(self, rec: dict, session: str) -> None:
        d = self.d
        d["total"] += 1
        ts = rec.get("timestamp", "")
        transport = rec.get("transport", "")
        verdict = rec.get("verdict", "")
        s = d["sessions"].get(session)
        if s is None:
            if len(d["sessions"]) >= MAX_SESSIONS:
                s = d["sessions"].setdefault("(other sessions)", _session())
            else:
                s = d["sessions"][session] = _session()
        s["first"] = s["first"] or ts
        s["last"] = ts
        if transport == SESSION_TRANSPORT:
            sc = rec.get("session_control")
            kind = rec.get("pattern") or (sc.get("kind", "") if isinstance(sc, dict) else "")
            d["controls"][kind] = d["controls"].get(kind, 0) + 1
            if kind == "session_open":
                f = parse_kv(rec.get("intent", ""))
                s["open"] = {k: f.get(k, "") for k in ("kind", "config", "ruleset", "version", "key", "server",
                                                        "mode", "heartbeat_s")}
                if f.get("mode"):
                    d["modes"][f["mode"]] = d["modes"].get(f["mode"], 0) + 1
            elif kind == "session_close":
                s["closed"] = ts
            return
        if rec.get("layer") == OUTCOME_LAYER or rec.get("decision_phase") == "outcome":
            d["outcomes"] += 1
            return
        d["decisions"] += 1
        if (rec.get("intent") or "").startswith("egress-intent") or rec.get("decision_phase") == "intent":
            d["intents"] += 1
        d["verdicts"][verdict] = d["verdicts"].get(verdict, 0) + 1
        s["n"] += 1
        s["verdicts"][verdict] = s["verdicts"].get(verdict, 0) + 1
        minute = ts[:16]
        tl = d["timeline"].get(minute)
        if tl is None:
            if len(d["timeline"]) < MAX_KEYS:
                tl = d["timeline"][minute] = {}
            else:
                tl = {}
        tl[verdict] = tl.get(verdict, 0) + 1
        if d["timeline_s_full"]:
            sec = ts[:19]
            ts_ = d["timeline_s"].get(sec)
            if ts_ is None:
                if len(d["timeline_s"]) >= MAX_SECONDS:
                    d["timeline_s_full"] = False
                    d["timeline_s"] = {}
                else:
                    ts_ = d["timeline_s"][sec] = {}
            if ts_ is not None:
                ts_[verdict] = ts_.get(verdict, 0) + 1
        for key, bk in ((minute, "buckets"), (ts[:19], "buckets_s")):
            if bk == "buckets_s" and not s["buckets_s_full"]:
                continue
            if len(s[bk]) < MAX_SESSION_BUCKETS or key in s[bk]:
                b = s[bk].setdefault(key, [0, 0])
                b[0] += 1
                if verdict == "block":
                    b[1] += 1
            elif bk == "buckets_s":
                s["buckets_s_full"], s["buckets_s"] = False, {}
        target = rec.get("target", "")
        host = host_of(target)
        if host:
            _bump(d["destinations"], host)
        method = rec.get("method", "")
        if transport.startswith("mcp") or "/" in method:
            s["mcp"] += 1
            if method == "tools/call" or (not method and rec.get("action_type") != "read"):
                _bump(d["tools"], target[:200])
        if verdict == "block":
            d["blocks"] += 1
            s["blocks"] += 1
            layer, pattern = rec.get("layer", "") or "(none)", rec.get("pattern", "") or "(none)"
            d["block_scanners"][layer] = d["block_scanners"].get(layer, 0) + 1
            _bump(d["block_rules"], f"{layer}:{pattern}")
            if len(d["rows"]) < MAX_ROWS:
                d["rows"].append([ts, session, target[:500], f"{layer}:{pattern}", (rec.get("intent") or "")[:240],
                                  rec.get("action_id", ""), transport, rec.get("severity", "")])
        if rec.get("layer") == "rug_pull" and len(d["rugpulls"]) < MAX_RUG:
            d["rugpulls"].append([ts, session, target[:200], rec.get("pattern", ""), (rec.get("intent") or "")[:300],
                                  rec.get("action_id", ""), verdict])


def _session() -> dict:
    return {"first": "", "last": "", "n": 0, "blocks": 0, "mcp": 0, "verdicts": {}, "buckets": {}, "open": None,
            "closed": "", "buckets_s": {}, "buckets_s_full": True}


def merge(a: dict, b: dict) -> dict:
    """Merge digest b into a (b comes later in the chain)."""
    for k in ("total", "decisions", "blocks", "outcomes", "intents"):
        a[k] += b[k]
    for k in ("verdicts", "block_scanners", "controls", "modes"):
        for kk, v in b[k].items():
            a[k][kk] = a[k].get(kk, 0) + v
    for k in ("block_rules", "destinations", "tools"):
        for kk, v in b[k].items():
            _bump(a[k], kk, v)
    if a["timeline_s_full"] and b["timeline_s_full"]:
        for sec, vs in b["timeline_s"].items():
            tl = a["timeline_s"].setdefault(sec, {})
            for v, n in vs.items():
                tl[v] = tl.get(v, 0) + n
        if len(a["timeline_s"]) > MAX_SECONDS:
            a["timeline_s_full"], a["timeline_s"] = False, {}
    else:
        a["timeline_s_full"], a["timeline_s"] = False, {}
    for minute, vs in b["timeline"].items():
        tl = a["timeline"].get(minute)
        if tl is None:
            if len(a["timeline"]) >= MAX_KEYS:
                continue
            tl = a["timeline"][minute] = {}
        for v, n in vs.items():
            tl[v] = tl.get(v, 0) + n
    for sid, s in b["sessions"].items():
        t = a["sessions"].get(sid)
        if t is None:
            if len(a["sessions"]) >= MAX_SESSIONS:
                continue
            a["sessions"][sid] = s
            continue
        t["first"] = min(filter(None, (t["first"], s["first"])), default="")
        t["last"] = max(t["last"], s["last"])
        for k in ("n", "blocks", "mcp"):
            t[k] += s[k]
        for v, n in s["verdicts"].items():
            t["verdicts"][v] = t["verdicts"].get(v, 0) + n
        for m, (n, bl) in s["buckets"].items():
            if len(t["buckets"]) < MAX_SESSION_BUCKETS or m in t["buckets"]:
                x = t["buckets"].setdefault(m, [0, 0])
                x[0] += n
                x[1] += bl
        if t["buckets_s_full"] and s["buckets_s_full"]:
            for m, (n, bl) in s["buckets_s"].items():
                x = t["buckets_s"].setdefault(m, [0, 0])
                x[0] += n
                x[1] += bl
            if len(t["buckets_s"]) > MAX_SESSION_BUCKETS:
                t["buckets_s_full"], t["buckets_s"] = False, {}
        else:
            t["buckets_s_full"], t["buckets_s"] = False, {}
        t["open"] = t["open"] or s["open"]
        t["closed"] = s["closed"] or t["closed"]
    a["rows"].extend(b["rows"][: MAX_ROWS - len(a["rows"])])
    a["rugpulls"].extend(b["rugpulls"][: MAX_RUG - len(a["rugpulls"])])
    return a
