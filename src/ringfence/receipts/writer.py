"""ReceiptWriter: Action + Decision -> signed, hash-chained ActionReceipt v1 (v1-base fields).

Thread-safe. Every receipt goes to the flight recorder as one canonical line; close()
seals the run with a transcript_root and a signed checkpoint.
"""
from __future__ import annotations

import atexit
import hashlib
import logging
import os
import secrets
import threading
import time
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from .canonical import clean_text, encode_writer_record, format_time_ns, go_string, go_string_memo
from .classify import classify
from .errors import ReceiptError
from .fastsign import fast_signer
from .keys import load_signing_key, public_bytes
from .null import NullWriter
from .recorder import Recorder
from .session import SessionMixin
from .signer import Tickets

_sha256 = hashlib.sha256
log = logging.getLogger("ringfence.receipts")

VERDICTS = frozenset({"block", "allow", "warn", "ask", "strip", "forward", "redirect"})
MAX_FIELD = 4096        # bound every free-text field in a receipt
MAX_INTENT = 200
EGRESS_INTENT = "egress-intent"   # intent prefix of a receipt written before bytes leave


_RAND_TAILS: list[str] = []  # preformatted random UUIDv7 tails; list.pop is atomic under the GIL
_RAND_BATCH = 256


def _refill_tails() -> None:
    buf = os.urandom(10 * _RAND_BATCH)
    tails = []
    for i in range(0, len(buf), 10):
        r = int.from_bytes(buf[i:i + 10], "big")
        rand_a = r >> 68 & 0xFFF
        rand_b = r & ((1 << 62) - 1)
        t = f"{0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b:020x}"
        tails.append(f"-{t[:4]}-{t[4:8]}-{t[8:]}")
    _RAND_TAILS.extend(tails)


if hasattr(os, "register_at_fork"):  # a forked child must never reuse the parent's random tails
    os.register_at_fork(after_in_child=_RAND_TAILS.clear)


def uuid7() -> str:
    """A UUIDv7 string: 48-bit Unix ms, version 7, variant 10, random rest."""
    ms = time.time_ns() // 1_000_000 & 0xFFFFFFFFFFFF
    while True:
        try:
            tail = _RAND_TAILS.pop()
            break
        except IndexError:
            _refill_tails()
    return f"{ms >> 16:08x}-{ms & 0xFFFF:04x}{tail}"


def _clip(s: str, n: int = MAX_FIELD) -> str:
    """Bounded and Go-clean, so the signed value, the bytes on disk and the entry hash agree."""
    s = clean_text(str(s))
    return s if len(s) <= n else s[: n - 3] + "..."


def safe_target(target: str, findings: tuple) -> str:
    """The target as it may be signed: no secret that a DLP finding saw in it.

    With any DLP finding, userinfo, query and fragment of a URL become "[redacted]";
    the path too unless every finding says it was outside the path; the host when a
    finding points at it (DNS exfiltration)."""
    dlp = [f for f in findings if f.scanner == "dlp"]
    if not dlp or "://" not in target:
        return _clip(target)
    try:
        u = urlsplit(target)
        port = u.port
    except ValueError:
        return "[redacted]"
    wheres = [f.where or "" for f in dlp]
    host = u.hostname or ""
    if any("host" in w for w in wheres):
        host = "[redacted]"
    netloc = ("[redacted]@" if (u.username or u.password) else "") + host + (f":{port}" if port else "")
    path = u.path
    if path and path != "/" and not all(w.startswith(("url.query", "header", "body", "text"))
                                        for w in wheres):
        path = "/[redacted]"
    out = f"{u.scheme}://{netloc}{path}"
    if u.query:
        out += "?[redacted]"
    if u.fragment:
        out += "#[redacted]"
    return _clip(out)


