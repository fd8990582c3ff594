"""Read and verify evidence logs in one pass, feeding each record to a Digest.

Fast path: ringfence's own recorder files (v1 entries in the writer's exact byte form) are
checked file by file in worker processes: entry form, entry hashes and links, Ed25519
signatures over the raw signed bytes, chain_seq and chain_prev_hash, checkpoint
signatures, the transcript_root seal. The parent stitches files and sessions together
(links across rotation, seal coverage, roster windows). Anything not in that exact form
(Pipelock v2 entries, bare receipts, edited key order) goes through the strict verifier
(verify.py), with the same digest. Either way the result says valid-and-sealed or
exactly what failed, per log. Memory is bounded: digests keep counters and capped rows.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import orjson

from . import digest as dg
from .canonical import _TS_CANON, ACTION_RECORD, go_string_memo, is_canonical_time
from .classify import ACTION_TYPES
from .gaps import Gaps
from .verify import _FILE_RE, VerifyResult, _run_chain, list_logs

_sha = hashlib.sha256
_REC_KEYS = frozenset(k for k, _, _ in ACTION_RECORD)
_ENTRY_KEYS = frozenset({"v", "seq", "ts", "session_id", "type", "transport", "summary", "detail", "prev_hash",
                         "hash"})
_HEAD = b'{"version":1,"action_record":'
_SIG_TAIL = len(',"signature":"ed25519:') + 128 + len('","signer_key":"') + 64 + 2


_good_second = [""]


def _canon_time(ts: Any) -> bool:
    """is_canonical_time, with the date check done once per second of timestamps."""
    if type(ts) is not str or not _TS_CANON.match(ts):
        return False
    if ts[:19] == _good_second[0]:
        return True
    ok = is_canonical_time(ts)
    if ok:
        _good_second[0] = ts[:19]
    return ok


class _Fallback(Exception):
    pass


class _Bad(Exception):
    def __init__(self, msg: str, seq: int | None):
        super().__init__(msg)
        self.seq = seq


def scan_file(path: str, every_signature: bool = False) -> dict[str, Any]:
    """Verify one recorder file on its own; return its boundary state, digest and gap partials.

    A receipt covered by a signed checkpoint is authenticated through it: the checkpoint's
    Ed25519 signature covers the entry-chain head, and each entry hash covers the receipt's
    exact bytes, so one signature check stands for up to checkpoint_interval receipts.
    Receipts after the last checkpoint (and all of them with every_signature) are checked
    one by one."""
    from .fastsign import fast_verifier
    verify_sig = fast_verifier()
    out: dict[str, Any] = {"path": path, "error": "", "seq": None, "fallback": "", "torn": ""}
    dig = dg.Digest()
    gaps = Gaps()
    gaps_session: list[dict] = []
    unmatched: list[str] = []
    orig_session, orig_add = gaps._session, gaps.add

    def gsession(rec: dict) -> None:
        gaps_session.append({k: rec.get(k, "") for k in ("pattern", "timestamp", "intent", "action_id")})

    def gadd(rec: dict) -> None:
        phase = rec.get("decision_phase")
        if (rec.get("layer") == "outcome" or phase == "outcome") and rec.get("transport") != "receipt_session":
            rid = rec.get("action_id", "") if phase == "outcome" else rec.get("request_id", "")
            if gaps.open.pop(rid, None) is None:
                unmatched.append(rid)
            gaps.outcomes += 1
            return
        orig_add(rec)
    gaps._session = gsession  # session events are replayed in order by the parent
    gaps.add = gadd
    del orig_session
    st = {"e_first": None, "e_prev0": None, "e_last": None, "e_hash": None, "r_first": None, "r_prev0": None,
          "r_next": None, "r_hash": "", "key": "", "count": 0, "first_ts": "", "last_ts": "", "verdicts": {},
          "sealed_upto": -1, "last_entry": -1, "root": None, "root_at": None, "after_root": 0,
          "last_was_root_seal": False, "deferred_ckpt": [], "session": "", "rotation": None}
    try:
        _scan_lines(path, st, dig, gaps, verify_sig, out, every_signature)
    except _Fallback as e:
        out["fallback"] = str(e) or "not in the fast form"
    except _Bad as e:
        out["error"], out["seq"] = str(e), e.seq
    except OSError as e:
        out["error"] = f"cannot read {os.path.basename(path)}: {e.strerror or e}"
    out.update(st)
    out["digest"] = dig.d
    out["open_intents"] = list(gaps.open.items())
    out["intents"] = gaps.intents
    out["unmatched"] = unmatched[:1000]
    out["session_events"] = gaps_session
    return out


def _scan_lines(path: str, st: dict, dig: dg.Digest, gaps: Gaps, verify_sig: Any, out: dict,
                every_signature: bool) -> None:
    gs = go_string_memo
    pending: list[tuple[int, bytes, bytes]] = []   # receipts not yet covered by a checked checkpoint
    st["sig_checked"] = st["sig_by_checkpoint"] = 0
    m = _FILE_RE.match(os.path.basename(path))
    want_first = int(m.group(2)) if m else None
    e_prev = None
    r_next = None
    r_hash = ""
    key = ""
    key_b = b""
    n = 0
    with open(path, "rb") as f:
        for line in f:
            n += 1
            if not line.endswith(b"\n"):
                out["torn"] = f"{os.path.basename(path)} line {n} is incomplete (torn write or cut tail)"
                break
            line = line[:-1]
            try:
                e = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise _Fallback("not JSON") from None
            if type(e) is not dict or e.keys() != _ENTRY_KEYS or e["v"] != 1:
                raise _Fallback("not a v1 ringfence entry")
            seq, ts, sid, etype = e["seq"], e["ts"], e["session_id"], e["type"]
            prev, h = e["prev_hash"], e["hash"]
            if type(seq) is not int or type(prev) is not str or type(h) is not str or type(sid) is not str:
                raise _Fallback("entry field types")
            start = line.find(b',"detail":') + 10
            tail = f',"prev_hash":"{prev}","hash":"{h}"}}'.encode()
            if start < 10 or not line.endswith(tail):
                raise _Fallback("entry layout")
            head = (f'{{"v":1,"seq":{seq},"ts":"{ts}","session_id":{gs(sid)},"type":"{etype}",'
                    f'"transport":{gs(e["transport"])},"summary":{gs(e["summary"])},"detail":').encode()
            if line[:start] != head:
                raise _Fallback("entry bytes are not in the writer's form")
            detail = line[start:len(line) - len(tail)]
            if not _canon_time(ts):
                raise _Bad(f"entry {seq}: non-canonical timestamp {ts!r}", r_next)
            if e_prev is None:
                st["e_first"], st["e_prev0"], st["session"] = seq, prev, sid
                if want_first is not None and seq != want_first:
                    raise _Bad(f"{os.path.basename(path)}: first entry has seq {seq}, but the file name says "
                               f"{want_first}", r_next)
            else:
                if seq != st["e_last"] + 1:
                    raise _Bad(f"entry seq gap: expected {st['e_last'] + 1}, got {seq} (missing or reordered lines)",
                               r_next)
                if prev != e_prev:
                    raise _Bad(f"entry {seq}: prev_hash mismatch (missing or reordered lines)", r_next)
                if sid != st["session"]:
                    raise _Bad(f"entry {seq}: session_id changed mid-log", r_next)
            calc = _sha(f'1\x00{seq}\x00{ts}\x00{sid}\x00\x00{etype}\x00{e["transport"]}\x00{e["summary"]}\x00'
                        .encode() + detail + f'\x00\x00{prev}'.encode()).hexdigest()
            if calc != h:
                raise _Bad(f"entry {seq}: entry hash mismatch (edited line)", r_next)
            e_prev = h
            st["e_last"], st["last_entry"] = seq, seq
            st["last_was_root_seal"] = False
            if etype == "action_receipt":
                if st["root"] is not None:
                    raise _Bad(f"seq {r_next}: receipt after transcript_root (chain was already sealed)", r_next)
                r = e["detail"]
                if not detail.startswith(_HEAD) or len(detail) < len(_HEAD) + _SIG_TAIL:
                    raise _Fallback("receipt layout")
                st_tail = detail[-_SIG_TAIL:]
                if not (st_tail.startswith(b',"signature":"ed25519:') and st_tail[150:166] == b'","signer_key":"'
                        and st_tail.endswith(b'"}')) or r.keys() != {"version", "action_record", "signature",
                                                                         "signer_key"}:
                    raise _Fallback("receipt layout")
                rec = r["action_record"]
                rseq = rec.get("chain_seq") if type(rec) is dict else None
                if type(rseq) is not int:
                    raise _Bad(f"seq {r_next}: missing or invalid action_record", r_next)
                if key and r["signer_key"] != key:
                    raise _Bad(f"seq {rseq}: signer change: {r['signer_key']} != {key}", rseq)
                if not key:
                    key = r["signer_key"]
                    try:
                        key_b = bytes.fromhex(key)
                    except ValueError:
                        raise _Bad(f"seq {rseq}: signature: invalid signer_key", rseq) from None
                    st["key"] = key
                try:
                    sig = bytes.fromhex(r["signature"][8:])
                except ValueError:
                    raise _Bad(f"seq {rseq}: signature: not hex", rseq) from None
                body = detail[len(_HEAD):-_SIG_TAIL]
                if every_signature:
                    if not verify_sig(sig, _sha(body).digest(), key_b):
                        raise _Bad(f"seq {rseq}: signature: signature verification failed", rseq)
                    st["sig_checked"] += 1
                else:
                    pending.append((rseq, sig, _sha(body).digest()))
                _check_record(rec, rseq)
                if r_next is None:
                    st["r_first"], st["r_prev0"] = rseq, rec["chain_prev_hash"]
                else:
                    if rseq != r_next:
                        raise _Bad(f"seq gap: expected {r_next}, got {rseq}", r_next)
                    if rec["chain_prev_hash"] != r_hash:
                        raise _Bad(f"seq {rseq}: chain_prev_hash mismatch", rseq)
                r_hash = _sha(detail).hexdigest()
                r_next = rseq + 1
                st["count"] += 1
                v = rec["verdict"]
                st["verdicts"][v] = st["verdicts"].get(v, 0) + 1
                st["first_ts"] = st["first_ts"] or rec["timestamp"]
                st["last_ts"] = rec["timestamp"]
                dig.add(rec, sid)
                gaps.add(rec)
                if rec["target"] == "ringfence://key/rotate":
                    from .rotation import check_rotation
                    try:
                        st["rotation"] = check_rotation(rec, key)
                    except ValueError as err:
                        raise _Bad(f"seq {rseq}: {err}", rseq) from None
            elif etype == "checkpoint":
                d = e["detail"]
                if type(d) is not dict or d.keys() != {"entry_count", "first_seq", "last_seq", "signature"}:
                    raise _Bad(f"entry {seq}: bad seal: malformed checkpoint", r_next)
                first, last, cnt = d["first_seq"], d["last_seq"], d["entry_count"]
                if not all(type(x) is int for x in (first, last, cnt)) or last != seq - 1 or first > last \
                        or cnt != last - first + 1:
                    raise _Bad(f"entry {seq}: bad seal: checkpoint range does not match the log", r_next)
                try:
                    csig = bytes.fromhex(d["signature"])
                except (ValueError, TypeError):
                    raise _Bad(f"entry {seq}: bad seal: checkpoint signature is not hex", r_next) from None
                if not key_b:
                    st["deferred_ckpt"].append((seq, prev, d["signature"]))
                elif not verify_sig(csig, prev.encode("ascii"), key_b):
                    raise _Bad(f"entry {seq}: bad seal: checkpoint signature does not verify", r_next)
                else:
                    st["sig_by_checkpoint"] += len(pending)
                    pending.clear()
                st["sealed_upto"] = seq
                st["last_was_root_seal"] = st["root"] is not None
            elif etype == "transcript_root":
                if st["root"] is not None:
                    raise _Bad(f"entry {seq}: bad seal: second transcript_root", r_next)
                st["root"] = e["detail"]
                st["root_at"] = {"count": st["count"], "hash": r_hash, "next": r_next, "last_ts": st["last_ts"],
                                 "first_ts": st["first_ts"]}
            # other entry types are hash-checked and skipped
    for rseq, sig, digest in pending:  # the unsealed tail: each receipt on its own signature
        if not verify_sig(sig, digest, key_b):
            raise _Bad(f"seq {rseq}: signature: signature verification failed", rseq)
        st["sig_checked"] += 1
    st["e_hash"], st["r_next"], st["r_hash"] = e_prev, r_next, r_hash


def _check_record(rec: dict, seq: int) -> None:
    if rec.keys() - _REC_KEYS:
        raise _Bad(f"seq {seq}: signature: unmarshal receipt: action_record carries unknown signed field(s): "
                   f"{sorted(rec.keys() - _REC_KEYS)}", seq)
    if rec.get("version") != 1 or not rec.get("action_id") or rec.get("action_type") not in ACTION_TYPES:
        raise _Bad(f"seq {seq}: signature: invalid action record", seq)
    if not _canon_time(rec.get("timestamp")):
        raise _Bad(f"seq {seq}: non-canonical timestamp {rec.get('timestamp')!r}", seq)
    for k in ("target", "verdict", "transport"):
        if not rec.get(k) or type(rec[k]) is not str:
            raise _Bad(f"seq {seq}: signature: invalid action record: {k} is required", seq)
    if type(rec.get("chain_prev_hash")) is not str:
        raise _Bad(f"seq {seq}: invalid chain_prev_hash", seq)


# --- stitching ----------------------------------------------------------------

def _stitch(session: str, parts: list[dict], pinned: str | None, roster: Any) -> dict[str, Any]:
    """One session's file results -> its verification result, digest and gaps."""
    info: dict[str, Any] = {"session": session, "files": [os.path.basename(p["path"]) for p in parts],
                            "valid": True, "sealed": False, "error": "", "broken_at_seq": None, "tail": ""}
    dig = dg.new()
    gaps = Gaps()
    prev = None
    count, verdicts, first_ts, last_ts, key = 0, {}, "", "", ""
    root = None
    try:
        for i, p in enumerate(parts):
            name = os.path.basename(p["path"])
            if p["error"]:
                raise _Bad(f"{name}: {p['error']}", p["seq"])
            if p["torn"] and i != len(parts) - 1:
                raise _Bad(f"{name}: incomplete line in the middle of the log", p["r_next"])
            if p["e_first"] is None:
                if p["torn"]:
                    break
                raise _Bad(f"{name}: empty evidence file", None)
            if prev is None:
                if p["e_prev0"] != "genesis":
                    raise _Bad(f"{name}: log starts mid-chain (prev_hash is not genesis); verify the whole "
                               "directory", None)
            else:
                if p["e_first"] != prev["e_last"] + 1:
                    raise _Bad(f"{name}: file does not continue the log (expected seq {prev['e_last'] + 1}); "
                               "a rotated file is missing", prev["r_next"])
                if p["e_prev0"] != prev["e_hash"]:
                    raise _Bad(f"{name}: first entry does not link to the previous file", prev["r_next"])
                if p["session"] != prev["session"]:
                    raise _Bad(f"{name}: session_id changed mid-log", prev["r_next"])
            if p["key"]:
                if pinned and p["key"] != pinned:
                    raise _Bad(f"seq {p['r_first']}: signature: signer_key {p['key']} does not match expected key "
                               f"{pinned}", p["r_first"])
                if key and p["key"] != key:
                    raise _Bad(f"seq {p['r_first']}: signer change: {p['key']} != {key}", p["r_first"])
                key = p["key"]
            if p["r_first"] is not None:
                want_next = prev_r_next = None
                for q in reversed(parts[:i]):
                    if q["r_next"] is not None:
                        want_next, prev_r_next = q["r_next"], q
                        break
                if want_next is None:
                    if p["r_first"] != 0 or p["r_prev0"] != "genesis":
                        raise _Bad(f"seq {p['r_first']}: chain_prev_hash mismatch (first receipt must start at "
                                   "genesis)", p["r_first"])
                else:
                    if p["r_first"] != want_next:
                        raise _Bad(f"seq gap: expected {want_next}, got {p['r_first']}", want_next)
                    if p["r_prev0"] != prev_r_next["r_hash"]:
                        raise _Bad(f"seq {p['r_first']}: chain_prev_hash mismatch", p["r_first"])
            for seq, ph, sig in p["deferred_ckpt"]:
                from .fastsign import fast_verifier
                if not key or not fast_verifier()(bytes.fromhex(sig), ph.encode("ascii"), bytes.fromhex(key)):
                    raise _Bad(f"entry {seq}: bad seal: checkpoint signature does not verify", None)
            if p["root"] is not None:
                at = p["root_at"]
                want = {"session_id": p["session"], "final_seq": at["next"] - 1 if at["next"] is not None else -1,
                        "root_hash": at["hash"], "receipt_count": count + at["count"],
                        "start_time": first_ts or at["first_ts"], "end_time": at["last_ts"] or last_ts}
                if p["root"] != want:
                    raise _Bad("bad seal: transcript_root does not match the receipts before it", at["next"])
                root = p["root"]
            if root is not None and i > 0 and parts[i - 1]["root"] is not None and p["count"]:
                raise _Bad("receipt after transcript_root (chain was already sealed)", p["r_first"])
            count += p["count"]
            info["sig_checked"] = info.get("sig_checked", 0) + p.get("sig_checked", 0)
            info["sig_by_checkpoint"] = info.get("sig_by_checkpoint", 0) + p.get("sig_by_checkpoint", 0)
            for v, k in p["verdicts"].items():
                verdicts[v] = verdicts.get(v, 0) + k
            first_ts = first_ts or p["first_ts"]
            last_ts = p["last_ts"] or last_ts
            dg.merge(dig, p["digest"])
            for rid in p["unmatched"]:
                if gaps.open.pop(rid, None) is None:
                    gaps.unmatched_outcomes += 1
            gaps.open.update(p["open_intents"])
            gaps.intents += p["intents"]
            for ev in p["session_events"]:
                gaps._session(ev)
            if p.get("rotation"):
                info["rotation"] = p["rotation"]
            prev = p
        if count == 0:
            raise _Bad(f"no receipts found in {', '.join(info['files'])}", None)
        last = prev
        torn = next((p["torn"] for p in parts if p["torn"]), "")
        if last["sealed_upto"] < 0 and not any(p["sealed_upto"] >= 0 for p in parts):
            sealed, why = False, "no signed checkpoint or transcript_root: the end of the log is not proven"
        elif last["sealed_upto"] < last["last_entry"]:
            k = last["last_entry"] - last["sealed_upto"]
            sealed, why = False, f"unsealed tail: {k} entr{'y' if k == 1 else 'ies'} after the last signed checkpoint"
        elif not last["last_was_root_seal"]:
            sealed, why = False, "no final seal (transcript_root): the run was not closed, the end is not proven"
        else:
            sealed, why = True, ""
        if torn:
            sealed, why = False, torn + "; " + (why or "the end of the log is not proven")
        info.update(sealed=sealed, tail=why)
        if roster is not None and key:
            bad = roster.check(key, first_ts, last_ts)
            if bad:
                raise _Bad("roster: " + bad, 0)
    except _Bad as e:
        info.update(valid=False, sealed=False, error=str(e), broken_at_seq=e.seq)
    info.update(count=count, verdicts=verdicts, first_timestamp=first_ts, last_timestamp=last_ts,
                signer_key=key, root_hash=prev["r_hash"] if prev else "", gaps=gaps.report(), digest=dig)
    return info


