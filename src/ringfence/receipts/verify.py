"""Offline verifier for receipts, receipt chains, flight-recorder logs and log directories.

Three outcomes (spec section 9): valid and sealed (exit 0), valid but the end is not
proven (exit 3, like Pipelock's Go verifier), invalid (exit 1). A single receipt file
has no end to prove: valid -> exit 0.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .capped import CappedReadError, read_capped
from .canonical import ACTION_RECORD, CanonError, encode_object, encode_raw, go_string, is_canonical_time
from .classify import ACTION_TYPES
from .jsonstrict import JsonError, loads, loads_with_spans
from .recorder import entry_hash

MAX_LINE = 1 << 20        # one evidence line; Pipelock receipts are ~1-2 KiB
MAX_SINGLE = 1 << 20      # a single .json receipt
VERDICT_BUCKETS = ("allow", "block", "warn", "ask", "strip", "forward", "redirect")
ENTRY_KEYS = frozenset({"v", "seq", "ts", "session_id", "trace_id", "type", "event_kind", "transport",
                        "summary", "detail", "raw_ref", "prev_hash", "hash"})
_ENVELOPE_KEYS = frozenset({"version", "action_record", "signature", "signer_key", "ext"})
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_FILE_RE = re.compile(r"^evidence-(.+)-(\d+)\.jsonl$")


@dataclass
class VerifyResult:
    valid: bool = False
    sealed: bool = False
    count: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    first_timestamp: str = ""
    last_timestamp: str = ""
    root_hash: str = ""
    final_seq: int | None = None
    error: str = ""
    broken_at_seq: int | None = None
    signer_key: str = ""
    mode: str = ""               # single | chain | directory
    tail: str = ""               # why the end is not proven (valid but unsealed)
    seal_expected: bool = False  # ringfence wrote it (or it has seals): an unsealed end is a failure
    files: int = 0
    entries: int = 0
    chains: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)   # evidence gaps (reported; integrity is above)
    roster: str = ""                                 # roster file the signers were checked against
    rotations: list[dict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 valid, 1 invalid. A log that should carry ringfence's seal (ringfence wrote it,
        or it has seal entries) but whose end is not sealed is a failure: a cut-off tail
        and a crash look the same. A plain v1 chain from another writer never had a seal:
        it verifies (exit 0), and the report says its end cannot be proven."""
        if not self.valid:
            return 1
        if self.mode == "single" or self.sealed:
            return 0
        return 1 if self.seal_expected else 0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        if self.mode != "directory":
            d.pop("chains")
        d["exit_code"] = self.exit_code
        return d


class _Fail(Exception):
    def __init__(self, msg: str, seq: int | None = None):
        super().__init__(msg)
        self.seq = seq


# --- one receipt -----------------------------------------------------------

