"""Audit Packet v0 export (spec section 13): a per-run directory that binds a verifier
verdict, posture claims and artifact paths around the signed evidence.jsonl."""
from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from typing import Any
from urllib.parse import urlsplit

from .canonical import format_time_ns
from .errors import ReceiptError
from .verify import VERDICT_BUCKETS, format_human, list_logs, verify_path

SCHEMA = "pipelock.audit_packet.v0"
MAX_EVIDENCE = 1 << 30


def _evidence_files(log: str, session: str | None) -> list[str]:
    if os.path.isfile(log):
        return [log]
    if not os.path.isdir(log):
        raise ReceiptError(f"no such file or directory: {log}")
    groups = list_logs(log)
    if not groups:
        raise ReceiptError(f"no evidence-<session>-<seq>.jsonl logs in {log}")
    if session:
        if session not in groups:
            raise ReceiptError(f"no session {session!r} in {log}; have: {', '.join(groups)}")
        return groups[session]
    if len(groups) > 1:
        raise ReceiptError(f"{log} holds {len(groups)} runs; pick one with --session "
                           f"({', '.join(list(groups)[:5])}{', ...' if len(groups) > 5 else ''})")
    return next(iter(groups.values()))


def _receipts(path: str) -> list[dict]:
    out = []
    with open(path, "rb") as f:
        for raw in f:
            if not raw.endswith(b"\n"):
                break  # torn tail: the verifier reports it
            try:
                obj = json.loads(raw)
            except ValueError:
                continue
            if isinstance(obj, dict) and obj.get("type") == "action_receipt":
                obj = obj.get("detail")
            elif not (isinstance(obj, dict) and "action_record" in obj):
                continue
            if isinstance(obj, dict) and isinstance(obj.get("action_record"), dict):
                out.append(obj)
    return out


def _canon_hash(r: dict) -> str:
    from .canonical import receipt_bytes
    try:
        return "sha256:" + hashlib.sha256(receipt_bytes(r)).hexdigest()
    except ValueError:
        return ""


def _domain(target: str) -> str:
    if "://" not in target:
        return ""
    try:
        return (urlsplit(target).hostname or "")[:253]
    except ValueError:
        return ""


