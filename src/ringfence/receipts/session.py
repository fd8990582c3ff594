"""Session and intent receipts, in v1-base fields only (so every v1 verifier accepts them).

- session_open / heartbeat / session_close: transport "receipt_session", target
  "ringfence://session/<open|heartbeat|close>", layer "session", pattern the kind, and
  the facts as "k=v" pairs in `intent` (config hash = policy_hash, ruleset hash, version,
  key fingerprint, heartbeat interval, ...). Heartbeats come every `heartbeat_s` seconds
  from their own thread, whatever the traffic.
- intent / outcome: the decision receipt of an outbound action that will be sent is the
  intent; its `intent` field starts with "egress-intent". It is written (write(2) done)
  before the caller may send, so a crash of the process never loses it, and durable:
  fsync'd before return (intent_durability "fsync"), or within the batched fsync window,
  fsync_interval_ms, 50 ms by default ("batch", the default: an fsync per request would
  stall the proxy's event loop; an OS crash loses at most that window). The outcome
  receipt after the exchange has layer "outcome", pattern "status=... bytes=...",
  "error=...", "aborted=..." or "closed ...", and `request_id` = the intent's action_id
  (a v1-base field placed before the chain fields). Transports write both through
  core.record (record with meta["egress"], record_outcome).

The verifier turns these into gaps: an intent without outcome, a session without a
close, a heartbeat window with no heartbeat (see gaps.py).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from .canonical import format_time_ns, go_string, go_string_memo
from .errors import ReceiptError
from .keys import fingerprint

SESSION_TRANSPORT = "receipt_session"
SESSION_TARGET = "ringfence://session/"
OUTCOME_LAYER = "outcome"
MAX_OPEN_INTENTS = 100_000   # intents remembered for their outcome (targets only)


def kv(facts: dict[str, Any]) -> str:
    """Facts as 'k=v k=v' (values without spaces)."""
    return " ".join(f"{k}={str(v).replace(' ', '_')}" for k, v in facts.items() if v not in (None, ""))


def parse_kv(text: str) -> dict[str, str]:
    out = {}
    for part in (text or "").split():
        k, sep, v = part.partition("=")
        if sep:
            out[k] = v
    return out


class SessionMixin:
    """Methods ReceiptWriter gains for session and intent receipts."""

    _sess: dict | None = None
    _hb_thread: threading.Thread | None = None
    intent_durability = "batch"

    # -- building one control record ----------------------------------------
    def _control(self, target: str, pattern: str, intent: str, *, layer: str = "session",
                 transport: str = SESSION_TRANSPORT, method: str = "", verdict: str = "allow",
                 ref: str = "", atype: str = "unclassified", side: str = "none",
                 rev: str = "unknown", wait: bool = True, defer: str = "") -> str:
        from .writer import uuid7
        action_id = uuid7()
        head, tail = self._control_parts(action_id, target, pattern, intent, layer, transport, method,
                                         verdict, ref, atype, side, rev)
        summary = f"receipt: {verdict} {atype} {transport}"
        if self._worker is not None:
            self._submit((head, tail, verdict, transport, summary), wait and not defer, defer)
        else:
            with self._lock:
                if self.closed:
                    raise ReceiptError("receipt writer is closed")
                self._append_one(head, format_time_ns(time.time_ns()), tail, verdict, transport, summary)
        return action_id

    def control_record(self, action_id: str, ts: str, target: str, pattern: str, intent: str,
                       layer: str, transport: str, method: str, verdict: str, ref: str, atype: str,
                       side: str, rev: str) -> dict:
        """The control record as a dict (what _control_parts encodes; tests compare the two)."""
        from .writer import _clip
        rec: dict[str, Any] = {"version": 1, "action_id": action_id, "action_type": atype, "timestamp": ts,
                               "principal": self.principal, "actor": self.actor, "delegation_chain": None,
                               "target": _clip(target), "intent": _clip(intent, 1024),
                               "side_effect_class": side, "reversibility": rev,
                               "policy_hash": self.policy_hash, "verdict": verdict,
                               "transport": _clip(transport, 128), "method": _clip(method, 128),
                               "layer": layer, "pattern": _clip(pattern, 256)}
        if ref:
            rec["request_id"] = _clip(ref, 256)
        return rec

    def _control_parts(self, action_id: str, target: str, pattern: str, intent: str, layer: str,
                       transport: str, method: str, verdict: str, ref: str, atype: str, side: str,
                       rev: str) -> tuple[str, str]:
        """(head, tail) around the timestamp: head + ts + tail is
        encode_writer_record(control_record(...)) up to its chain fields, without the dict."""
        from .writer import _clip
        gm = go_string_memo
        intent, method, pattern = _clip(intent, 1024), _clip(method, 128), _clip(pattern, 256)
        out = ['","principal":', gm(self.principal), ',"actor":', gm(self.actor),
               ',"delegation_chain":null,"target":', go_string(_clip(target))]
        if intent:
            out += (',"intent":', go_string(intent))
        out += (',"side_effect_class":', gm(side), ',"reversibility":', gm(rev), ',"policy_hash":',
                gm(self.policy_hash), ',"verdict":', gm(verdict), ',"transport":', gm(_clip(transport, 128)))
        if method:
            out += (',"method":', gm(method))
        if layer:
            out += (',"layer":', gm(layer))
        if pattern:
            out += (',"pattern":', go_string(pattern))
        if ref:
            out += (',"request_id":', go_string(_clip(ref, 256)))
        head = f'{{"version":1,"action_id":{go_string(action_id)},"action_type":{gm(atype)},"timestamp":"'
        return head, "".join(out)

    # -- sessions -------------------------------------------------------------
    def open_session(self, kind: str, *, ruleset_hash: str = "", version: str = "",
                     heartbeat_s: int = 30, extra: dict | None = None) -> str:
        """Sign session_open and start heartbeats. Returns the session_open receipt id."""
        if self._sess is not None:
            return self._sess["open_id"]
        from .keys import public_bytes
        facts = {"kind": kind, "config": self.policy_hash, "ruleset": ruleset_hash, "version": version,
                 "key": fingerprint(public_bytes(self.signer.key)), "heartbeat_s": int(heartbeat_s),
                 "recorder": self.session_id, **(extra or {})}
        open_id = self._control(SESSION_TARGET + "open", "session_open", "session_open " + kv(facts))
        self._sess = {"open_id": open_id, "beats": 0, "hb": max(1, int(heartbeat_s)), "stop": threading.Event()}
        t = threading.Thread(target=self._beat_loop, name="receipts-heartbeat", daemon=True)
        self._hb_thread = t
        t.start()
        return open_id

    def _beat_loop(self) -> None:
        s = self._sess
        while s is not None and not s["stop"].wait(s["hb"]):
            if self.closed:
                return
            s["beats"] += 1
            try:
                self._control(SESSION_TARGET + "heartbeat", "heartbeat",
                              "heartbeat " + kv({"beat": s["beats"], "receipts": self.count,
                                                 "open": s["open_id"]}))
            except ReceiptError:
                return  # the next record() or close() reports the failure

    def _close_session(self, reason: str) -> None:
        """Called by close() before the seal (the lock is not held)."""
        s = self._sess
        if s is None or s.get("closed"):
            return
        s["closed"] = True
        s["stop"].set()
        if self._hb_thread is not None and self._hb_thread is not threading.current_thread():
            self._hb_thread.join(timeout=5)
        try:
            self._control(SESSION_TARGET + "close", "session_close",
                          "session_close " + kv({"reason": reason, "receipts": self.count + 1,
                                                 "beats": s["beats"], "open": s["open_id"]}))
        except ReceiptError:
            pass  # close() still seals what is there; verify reports the missing close

    # -- intent and outcome -------------------------------------------------
    def record_intent(self, action: Any, decision: Any, defer: str = "") -> str:
        """The decision receipt of an action about to be sent, durable before return.

        A blocked decision is an ordinary receipt (nothing leaves, no outcome expected).
        defer="wait" (writer thread, batch durability only): queued; the caller waits for
        last_ticket() before a byte leaves."""
        if self.intent_durability == "fsync":
            defer = ""  # the fsync is the caller's to wait for, here
        if decision.verdict == "block" or self.intent_durability == "disabled":
            return self.record(action, decision, wait=True, defer=defer)
        rid = self.record(action, decision, egress=True, wait=True, defer=defer)
        self._intents_put(rid, action)
        if self.intent_durability == "fsync":
            with self._lock:
                self.recorder.sync()  # durable before any byte leaves
        return rid

    def _intents_put(self, rid: str, action: Any) -> None:
        from .writer import safe_target
        d = self.__dict__.setdefault("_intents", OrderedDict())
        d[rid] = (safe_target(action.target or "", ()), action.transport or "unknown", action.method or "")
        while len(d) > MAX_OPEN_INTENTS:
            d.popitem(last=False)

    def record_outcome(self, intent_id: str, result: str, verdict: str = "allow", defer: str = "") -> str:
        """What happened after an intent: e.g. 'status=200 bytes=512' or 'error=upstream_timeout'."""
        if not intent_id or self.intent_durability == "disabled":
            return ""
        d = self.__dict__.get("_intents") or {}
        target, transport, method = d.pop(intent_id, ("ringfence:outcome", "unknown", ""))
        return self._control(target, result, "outcome of " + intent_id, layer=OUTCOME_LAYER, transport=transport,
                             method=method, verdict=verdict, ref=intent_id, defer=defer)