def check_receipt(r: Any, pinned: str | None = None) -> bytes:
    """Verify one decoded receipt; returns its canonical bytes. Raises _Fail."""
    if not isinstance(r, dict):
        raise _Fail("receipt is not a JSON object")
    v = r.get("version")
    if type(v) is not int or v != 1:
        raise _Fail(f"unsupported receipt version {v!r} (expected 1)")
    rec = r.get("action_record")
    if not isinstance(rec, dict):
        raise _Fail("missing or invalid action_record")
    rv = rec.get("version")
    if type(rv) is not int or rv != 1:
        raise _Fail("unsupported action_record version")
    if not rec.get("action_id"):
        raise _Fail("invalid action record: action_id is required")
    at = rec.get("action_type")
    if not isinstance(at, str) or at not in ACTION_TYPES:
        raise _Fail(f"invalid action record: invalid action_type {at!r}")
    ts = rec.get("timestamp")
    if not ts:
        raise _Fail("invalid action record: timestamp is required")
    if not is_canonical_time(ts):
        raise _Fail(f"non-canonical timestamp {ts!r} (want Go RFC3339Nano in UTC, e.g. 2026-04-15T12:00:00Z)")
    for k in ("target", "verdict", "transport"):
        if not rec.get(k):
            raise _Fail(f"invalid action record: {k} is required")
    extra = r.keys() - _ENVELOPE_KEYS
    if extra:
        raise _Fail(f"unmarshal receipt: receipt carries unknown signed field(s): {sorted(extra)}")
    sig, key = r.get("signature", ""), r.get("signer_key", "")
    if not isinstance(sig, str) or not isinstance(key, str):
        raise _Fail("unmarshal receipt: signature and signer_key must be strings")
    try:
        rec_json = encode_object(rec, ACTION_RECORD, "action_record")
        ext = r.get("ext")
        ext_json = "" if ext is None or ext == {} or ext == [] or ext == "" else ',"ext":' + encode_raw(ext)
    except CanonError as e:
        raise _Fail(f"unmarshal receipt: {e}") from None
    rec_bytes = rec_json.encode("utf-8")
    canon = (f'{{"version":1,"action_record":{rec_json},"signature":{go_string(sig)},'
             f'"signer_key":{go_string(key)}{ext_json}}}').encode("utf-8")
    if not sig:
        raise _Fail("receipt has no signature")
    if not sig.startswith("ed25519:"):
        raise _Fail("invalid signature format: missing ed25519: prefix")
    if not key:
        raise _Fail("receipt has no signer_key")
    if pinned is not None and key != pinned:
        raise _Fail(f"signer_key {key} does not match expected key {pinned}")
    try:
        sig_b = bytes.fromhex(sig[8:])
        key_b = bytes.fromhex(key)
    except ValueError:
        raise _Fail("invalid signature or signer_key: not hex") from None
    if len(sig_b) != 64:
        raise _Fail(f"invalid signature length: got {len(sig_b)}, want 64")
    if len(key_b) != 32:
        raise _Fail(f"invalid signer_key length: got {len(key_b)}, want 32")
    try:
        Ed25519PublicKey.from_public_bytes(key_b).verify(sig_b, hashlib.sha256(rec_bytes).digest())
    except (InvalidSignature, ValueError):
        raise _Fail("signature verification failed") from None
    return canon


def _frame(b: bytes) -> bytes:
    return len(b).to_bytes(8, "big") + b


def g1_genesis(open_: dict) -> str:
    """The v1-full bound genesis of a session_open record."""
    def s(k):
        v = open_.get(k, "")
        return (v if isinstance(v, str) else "").encode("utf-8")
    hb = open_.get("heartbeat_seconds", 0)
    hb = hb if type(hb) is int and hb > 0 else 0
    f = _frame(b"pipelock.receipt.session_open.v1")
    for k in ("run_nonce", "open_nonce", "recorder_session", "policy_hash", "signer_key_epoch"):
        f += _frame(s(k))
    f += _frame(hb.to_bytes(8, "big"))
    for k in ("genesis_anchor_head", "genesis_anchor_log", "posture_capsule_sha256", "containment_nonce",
              "contained_uid"):
        f += _frame(s(k))
    return "g1:" + hashlib.sha256(f).hexdigest()


# --- chains ------------------------------------------------------------------