def _strict(session: str, paths: list[str], pinned: str | None, roster: Any) -> dict[str, Any]:
    dig = dg.Digest()
    res = VerifyResult()
    info = _run_chain(paths, pinned, res, roster, on_record=lambda rec, sid: dig.add(rec, session))
    info.update(session=session, verdicts=res.verdicts, first_timestamp=res.first_timestamp,
                last_timestamp=res.last_timestamp, digest=dig.d)
    info.setdefault("tail", "")
    info.setdefault("error", "")
    info.setdefault("broken_at_seq", None)
    return info


def logs_of(paths: list[str]) -> dict[str, list[str]]:
    """DIR or FILE arguments -> {session: [files in order]}."""
    groups: dict[str, list[str]] = {}
    for p in paths:
        if os.path.isdir(p):
            for sid, files in list_logs(p).items():
                groups.setdefault(sid, []).extend(files)
        elif os.path.isfile(p):
            m = _FILE_RE.match(os.path.basename(p))
            groups.setdefault(m.group(1) if m else p, []).append(p)
        else:
            raise FileNotFoundError(p)

    def order(f: str) -> int:
        m = _FILE_RE.match(os.path.basename(f))
        return int(m.group(2)) if m else 0
    return {s: sorted(dict.fromkeys(fs), key=order) for s, fs in groups.items()}