class ChainSigner:
    """Signs action records into one hash chain (spec sections 6 and 7). Not thread-safe."""

    def __init__(self, key):
        self.key = key
        self.sign_bytes = fast_signer(key)  # same signature as key.sign, cheaper when libsodium is there
        self.signer_key = public_bytes(key).hex()
        self.chain_seq = 0
        self.last_hash = ""

    def sign(self, rec: dict) -> str:
        """Set chain_prev_hash/chain_seq, sign, advance; returns the canonical receipt JSON."""
        rec["chain_prev_hash"] = self.last_hash or "genesis"
        rec["chain_seq"] = self.chain_seq
        return self._finish(encode_writer_record(rec))

    def sign_body(self, body: str) -> str:
        """Like sign() for a record already encoded up to its chain fields: `body` is the
        canonical action_record JSON without chain_prev_hash, chain_seq and the closing brace."""
        receipt, next_hash = self.prepare_body(body)
        self.commit(next_hash)
        return receipt

    def prepare_body(self, body: str) -> tuple[str, str]:
        """sign_body() without advancing the chain: (receipt, its hash). The writer
        calls commit(hash) only once the receipt is persisted, so a failed write
        leaves neither a gap nor a fork: the next receipt takes the same seq."""
        return self._sign_only(f'{body},"chain_prev_hash":"{self.last_hash or "genesis"}",'
                               f'"chain_seq":{self.chain_seq}}}')

    def commit(self, receipt_hash: str) -> None:
        self.chain_seq += 1
        self.last_hash = receipt_hash

    def _sign_only(self, rec_json: str) -> tuple[str, str]:
        sig = self.sign_bytes(_sha256(rec_json.encode("utf-8")).digest())
        receipt = (f'{{"version":1,"action_record":{rec_json},"signature":"ed25519:{sig.hex()}",'
                   f'"signer_key":"{self.signer_key}"}}')
        return receipt, _sha256(receipt.encode("utf-8")).hexdigest()

    def _finish(self, rec_json: str) -> str:
        receipt, next_hash = self._sign_only(rec_json)
        self.commit(next_hash)
        return receipt