class _Chain:
    """Receipt-chain state plus recorder-entry state for one session."""

    def __init__(self, pinned: str | None):
        self.pinned = pinned
        self.key: str | None = pinned
        self.next_seq = 0
        self.last_hash = ""
        self.seen: set = set()
        self.count = 0
        self.verdicts: dict[str, int] = {}
        self.first_ts = self.last_ts = ""
        # recorder
        self.entry_seq: int | None = None
        self.entry_prev = "genesis"
        self.entries = 0
        self.recorder = False
        self.bare = False
        self.ringfence = False      # receipts signed by a ringfence writer (principal "ringfence")
        self.root_seen = False
        self.sealed_upto = -1       # last entry seq covered by a valid checkpoint
        self.last_entry_seq = -1
        self.last_was_root_seal = False
        self.session_id = ""
        from .gaps import Gaps
        self.gaps = Gaps()
        self.rotation: dict | None = None
        self.on_record = None

    def receipt(self, r: dict, canon: bytes | None = None) -> None:
        seq_hint = r.get("action_record", {}).get("chain_seq") if isinstance(r.get("action_record"), dict) \
            else None
        seq_hint = seq_hint if type(seq_hint) is int else self.next_seq
        if self.root_seen:
            raise _Fail(f"seq {seq_hint}: receipt after transcript_root (chain was already sealed)", seq_hint)
        try:
            c = check_receipt(r, self.pinned)
        except _Fail as e:
            raise _Fail(f"seq {seq_hint}: signature: {e}", seq_hint) from None
        if canon is not None and canon != c:
            raise _Fail(f"seq {seq_hint}: receipt bytes in the log are not canonical", seq_hint)
        rec = r["action_record"]
        if rec.get("principal") == "ringfence":
            self.ringfence = True
        key = r["signer_key"]
        if self.key is None:
            self.key = key
        elif key != self.key:
            raise _Fail(f"seq {seq_hint}: signer change: {key} != {self.key}", seq_hint)
        seq = rec["chain_seq"]
        if self.count and seq == 0 and not rec.get("key_transition"):
            raise _Fail("seq 0: unexpected seq 0 without a key_transition boundary", 0)
        if seq != self.next_seq:
            raise _Fail(f"seq gap: expected {self.next_seq}, got {seq}", self.next_seq)
        prev = rec["chain_prev_hash"]
        if self.count == 0:
            ok = prev == "genesis"
            if not ok and prev.startswith("g1:"):
                sc = rec.get("session_control") or {}
                op = sc.get("open") if isinstance(sc, dict) else None
                ok = isinstance(op, dict) and g1_genesis(op) == prev and op.get("genesis_hash", prev) == prev
            if not ok:
                raise _Fail(f"seq {seq}: chain_prev_hash mismatch (first receipt must start at genesis)", seq)
        elif prev != self.last_hash:
            raise _Fail(f"seq {seq}: chain_prev_hash mismatch", seq)
        ident = (rec["action_id"], rec.get("decision_phase", ""))
        if ident in self.seen:
            raise _Fail(f"seq {seq}: duplicate action_id {rec['action_id']!r} (replay)", seq)
        self.seen.add(ident)
        self.last_hash = hashlib.sha256(c).hexdigest()
        self.next_seq = seq + 1
        self.count += 1
        verdict = rec["verdict"]
        bucket = verdict if verdict in VERDICT_BUCKETS else "other"
        self.verdicts[bucket] = self.verdicts.get(bucket, 0) + 1
        self.first_ts = self.first_ts or rec["timestamp"]
        self.last_ts = rec["timestamp"]
        self.gaps.add(rec)
        if self.on_record is not None:
            self.on_record(rec, self.session_id)
        if rec.get("target") == "ringfence://key/rotate":
            from .rotation import check_rotation
            try:
                self.rotation = check_rotation(rec, key)
            except ValueError as e:
                raise _Fail(f"seq {seq}: {e}", seq) from None

    def entry(self, e: dict, raw_detail: str, line: str | None = None) -> None:
        extra = e.keys() - ENTRY_KEYS
        bad_seq = self.next_seq
        if extra:
            raise _Fail(f"entry carries unknown field(s): {sorted(extra)}", bad_seq)
        v, seq, ts, sid = e.get("v"), e.get("seq"), e.get("ts"), e.get("session_id")
        if type(v) is not int or v not in (1, 2):
            raise _Fail(f"unsupported entry version {v!r}", bad_seq)
        if type(seq) is not int or seq < 0:
            raise _Fail("entry seq missing or invalid", bad_seq)
        strs = {k: e.get(k, "") for k in ("trace_id", "type", "event_kind", "transport", "summary", "raw_ref",
                                           "prev_hash", "hash")}
        if not all(isinstance(x, str) for x in strs.values()) or not isinstance(sid, str):
            raise _Fail(f"entry {seq}: string field has the wrong type", bad_seq)
        if not is_canonical_time(ts):
            raise _Fail(f"entry {seq}: non-canonical timestamp {ts!r}", bad_seq)
        if self.entry_seq is None:
            if strs["prev_hash"] != "genesis":
                raise _Fail(f"entry {seq}: log starts mid-chain (prev_hash is not genesis); "
                            "verify the whole directory", bad_seq)
            self.session_id = sid
        else:
            if seq != self.entry_seq + 1:
                raise _Fail(f"entry seq gap: expected {self.entry_seq + 1}, got {seq} (missing or reordered "
                            "lines)", bad_seq)
            if strs["prev_hash"] != self.entry_prev:
                raise _Fail(f"entry {seq}: prev_hash mismatch (missing or reordered lines)", bad_seq)
            if sid != self.session_id:
                raise _Fail(f"entry {seq}: session_id changed mid-log", bad_seq)
        if line is not None and line != _entry_line(e, raw_detail):
            raise _Fail(f"entry {seq}: line is not in canonical form (edited?)", bad_seq)
        h = entry_hash(v, seq, ts, sid, strs["trace_id"], strs["type"], strs["event_kind"], strs["transport"],
                       strs["summary"], raw_detail, strs["raw_ref"], strs["prev_hash"])
        if h != strs["hash"]:
            if strs["type"] == "action_receipt":
                try:  # a more telling reason first: was the receipt itself edited?
                    check_receipt(e.get("detail"), self.pinned)
                except _Fail as err:
                    raise _Fail(f"seq {bad_seq}: signature: {err}", bad_seq) from None
            raise _Fail(f"entry {seq}: entry hash mismatch", bad_seq)
        self.entry_seq, self.entry_prev = seq, h
        self.entries += 1
        self.last_entry_seq = seq
        etype, detail = strs["type"], e.get("detail")
        self.last_was_root_seal = False
        if etype == "action_receipt":
            self.receipt(detail, raw_detail.encode("utf-8"))
        elif etype == "checkpoint":
            self._checkpoint(seq, detail, strs["prev_hash"])
        elif etype == "transcript_root":
            self._transcript_root(seq, detail, sid)
        # other entry types (evidence_receipt, decision, ...) are hash-checked and skipped

    def _checkpoint(self, seq: int, d: Any, prev_hash: str) -> None:
        if not isinstance(d, dict) or set(d) != {"entry_count", "first_seq", "last_seq", "signature"}:
            raise _Fail(f"entry {seq}: bad seal: malformed checkpoint", self.next_seq)
        first, last, n, sig = d["first_seq"], d["last_seq"], d["entry_count"], d["signature"]
        if not all(type(x) is int for x in (first, last, n)) or last != seq - 1 or first > last \
                or n != last - first + 1:
            raise _Fail(f"entry {seq}: bad seal: checkpoint range does not match the log", self.next_seq)
        if self.key is None:
            raise _Fail(f"entry {seq}: bad seal: checkpoint before any receipt and no --key", self.next_seq)
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.key)).verify(
                bytes.fromhex(sig), prev_hash.encode("ascii"))
        except (InvalidSignature, ValueError, TypeError):
            raise _Fail(f"entry {seq}: bad seal: checkpoint signature does not verify", self.next_seq) from None
        self.sealed_upto = seq
        self.last_was_root_seal = self.root_seen

    def _transcript_root(self, seq: int, d: Any, sid: str) -> None:
        want = {"session_id": sid, "final_seq": self.next_seq - 1, "root_hash": self.last_hash,
                "receipt_count": self.count, "start_time": self.first_ts, "end_time": self.last_ts}
        if self.root_seen:
            raise _Fail(f"entry {seq}: bad seal: second transcript_root", self.next_seq)
        if not isinstance(d, dict) or d != want:
            raise _Fail(f"entry {seq}: bad seal: transcript_root does not match the receipts before it",
                        self.next_seq)
        self.root_seen = True

    def sealed(self) -> tuple[bool, str]:
        if self.bare or not self.recorder:
            return False, "bare receipts carry no seal; the end of the chain is not proven"
        if self.sealed_upto < 0:
            return False, "no signed checkpoint or transcript_root: the end of the log is not proven"
        if self.sealed_upto < self.last_entry_seq:
            n = self.last_entry_seq - self.sealed_upto
            return False, f"unsealed tail: {n} entr{'y' if n == 1 else 'ies'} after the last signed checkpoint"
        if not self.last_was_root_seal:
            return False, "no final seal (transcript_root): the run was not closed, the end is not proven"
        return True, ""