def export_audit_packet(log: str, out_dir: str, key: str | None = None, session: str | None = None,
                        enforcement_mode: str = "unknown") -> dict[str, Any]:
    """Write packet.json, evidence.jsonl, verifier.txt and summary.md into out_dir."""
    files = _evidence_files(log, session)
    if os.path.exists(out_dir) and os.listdir(out_dir):
        raise ReceiptError(f"{out_dir} exists and is not empty; refusing to overwrite")
    os.makedirs(out_dir, mode=0o750, exist_ok=True)
    ev_path = os.path.join(out_dir, "evidence.jsonl")
    total = 0
    with open(ev_path, "xb") as out:
        os.chmod(ev_path, 0o600)
        for p in files:
            with open(p, "rb") as f:
                while chunk := f.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_EVIDENCE:
                        raise ReceiptError(f"evidence larger than {MAX_EVIDENCE} bytes")
                    out.write(chunk)
    result = verify_path(ev_path, key)
    cmd = "ringfence verify evidence.jsonl" + (" --key " + result.signer_key if key else "")
    verifier_txt = f"$ {cmd}\n{format_human('evidence.jsonl', result)}\nexit code: {result.exit_code}\n"
    with open(os.path.join(out_dir, "verifier.txt"), "x") as f:
        f.write(verifier_txt)

    receipts = _receipts(ev_path)
    totals = {b: 0 for b in (*VERDICT_BUCKETS, "other")}
    transports: dict[str, int] = {}
    layers: dict[str, int] = {}
    domains: set[str] = set()
    policies: set[str] = set()
    rows = []
    for r in receipts:
        rec = r["action_record"]
        v = rec.get("verdict", "")
        totals[v if v in VERDICT_BUCKETS else "other"] += 1
        t = str(rec.get("transport", ""))
        transports[t] = transports.get(t, 0) + 1
        if rec.get("layer"):
            layers[str(rec["layer"])] = layers.get(str(rec["layer"]), 0) + 1
        if d := _domain(str(rec.get("target", ""))):
            domains.add(d)
        if rec.get("policy_hash"):
            policies.add(str(rec["policy_hash"]))
        rows.append({"action_id": str(rec.get("action_id", "")), "receipt_hash": _canon_hash(r),
                     "chain_seq": rec.get("chain_seq"), "chain_prev_hash": rec.get("chain_prev_hash"),
                     "verdict": v, "policy_hash": rec.get("policy_hash", "")})
    if not result.valid:
        verdict = "invalid"
    elif key:
        verdict = "valid"
    else:
        verdict = "self_consistent_only"   # no pinned key: consistent, but not bound to a trusted signer
    verifier: dict[str, Any] = {"verdict": verdict, "trusted": verdict == "valid" and bool(result.signer_key),
                                "receipt_count": result.count, "output_file": "verifier.txt"}
    if result.root_hash:
        verifier["root_hash"] = "sha256:" + result.root_hash
    if result.final_seq is not None:
        verifier["final_seq"] = result.final_seq
    if result.signer_key:
        verifier["signer_key"] = result.signer_key
    if not result.valid:
        verifier["error"] = result.error
    elif not result.sealed:
        verifier["error"] = "end of the log not proven: " + result.tail
    now = format_time_ns(time.time_ns())
    gh = os.environ.get("GITHUB_ACTIONS") == "true"
    run: dict[str, Any] = {"provider": "github_actions" if gh else "local",
                           "agent_identity": os.environ.get("RINGFENCE_AGENT_IDENTITY", "ringfence"),
                           "started_at": result.first_timestamp or now}
    if result.last_timestamp:
        run["completed_at"] = result.last_timestamp
    if gh:
        for k, env in (("repository", "GITHUB_REPOSITORY"), ("workflow", "GITHUB_WORKFLOW"),
                       ("run_id", "GITHUB_RUN_ID"), ("run_attempt", "GITHUB_RUN_ATTEMPT"),
                       ("ref", "GITHUB_REF"), ("sha", "GITHUB_SHA")):
            if os.environ.get(env):
                run[k] = os.environ[env]
    packet = {
        "schema_version": SCHEMA,
        "generated_at": now,
        "run": run,
        "policy": {"policy_hashes": sorted(policies)},
        "summary": {"receipt_count": len(receipts), "totals": totals, "transports": transports,
                    "layers": layers, "domains_touched": sorted(domains)[:1000]},
        "verifier": verifier,
        "posture": {"enforcement_mode": enforcement_mode, "runner_os": platform.system().lower() or "unknown",
                    "raw_socket_status": "unknown", "docker_socket_status": "unknown",
                    "dns_udp_status": "unknown", "browser_proxy_status": "unknown",
                    "websocket_frame_scanning": "explicit_ws_proxy_path_required", "unsupported_paths": []},
        "artifacts": {"packet": "packet.json", "evidence": "evidence.jsonl", "verifier": "verifier.txt",
                      "summary": "summary.md"},
        "receipts": rows[:10000],
    }
    with open(os.path.join(out_dir, "packet.json"), "x") as f:
        json.dump(packet, f, indent=2, ensure_ascii=False)
        f.write("\n")
    lines = ["# ringfence audit packet", "",
             f"- Generated: {now}", f"- Evidence: `evidence.jsonl` ({len(files)} log file(s), {total} bytes)",
             f"- Verifier verdict: **{verdict}**" + ("" if result.valid else f" ({result.error})"),
             f"- Sealed (end of run proven): {'yes' if result.sealed else 'no'}",
             f"- Receipts: {len(receipts)}; root hash `{result.root_hash or '-'}`; final seq {result.final_seq}",
             f"- Signer key: `{result.signer_key or '-'}`", "",
             "| verdict | count |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in totals.items() if v]
    if domains:
        lines += ["", "Domains touched: " + ", ".join(sorted(domains)[:50])]
    with open(os.path.join(out_dir, "summary.md"), "x") as f:
        f.write("\n".join(lines) + "\n")
    return packet