class ReceiptWriter(SessionMixin):
    enabled = True

    def __init__(self, directory: str, key, *, policy_hash: str, session_id: str = "proxy",
                 fsync: str = "batch", fsync_interval_ms: int = 50, max_entries_per_file: int = 10_000,
                 checkpoint_interval: int = 1000, max_file_bytes: int = 64 << 20,
                 checkpoint_every_ms: int = 1000,
                 principal: str = "ringfence", actor: str = "", queue_max: int = 0,
                 queue_wait_s: float = 5.0, intent_durability: str = "batch"):
        self.intent_durability = intent_durability
        self.signer = ChainSigner(key)
        self.signer_key = self.signer.signer_key
        self.policy_hash = policy_hash
        self.principal, self.actor = principal, actor
        # One chain per writer run: a unique recorder session keeps runs from colliding.
        run_tag = format_time_ns(time.time_ns())[:19].replace("-", "").replace(":", "") + "Z-" + \
            secrets.token_hex(3)
        self.session_id = f"{session_id}-{run_tag}" if session_id else run_tag
        self.recorder = Recorder(directory, self.session_id, self.signer.sign_bytes,
                                 max_entries=max_entries_per_file, checkpoint_interval=checkpoint_interval,
                                 max_bytes=max_file_bytes, fsync_always=(fsync == "always"))
        self._lock = threading.Lock()
        self.count = 0
        self.first_ts = self.last_ts = ""
        self.verdicts: dict[str, int] = {}
        self.closed = False
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._batch = fsync != "always"
        self._ckpt_s = checkpoint_every_ms / 1000.0
        if self._batch or self._ckpt_s > 0:
            waits = [fsync_interval_ms / 1000.0] if self._batch else []
            self._interval = min(waits + ([self._ckpt_s] if self._ckpt_s else []))
            self._flusher = threading.Thread(target=self._flush_loop, name="receipts-fsync", daemon=True)
            self._flusher.start()
        # queue_max > 0: sign and append on a writer thread (see record()); 0: on the caller's.
        self.queue_max = max(0, int(queue_max))
        self._queue_wait_s = queue_wait_s
        self._q: deque = deque()
        self._qcond = threading.Condition(threading.Lock())
        self._pending = 0          # enqueued, not yet written (or failed)
        self._qclosed = False
        self._error: ReceiptError | None = None
        self._worker: threading.Thread | None = None
        self.tickets = Tickets() if self.queue_max else None  # signer.written() waits on these
        self._wake_armed: Any = None  # the loop with a wake-up scheduled
        self._tl = threading.local()   # the ticket of this thread's last deferred receipt
        self._durable: tuple = ()      # chain state at the recorder's last durable write
        self.recorder.on_durable = self._mark_durable
        if self.queue_max:
            self._worker = threading.Thread(target=self._write_loop, name="receipts-writer", daemon=True)
            self._worker.start()
        atexit.register(self.close, "exit")

    @property
    def paths(self) -> list[str]:
        return list(self.recorder.paths)

    # -- background fsync (batch mode) -------------------------------------
    def _flush_loop(self) -> None:
        """The batched fsync runs without the writer lock (on a duplicate of the fd), so a
        receipt being written never waits for the disk; `dirty` stays set until an fsync
        that covered every write so far succeeded."""
        rec = self.recorder
        while not self._stop.wait(self._interval):
            with self._lock:
                if self.closed:
                    return
                try:
                    if self._ckpt_s and rec.since_checkpoint and rec.fd is not None \
                            and time.monotonic() - rec.last_checkpoint >= self._ckpt_s:
                        rec.checkpoint()  # bounds what a crash can silently lose
                    got = rec.sync_begin()
                except (ReceiptError, OSError):
                    continue  # the next record() or close() reports it
            if got is None:
                continue
            fd, writes = got
            try:
                os.fsync(fd)
            except OSError:
                continue  # still dirty: close() fsyncs again and reports it
            finally:
                os.close(fd)
            with self._lock:
                rec.sync_end(writes)

    # -- building -------------------------------------------------------
    def build_record(self, action: Any, decision: Any, ts: str, action_id: str) -> dict:
        atype, side, rev = classify(action.transport or "", action.method or "", action.target or "",
                                    action.kind or "")
        findings = tuple(decision.findings or ())
        verdict = decision.verdict if decision.verdict in VERDICTS else "block"
        target = safe_target(action.target or "", findings) or _clip(f"ringfence:{action.kind or 'content'}", 256)
        rec: dict[str, Any] = {
            "version": 1, "action_id": action_id, "action_type": atype, "timestamp": ts,
            "principal": self.principal, "actor": self.actor, "delegation_chain": None,
            "target": target,
        }
        top = decision.top
        if top is not None and verdict != "allow":
            intent = f"{top.scanner}:{top.rule}"
            if top.where:
                intent += f" at {top.where}"
            if top.excerpt and top.scanner == "dlp":
                intent += f" ({top.excerpt[:40]})"  # already redacted by the scanner
            elif top.excerpt and top.scanner == "rug_pull":
                intent += f" ({top.excerpt[:120]})"
            rec["intent"] = _clip(intent, MAX_INTENT)
        elif isinstance(getattr(action, "meta", None), dict) and isinstance(action.meta.get("intent"), str):
            # What the transport could not see (e.g. "tunnel: body not inspected"). Transports
            # write this themselves, never from content, so it holds no secret.
            rec["intent"] = _clip(action.meta["intent"], MAX_INTENT)
        dlp_rules = sorted({_clip(f.rule, 128) for f in findings if f.scanner == "dlp"})
        if dlp_rules and action.direction == "outbound":
            rec["data_classes_out"] = dlp_rules[:32]
        elif dlp_rules:
            rec["data_classes_in"] = dlp_rules[:32]
        rec.update({"side_effect_class": side, "reversibility": rev, "policy_hash": self.policy_hash,
                    "verdict": verdict, "transport": _clip(action.transport or "unknown", 128)})
        if action.method:
            rec["method"] = _clip(action.method, 128)
        if top is not None:
            rec["layer"] = _clip(top.scanner, 128)
            rec["pattern"] = _clip(top.rule, 256)
            rec["severity"] = _clip(top.severity, 32)
        if action.request_id:
            rec["request_id"] = _clip(action.request_id, 256)
        return rec

    def record_parts(self, action: Any, decision: Any, action_id: str,
                     egress: bool = False) -> tuple[str, str, str, str, str]:
        """The canonical action_record JSON around its timestamp, without building a dict.

        Returns (head, tail, verdict, action_type, transport): head + ts + tail is the record
        up to its chain fields, byte-equal to encode_writer_record(build_record(...)) (tested)."""
        atype, side, rev = classify(action.transport or "", action.method or "", action.target or "",
                                    action.kind or "")
        findings = decision.findings or ()
        verdict = decision.verdict if decision.verdict in VERDICTS else "block"
        target = safe_target(action.target or "", findings) or _clip(f"ringfence:{action.kind or 'content'}", 256)
        gm = go_string_memo
        out = ['","principal":', gm(self.principal), ',"actor":', gm(self.actor),
               ',"delegation_chain":null,"target":', go_string(target)]
        top = decision.top if findings else None
        intent = ""
        if top is not None and verdict != "allow":
            intent = f"{top.scanner}:{top.rule}"
            if top.where:
                intent += f" at {top.where}"
            if top.excerpt and top.scanner == "dlp":
                intent += f" ({top.excerpt[:40]})"  # already redacted by the scanner
            elif top.excerpt and top.scanner == "rug_pull":
                intent += f" ({top.excerpt[:120]})"  # what changed, for the report's diff
        else:
            meta = getattr(action, "meta", None)
            if meta and isinstance(meta, dict) and isinstance(meta.get("intent"), str):
                intent = meta["intent"]  # written by transports, never from content
        if egress:  # this receipt is the durable intent before bytes leave (see session.py)
            intent = EGRESS_INTENT + ("; " + intent if intent else "")
        if intent:
            intent = _clip(intent, MAX_INTENT)
            out += (',"intent":', go_string(intent))
        if findings:
            dlp_rules = sorted({_clip(f.rule, 128) for f in findings if f.scanner == "dlp"})
            if dlp_rules:
                out += (',"data_classes_out":[' if action.direction == "outbound" else ',"data_classes_in":[',
                        ",".join(gm(r) for r in dlp_rules[:32]), "]")
        transport = _clip(action.transport or "unknown", 128)
        out += (',"side_effect_class":', gm(side), ',"reversibility":', gm(rev), ',"policy_hash":',
                gm(self.policy_hash), ',"verdict":', gm(verdict), ',"transport":', gm(transport))
        if action.method:
            out += (',"method":', gm(_clip(action.method, 128)))
        if top is not None:
            for k, v, n in ((',"layer":', top.scanner, 128), (',"pattern":', top.rule, 256),
                            (',"severity":', top.severity, 32)):
                v = _clip(v, n)
                if v:
                    out += (k, gm(v))
        if action.request_id:
            out += (',"request_id":', go_string(_clip(action.request_id, 256)))
        head = f'{{"version":1,"action_id":{go_string(action_id)},"action_type":{gm(atype)},"timestamp":"'
        return head, "".join(out), verdict, atype, transport

    def _append_one(self, head: str, ts: str, tail: str, verdict: str, transport: str, summary: str) -> None:
        """Under self._lock: chain, sign, persist one receipt. The chain advances
        only after the write succeeded (a failed one raises and leaves no trace)."""
        receipt, receipt_hash = self.signer.prepare_body(head + ts + tail)
        self.recorder.append_receipt(receipt, transport, summary, ts)
        self.signer.commit(receipt_hash)
        self.count += 1
        self.first_ts = self.first_ts or ts
        self.last_ts = ts
        self.verdicts[verdict] = self.verdicts.get(verdict, 0) + 1

    def record(self, action: Any, decision: Any, egress: bool = False, wait: bool = False,
               defer: str = "") -> str:
        """Sign and append one receipt; returns its action_id. Raises ReceiptError on failure.

        Without a writer thread (queue_max 0) the receipt is written when this returns.
        With one, the record (and its timestamp) is built here and queued; then
        - wait=True: written when this returns (the caller drains the queue itself
          when the writer thread is idle, else waits for it); a failure raises and
          blocks only this action, like the inline writer;
        - defer="wait": returns at once; the caller must wait for last_ticket() (see
          signer.Tickets.notify) before it acts; a failure fails that wait only;
        - defer="trip", or neither (the old queue mode): returns at once and nobody
          waits, so a write failure trips the writer: every later record(), flush()
          and close() refuses (fail closed). A crash can lose at most the queued
          receipts (<= queue_max) on top of the fsync interval; flush() waits for them."""
        action_id = uuid7()
        if defer:
            self._tl.ticket = 0  # nothing to wait for unless this one is queued
        try:
            head, tail, verdict, atype, transport = self.record_parts(action, decision, action_id, egress)
            summary = f"receipt: {verdict} {atype} {transport}"
            if self._worker is not None:
                self._submit((head, tail, verdict, transport, summary), wait, defer)
                return action_id
            with self._lock:  # only what the chain order needs: time, chain fields, signature, append
                if self.closed:
                    raise ReceiptError("receipt writer is closed")
                self._append_one(head, format_time_ns(time.time_ns()), tail, verdict, transport, summary)
        except ReceiptError:
            raise
        except Exception as e:  # fail closed: the caller must not treat this as recorded
            raise ReceiptError(f"cannot write receipt: {type(e).__name__}: {e}") from e
        return action_id

    def last_ticket(self) -> int:
        """The ticket of the last receipt this thread deferred (0: none)."""
        return getattr(self._tl, "ticket", 0)

    # -- writer thread (queue_max > 0) ------------------------------------
    def _submit(self, item: tuple, wait: bool, defer: str) -> None:
        ticket = self._enqueue(item, trip=not wait and defer != "wait", wake=not defer)
        if defer:
            self._tl.ticket = ticket
            self._wake_soon()
        elif wait:
            if self._lock.acquire(blocking=False):  # the writer thread is idle: write it here
                try:
                    self._drain_locked()
                finally:
                    self._lock.release()
            self.tickets.wait(ticket, max(self._queue_wait_s, 1.0) * 6)

    def _wake_soon(self) -> None:
        """Wake the writer thread once per event-loop iteration, not per receipt: the
        receipts queued by one iteration's callbacks go out as one batch."""
        import asyncio
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._wake()
            return
        if self._wake_armed is loop:  # (a loop that closed with a wake pending is never running again)
            return
        self._wake_armed = loop
        loop.call_soon(self._wake)

    def _wake(self) -> None:
        self._wake_armed = None
        with self._qcond:
            self._qcond.notify_all()

    def _enqueue(self, item: tuple, trip: bool = True, wake: bool = True) -> int:
        with self._qcond:
            if self._error is not None:
                raise self._error
            if self._qclosed or self.closed:
                raise ReceiptError("receipt writer is closed")
            if self._pending >= self.queue_max:  # backpressure: bounded memory, bounded wait
                deadline = time.monotonic() + self._queue_wait_s
                while self._pending >= self.queue_max and self._error is None and not self._qclosed:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise ReceiptError(f"receipt queue full ({self.queue_max}) for {self._queue_wait_s} s")
                    self._qcond.wait(left)
                if self._error is not None:
                    raise self._error
                if self._qclosed:
                    raise ReceiptError("receipt writer is closed")
            # The timestamp is taken in queue order, so chain order and time order agree.
            ticket = self.tickets.issue()
            self._q.append((format_time_ns(time.time_ns()),) + item + (ticket, trip))
            self._pending += 1
            if wake:
                self._qcond.notify_all()
            return ticket

    def _write_loop(self) -> None:
        q, cond = self._q, self._qcond
        while True:
            with cond:
                while not q and not self._qclosed:
                    cond.wait()
                if not q:  # closed and drained
                    return
            with self._lock:
                self._drain_locked()

    def _mark_durable(self) -> None:
        s = self.signer
        self._durable = (s.chain_seq, s.last_hash, self.count, self.first_ts, self.last_ts, dict(self.verdicts))

    def _drain_locked(self) -> None:
        """Under self._lock: sign and append everything queued, in queue order, with one
        write(2) per batch. Whoever holds the lock drains, so chain order is queue order."""
        with self._qcond:
            if not self._q:
                return
            batch = list(self._q)
            self._q.clear()
        rec = self.recorder
        self._mark_durable()
        start = self.count
        err: BaseException | None = None
        rec.hold()
        try:
            for ts, head, tail, verdict, transport, summary, _, _ in batch:
                if self.closed:
                    raise ReceiptError("receipt writer is closed")
                self._append_one(head, ts, tail, verdict, transport, summary)
            rec.release()
        except Exception as e:
            rec.drop()
            s = self.signer
            s.chain_seq, s.last_hash, self.count, self.first_ts, self.last_ts, self.verdicts = self._durable
            err = e if isinstance(e, ReceiptError) else \
                ReceiptError(f"cannot write receipt: {type(e).__name__}: {e}")
        ok = self.count - start
        failed = batch[ok:]
        trip = any(it[7] for it in failed)
        with self._qcond:
            if trip:
                self._error = self._error or ReceiptError(f"{len(failed)} queued receipt(s) not written: {err}")
                self._pending = 0
                self._q.clear()
            else:
                self._pending -= len(batch)
            self._qcond.notify_all()
        if failed and not trip:
            log.error("%d receipt(s) not written: %s", len(failed), err)
        if trip:  # nothing from the first failure on counts as written
            self.tickets.settle(batch[ok - 1][6] if ok else 0)
            self.tickets.failed(self._error)
        else:
            self.tickets.settle(batch[-1][6], {it[6]: err for it in failed} if failed else None)

    def flush(self, timeout: float = 30.0) -> None:
        """Wait until every receipt recorded so far is written; raises ReceiptError on a
        write failure or if that takes longer than `timeout`. No-op without a writer thread."""
        if self._worker is None:
            return
        deadline = time.monotonic() + timeout
        with self._qcond:
            while self._pending and self._error is None:
                left = deadline - time.monotonic()
                if left <= 0 or not self._worker.is_alive():
                    raise ReceiptError(f"receipts not written after {timeout} s")
                self._qcond.wait(min(left, 0.5))
            if self._error is not None:
                raise self._error

    def close(self, reason: str = "shutdown") -> None:
        """Drain the queue, flush and seal (transcript_root + signed checkpoint). Idempotent.
        With a writer thread, raises ReceiptError if any queued receipt could not be written."""
        if not self.closed:
            self._close_session(reason)  # session_close, when a session was opened
        if self._worker is not None:
            with self._qcond:
                self._qclosed = True  # no new receipts; the worker drains what is queued
                self._qcond.notify_all()
            self._worker.join(timeout=max(self._queue_wait_s, 1.0) * 4)
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self._stop.set()
            try:
                atexit.unregister(self.close)
            except Exception:  # pragma: no cover
                pass
            try:
                if self.count:
                    self.recorder.transcript_root(self.signer.chain_seq - 1, self.signer.last_hash,
                                                  self.count, self.first_ts, self.last_ts)
                    self.recorder.checkpoint()
            finally:
                self.recorder.close()
        if self._error is not None:
            raise self._error

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def policy_hash_of(config: Any) -> str:
    return "sha256:" + hashlib.sha256(config.model_dump_json().encode("utf-8")).hexdigest()