_ENTRY_ORDER = ("v", "seq", "ts", "session_id", "trace_id", "type", "event_kind", "transport", "summary",
                "detail", "raw_ref", "prev_hash", "hash")
_ENTRY_OM = frozenset({"trace_id", "event_kind", "raw_ref"})


def _entry_line(e: dict, raw_detail: str) -> str:
    """The entry as Go writes it: fixed key order, compact, Go string escaping."""
    parts = []
    for k in _ENTRY_ORDER:
        if k not in e or (k in _ENTRY_OM and not e[k]):
            continue
        v = e[k]
        if k == "detail":
            enc = raw_detail
        elif type(v) is int:
            enc = str(v)
        else:
            enc = go_string(v)
        parts.append(f'"{k}":{enc}')
    return "{" + ",".join(parts) + "}"


def _iter_lines(path: str) -> Iterator[tuple[int, str | None, bool]]:
    """(line number, text or None if not UTF-8, complete?) for each non-empty line."""
    with open(path, "rb") as f:
        n = 0
        while True:
            raw = f.readline(MAX_LINE + 1)
            if not raw:
                return
            n += 1
            complete = raw.endswith(b"\n")
            if len(raw) > MAX_LINE and not complete:
                raise _Fail(f"line {n}: longer than {MAX_LINE} bytes")
            body = raw[:-1] if complete else raw
            try:
                yield n, body.decode("utf-8"), complete
            except UnicodeDecodeError:
                yield n, None, complete