def scan(paths: list[str], key: str | None = None, roster: Any = None, jobs: int = 0,
         every_signature: bool = False) -> dict[str, Any]:
    """Verify and digest every log under `paths`. Returns {"logs": [...], "digest": ..., "valid",
    "sealed", "gaps"}; raises FileNotFoundError / ReceiptError for bad arguments."""
    from .verify import _normalize_key
    pinned = _normalize_key(key)
    if isinstance(roster, str):
        from .roster import load_roster
        roster = load_roster(roster)
    groups = logs_of(paths)
    fast = {s: fs for s, fs in groups.items() if all(f.endswith(".jsonl") and
                                                     _FILE_RE.match(os.path.basename(f)) for f in fs)}
    files = [f for fs in fast.values() for f in fs]
    jobs = jobs or min(len(files), os.cpu_count() or 1, 4)
    results: dict[str, dict] = {}
    merged: dict[str, dict] = {}   # per session, in chain order: each file's digest is folded in on arrival

    def take(f: str, r: dict) -> None:
        acc = merged.setdefault(r.get("session") or f, dg.new())
        dg.merge(acc, r.pop("digest"))
        r["digest"] = dg.new()     # memory: only boundary state stays per file
        results[f] = r
    if jobs > 1 and len(files) > 1:
        import multiprocessing as mp
        ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as ex:
            for f, r in zip(files, ex.map(scan_file, files, [every_signature] * len(files), chunksize=1)):
                take(f, r)
    else:
        for f in files:
            take(f, scan_file(f, every_signature))
    logs = []
    for sid, fs in groups.items():
        parts = [results[f] for f in fs] if sid in fast else None
        if parts is None or any(p["fallback"] for p in parts):
            info = _strict(sid, fs, pinned, roster)
            info["verifier"] = "strict"
        else:
            info = _stitch(sid, parts, pinned, roster)
            info["verifier"] = "fast"
            for p in parts:
                if p.get("session") in merged:
                    dg.merge(info["digest"], merged.pop(p["session"]))
        logs.append(info)
    _link(logs)
    total = dg.new()
    for info in logs:
        dg.merge(total, info.pop("digest"))
    return {"logs": logs, "digest": total, "valid": bool(logs) and all(i["valid"] for i in logs),
            "sealed": bool(logs) and all(i["sealed"] for i in logs),
            "gaps": [{**g, "session": i["session"]} for i in logs for g in i.get("gaps") or ()],
            "roster": roster.path if roster is not None else ""}


def _link(logs: list[dict]) -> None:
    by = {i["session"]: i for i in logs}
    for i in logs:
        rot = i.get("rotation")
        if not rot:
            continue
        prior = by.get(rot.get("prior_session"))
        if prior is None:
            rot["linked"] = "prior chain not among the logs read"
        elif prior.get("root_hash") == rot.get("prior_hash") and prior.get("signer_key") == rot.get("prior_key"):
            rot["linked"] = "yes"
        else:
            rot["linked"] = "MISMATCH"
            if i["valid"]:
                i.update(valid=False, sealed=False, error="key rotation does not link to the head of its prior chain")