def open_writer(receipts_dir: str | None, signing_key: str | None, config: Any,
                session_id: str = "proxy") -> ReceiptWriter | NullWriter:
    """The writer transports call. No directory configured -> NullWriter."""
    rc = config.receipts
    directory = receipts_dir or rc.dir
    if not directory:
        return NullWriter()
    key = load_signing_key(signing_key or rc.signing_key)
    directory = os.path.expanduser(directory)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise ReceiptError(f"receipts dir {directory} is not a directory")
    try:
        os.makedirs(directory, mode=0o750, exist_ok=True)
    except OSError as e:
        raise ReceiptError(f"cannot create receipts dir {directory}: {e.strerror}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ReceiptError(f"receipts dir {directory} is not writable")
    return ReceiptWriter(directory, key, policy_hash=policy_hash_of(config), session_id=session_id,
                         fsync=rc.fsync, fsync_interval_ms=rc.fsync_interval_ms,
                         max_entries_per_file=rc.max_entries_per_file,
                         checkpoint_interval=rc.checkpoint_interval,
                         max_file_bytes=getattr(rc, "max_file_bytes", 64 << 20),
                         checkpoint_every_ms=getattr(rc, "checkpoint_every_ms", 1000),
                         queue_max=getattr(rc, "queue_max", 0),
                         intent_durability=getattr(rc, "intent_durability", "batch"))


__all__ = ["NullWriter", "ReceiptWriter", "open_writer", "uuid7", "safe_target", "policy_hash_of", "go_string"]