def _feed_file(chain: _Chain, path: str, last_file: bool, res: VerifyResult) -> None:
    m = _FILE_RE.match(os.path.basename(path))
    want_first = int(m.group(2)) if m else None
    for n, text, complete in _iter_lines(path):
        if not complete:
            # Only the very end of the log may be torn (crash mid-write): ignore it, never trust it.
            if last_file:
                chain.torn = f"the final line ({os.path.basename(path)} line {n}) is incomplete " \
                             "(torn write or cut tail) and was ignored"
                return
            raise _Fail(f"{os.path.basename(path)} line {n}: incomplete line in the middle of the log",
                        chain.next_seq)
        if text is None:
            raise _Fail(f"line {n}: not valid UTF-8", chain.next_seq)
        if not text.strip() or text.endswith("\r"):
            # The writer never makes these; accepting them would let bytes change unnoticed.
            raise _Fail(f"parsing JSONL: line {n}: {'empty line' if not text.strip() else 'CR line ending'}",
                        chain.next_seq)
        try:
            obj, spans = loads_with_spans(text)
        except JsonError as e:
            raise _Fail(f"parsing JSONL: line {n}: {e}", chain.next_seq) from None
        if "type" in obj and "detail" in obj:
            if chain.bare:
                raise _Fail(f"line {n}: mixes recorder entries and bare receipts", chain.next_seq)
            chain.recorder = True
            if want_first is not None and obj.get("seq") != want_first:
                raise _Fail(f"{os.path.basename(path)}: first entry has seq {obj.get('seq')!r}, but the file "
                            f"name says {want_first}", chain.next_seq)
            want_first = None
            s, e = spans["detail"]
            chain.entry(obj, text[s:e], text)
        elif "action_record" in obj or ("version" in obj and "signature" in obj):
            if chain.recorder:
                raise _Fail(f"line {n}: mixes recorder entries and bare receipts", chain.next_seq)
            chain.bare = True
            chain.receipt(obj, text.encode("utf-8"))
        else:
            raise _Fail(f"parsing JSONL: line {n}: unrecognized JSONL line: not a receipt or "
                        "flight-recorder entry", chain.next_seq)


def _finish(chain: _Chain, res: VerifyResult) -> None:
    res.count += chain.count
    for k, v in chain.verdicts.items():
        res.verdicts[k] = res.verdicts.get(k, 0) + v
    if chain.first_ts and (not res.first_timestamp or chain.first_ts < res.first_timestamp):
        res.first_timestamp = chain.first_ts
    if chain.last_ts and chain.last_ts >= res.last_timestamp:
        res.last_timestamp = chain.last_ts
        res.root_hash = chain.last_hash
        res.final_seq = chain.next_seq - 1 if chain.count else None
    res.signer_key = res.signer_key or (chain.key or "")
    res.entries += chain.entries


def _run_chain(paths: list[str], pinned: str | None, res: VerifyResult, roster: Any = None,
               on_record: Any = None) -> dict:
    chain = _Chain(pinned)
    chain.on_record = on_record
    chain.torn = ""
    info: dict[str, Any] = {"files": [os.path.basename(p) for p in paths]}
    try:
        for i, p in enumerate(paths):
            if os.path.basename(p).startswith("evidence-"):
                m = _FILE_RE.match(os.path.basename(p))
                if m and chain.entry_seq is not None and int(m.group(2)) != chain.entry_seq + 1:
                    raise _Fail(f"{os.path.basename(p)}: file does not continue the log (expected seq "
                                f"{chain.entry_seq + 1}); a rotated file is missing", chain.next_seq)
            _feed_file(chain, p, i == len(paths) - 1, res)
            if chain.torn:
                break
        if chain.count == 0:
            raise _Fail(f"no receipts found in {', '.join(info['files'])}")
        sealed, why = chain.sealed()
        if chain.torn:
            sealed, why = False, chain.torn + "; " + (why or "the end of the log is not proven")
        info.update(valid=True, sealed=sealed, tail=why,
                    must_seal=chain.ringfence or chain.sealed_upto >= 0 or chain.root_seen)
    except _Fail as e:
        info.update(valid=False, sealed=False, error=str(e), broken_at_seq=e.seq)
    except OSError as e:
        info.update(valid=False, sealed=False, error=f"cannot read: {e.strerror or e}", broken_at_seq=None)
    _finish(chain, res)
    info.update(count=chain.count, root_hash=chain.last_hash, session_id=chain.session_id,
                signer_key=chain.key or "", first_timestamp=chain.first_ts, last_timestamp=chain.last_ts,
                gaps=chain.gaps.report(), rotation=chain.rotation)
    if info.get("valid") and roster is not None and chain.count:
        why = roster.check(chain.key or "", chain.first_ts, chain.last_ts)
        if why:
            info.update(valid=False, sealed=False, error="roster: " + why, broken_at_seq=0)
    return info


def _normalize_key(key_hex: str | None) -> str | None:
    if key_hex is None:
        return None
    from .keys import load_public_key
    return load_public_key(key_hex).hex()


def verify_path(path: str, key_hex: str | None = None, roster: Any = None) -> VerifyResult:
    """Verify a receipt file, a JSONL log, or a directory of evidence logs.

    `key_hex` pins the signer (64 hex, or a public key file). `roster` (a Roster, or a
    roster file path) accepts the keys it lists, each within its validity window.
    Raises ReceiptError for a bad key or roster; everything wrong with the evidence
    itself is reported in the result."""
    pinned = _normalize_key(key_hex)
    if isinstance(roster, str):
        from .roster import load_roster
        roster = load_roster(roster)
    res = VerifyResult()
    res.roster = roster.path if roster is not None else ""
    if os.path.isdir(path):
        res.mode = "directory"
        return _verify_dir(path, pinned, res, roster)
    if not os.path.exists(path):
        res.error = f"no such file: {path}"
        return res
    if path.endswith(".jsonl"):
        res.mode = "chain"
        res.files = 1
        info = _run_chain([path], pinned, res, roster)
        _apply(res, [info])
        return res
    res.mode = "single"
    res.files = 1
    _verify_single(path, pinned, res)
    if res.valid and roster is not None:
        why = roster.check(res.signer_key, res.first_timestamp, res.last_timestamp)
        if why:
            res.valid, res.error = False, "roster: " + why
    return res


def _apply(res: VerifyResult, infos: list[dict]) -> None:
    for i in infos:
        for g in i.get("gaps") or ():
            res.gaps.append({**g, "session": i.get("session_id", "")})
        if i.get("rotation"):
            res.rotations.append({"session": i.get("session_id", ""), **i["rotation"]})
    _link_rotations(res, infos)
    bad = next((i for i in infos if not i["valid"]), None)
    if bad is not None:
        res.valid = False
        res.error = bad["error"] if len(infos) == 1 else f"{bad['files'][0]}: {bad['error']}"
        res.broken_at_seq = bad.get("broken_at_seq")
        return
    res.valid = True
    res.sealed = all(i["sealed"] for i in infos)
    res.seal_expected = any(i.get("must_seal") for i in infos if not i["sealed"])
    res.tail = "; ".join(i["tail"] for i in infos if i["tail"])


def _verify_single(path: str, pinned: str | None, res: VerifyResult) -> VerifyResult:
    try:
        raw = read_capped(path, MAX_SINGLE)
    except CappedReadError as e:
        res.error = f"{path}: {e}; not a single receipt" if e.too_large else f"{path}: {e}"
        return res
    if not raw.strip():
        res.error = f"{path} is empty"
        return res
    try:
        obj = loads(raw.decode("utf-8"))
        canon = check_receipt(obj, pinned)
    except UnicodeDecodeError:
        res.error = "parsing receipt: not valid UTF-8"
        return res
    except JsonError as e:
        res.error = f"parsing receipt: {e}"
        return res
    except _Fail as e:
        res.error = str(e)
        seq = obj.get("action_record", {}).get("chain_seq") if isinstance(obj, dict) and \
            isinstance(obj.get("action_record"), dict) else None
        res.broken_at_seq = seq if type(seq) is int else None
        return res
    rec = obj["action_record"]
    res.valid = True
    res.count = 1
    v = rec["verdict"]
    res.verdicts = {v if v in VERDICT_BUCKETS else "other": 1}
    res.first_timestamp = res.last_timestamp = rec["timestamp"]
    res.root_hash = hashlib.sha256(canon).hexdigest()
    res.final_seq = rec["chain_seq"]
    res.signer_key = obj["signer_key"]
    res.tail = "a single receipt proves itself, not the completeness of any log"
    return res


def list_logs(directory: str) -> dict[str, list[str]]:
    """evidence-<session>-<seq>.jsonl files grouped by session, ordered by numeric seq."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for name in os.listdir(directory):
        m = _FILE_RE.match(name)
        if m:
            groups.setdefault(m.group(1), []).append((int(m.group(2)), os.path.join(directory, name)))
    return {s: [p for _, p in sorted(v)] for s, v in sorted(groups.items())}


def _link_rotations(res: VerifyResult, infos: list[dict]) -> None:
    """A rotation segment names the old chain's head: check it when that chain is here."""
    by_sid = {i.get("session_id"): i for i in infos}
    for rot in res.rotations:
        prior = by_sid.get(rot.get("prior_session"))
        if prior is None:
            rot["linked"] = "prior chain not among the verified logs"
            continue
        if prior.get("root_hash") != rot.get("prior_hash") or prior.get("signer_key") != rot.get("prior_key"):
            bad = by_sid.get(rot.get("session"))
            if bad is not None and bad["valid"]:
                bad.update(valid=False, sealed=False, broken_at_seq=0,
                           error="key rotation does not link to the head of its prior chain "
                                 f"{rot.get('prior_session')} (hash or key differ)")
            rot["linked"] = "MISMATCH"
        else:
            rot["linked"] = "yes"


def _verify_dir(directory: str, pinned: str | None, res: VerifyResult, roster: Any = None) -> VerifyResult:
    try:
        groups = list_logs(directory)
    except OSError as e:
        res.error = f"cannot list {directory}: {e.strerror}"
        return res
    if not groups:
        res.error = f"no evidence-<session>-<seq>.jsonl logs in {directory}"
        return res
    infos = []
    for sid, paths in groups.items():
        res.files += len(paths)
        info = _run_chain(paths, pinned, res, roster)
        info["session"] = sid
        infos.append(info)
    res.chains = infos
    _apply(res, infos)
    return res


def format_human(path: str, r: VerifyResult) -> str:
    if not r.valid:
        lines = [f"INVALID: {path}", f"  Error:     {r.error}"]
        if r.broken_at_seq is not None:
            lines.append(f"  Broke at:  seq {r.broken_at_seq}")
        if r.count and r.mode == "chain":
            lines.append(f"  Verified before the failure: {r.count} receipts")
        return "\n".join(lines)
    if r.mode == "single":
        head = f"VALID (single receipt): {path}"
    elif r.sealed:
        head = f"VALID AND SEALED: {path}"
    else:
        head = (f"INVALID: THE END IS NOT PROVEN (unsealed tail: a crash or a cut-off log); "
                f"the receipts below verify: {path}" if r.seal_expected else
                f"VALID (plain v1 chain without a seal: its end cannot be proven): {path}")
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(r.verdicts.items()))
    lines = [head, f"  Receipts:  {r.count}" + (f" in {r.files} files" if r.files > 1 else ""),
             f"  Verdicts:  {verdicts}", f"  First:     {r.first_timestamp}", f"  Last:      {r.last_timestamp}",
             f"  Final seq: {r.final_seq}", f"  Root hash: {r.root_hash}", f"  Signer:    {r.signer_key}"]
    if r.mode != "single":
        lines.append(f"  Sealed:    {'yes' if r.sealed else 'NO: ' + r.tail}")
    if r.mode == "directory" and len(r.chains) > 1:
        lines.append(f"  Chains:    {len(r.chains)} runs, each verified on its own")
    if r.roster:
        lines.append(f"  Roster:    every signer listed and within its validity window ({r.roster})")
    for rot in r.rotations:
        lines.append(f"  Rotation:  {rot.get('prior_key', '')[:16]}... -> {rot.get('new_key', '')[:16]}... "
                     f"endorsed by both keys; linked to prior chain: {rot.get('linked', '?')}")
    from .gaps import describe
    for g in r.gaps:
        lines.append(f"  Gap:       {describe(g)}" + (f" [{g['session']}]" if g.get("session") else ""))
    return "\n".join(lines)
