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
from .verify import VERDICT_BUCKETS, format_human, verify_path

SCHEMA = "pipelock.audit_packet.v0"
MAX_EVIDENCE = 1 << 30


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


def _runs(logs: list[str], session: str | None) -> dict[str, list[str]]:
    from .scan import logs_of
    for p in logs:
        if not os.path.exists(p):
            raise ReceiptError(f"no such file or directory: {p}")
    groups = logs_of(logs)
    if not groups:
        raise ReceiptError(f"no evidence-<session>-<seq>.jsonl logs in {', '.join(logs)}")
    if session:
        if session not in groups:
            raise ReceiptError(f"no session {session!r} in {', '.join(logs)}; have: {', '.join(list(groups)[:10])}")
        return {session: groups[session]}
    return groups


def _in_window(info: dict, since: str | None, until: str | None) -> bool:
    """A run is in [since, until] when its receipts overlap the window (an unreadable run always is)."""
    from .gaps import ts_seconds
    first, last = info.get("first_timestamp") or "", info.get("last_timestamp") or ""
    if not first:
        return True
    if since and ts_seconds(last) < ts_seconds(since):
        return False
    if until and ts_seconds(first) > ts_seconds(until):
        return False
    return True


def export_audit_packet(log: str | list[str], out_dir: str, key: str | None = None, session: str | None = None,
                        enforcement_mode: str | None = None, since: str | None = None, until: str | None = None,
                        roster: str | None = None) -> dict[str, Any]:
    """Write packet.json, the evidence, verifier.txt and summary.md into out_dir.

    Every run (recorder session) under `log` is included, or those overlapping
    [since, until]. One run: evidence.jsonl is its log byte for byte; several: evidence/
    holds every run's files byte for byte."""
    from .digest import new as new_digest, merge
    from .gaps import describe
    from .scan import scan
    logs = [log] if isinstance(log, str) else list(log)
    for t, name in ((since, "--since"), (until, "--until")):
        from .canonical import is_canonical_time
        if t and not is_canonical_time(t):
            raise ReceiptError(f"{name} wants an RFC 3339 UTC time like 2026-01-01T00:00:00Z, got {t!r}")
    groups = _runs(logs, session)
    if os.path.exists(out_dir) and os.listdir(out_dir):
        raise ReceiptError(f"{out_dir} exists and is not empty; refusing to overwrite")
    files_all = [f for fs in groups.values() for f in fs]
    data = scan(files_all, key=key, roster=roster)
    runs = [i for i in data["logs"] if _in_window(i, since, until)]
    if not runs:
        raise ReceiptError(f"no run overlaps {since or '-'} .. {until or '-'}")
    keep = {i["session"] for i in runs}
    groups = {s: fs for s, fs in groups.items() if s in keep}
    os.makedirs(out_dir, mode=0o750, exist_ok=True)
    total = 0
    single = len(groups) == 1
    ev_rel = "evidence.jsonl" if single else "evidence"
    if not single:
        os.makedirs(os.path.join(out_dir, ev_rel), mode=0o750)
    for sid, files in groups.items():
        for p in files:
            dst = os.path.join(out_dir, ev_rel) if single else os.path.join(out_dir, ev_rel, os.path.basename(p))
            with open(p, "rb") as f, open(dst, "ab" if single else "xb") as out:
                os.chmod(dst, 0o600)
                while chunk := f.read(1 << 20):
                    total += len(chunk)
                    if total > MAX_EVIDENCE:
                        raise ReceiptError(f"evidence larger than {MAX_EVIDENCE} bytes")
                    out.write(chunk)
    ev_path = os.path.join(out_dir, ev_rel)
    result = verify_path(ev_path, key, roster=roster)
    pin = f" --key {result.signer_key}" if key else (f" --roster {os.path.basename(roster)}" if roster else "")
    verifier_txt = f"$ ringfence verify {ev_rel}{pin}\n{format_human(ev_rel, result)}\nexit code: {result.exit_code}\n"
    with open(os.path.join(out_dir, "verifier.txt"), "x") as f:
        f.write(verifier_txt)

    d = new_digest()
    sub = scan([f for fs in groups.values() for f in fs], key=key, roster=roster) if len(keep) != len(data["logs"]) \
        else data
    d = merge(d, sub["digest"])
    transports: dict[str, int] = {}
    layers: dict[str, int] = {}
    domains: set[str] = set()
    policies: set[str] = set()
    rows: list[dict] = []
    count = 0
    for sid, files in groups.items():
        for p in files:
            for r in _receipts(p):
                rec = r["action_record"]
                count += 1
                t = str(rec.get("transport", ""))
                transports[t] = transports.get(t, 0) + 1
                if rec.get("layer"):
                    layers[str(rec["layer"])] = layers.get(str(rec["layer"]), 0) + 1
                if (dm := _domain(str(rec.get("target", "")))) and len(domains) < 10000:
                    domains.add(dm)
                if rec.get("policy_hash"):
                    policies.add(str(rec["policy_hash"]))
                if len(rows) < 10000:
                    rows.append({"action_id": str(rec.get("action_id", "")), "receipt_hash": _canon_hash(r),
                                 "chain_seq": rec.get("chain_seq"), "chain_prev_hash": rec.get("chain_prev_hash"),
                                 "verdict": rec.get("verdict", ""), "policy_hash": rec.get("policy_hash", "")})
    # every receipt (session and outcome receipts too), as the verifier counts them
    totals = {b: 0 for b in (*VERDICT_BUCKETS, "other")}
    for v, n in result.verdicts.items():
        totals[v if v in VERDICT_BUCKETS else "other"] += n
    all_valid = result.valid and all(i["valid"] for i in runs)
    if not all_valid:
        verdict = "invalid"
    elif key or roster:
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
    failed = [i for i in runs if not i["valid"]]
    if failed or not result.valid:
        verifier["error"] = "; ".join(f"{i['session']}: {i['error']}" for i in failed) or result.error
    elif not result.sealed:
        verifier["error"] = "end of the log not proven: " + result.tail
    modes = d.get("modes") or {}
    mode = ",".join(sorted(modes)) if modes else (enforcement_mode or "unknown")
    now = format_time_ns(time.time_ns())
    gh = os.environ.get("GITHUB_ACTIONS") == "true"
    first = min((i["first_timestamp"] for i in runs if i.get("first_timestamp")), default="")
    last = max((i["last_timestamp"] for i in runs if i.get("last_timestamp")), default="")
    run: dict[str, Any] = {"provider": "github_actions" if gh else "local",
                           "agent_identity": os.environ.get("RINGFENCE_AGENT_IDENTITY", "ringfence"),
                           "started_at": first or now}
    if last:
        run["completed_at"] = last
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
        "summary": {"receipt_count": count, "totals": totals, "transports": transports,
                    "layers": layers, "domains_touched": sorted(domains)[:1000]},
        "verifier": verifier,
        "posture": {"enforcement_mode": mode, "runner_os": platform.system().lower() or "unknown",
                    "raw_socket_status": "unknown", "docker_socket_status": "unknown",
                    "dns_udp_status": "unknown", "browser_proxy_status": "unknown",
                    "websocket_frame_scanning": "explicit_ws_proxy_path_required", "unsupported_paths": []},
        "artifacts": {"packet": "packet.json", "evidence": ev_rel, "verifier": "verifier.txt",
                      "summary": "summary.md"},
        "receipts": rows,
    }
    with open(os.path.join(out_dir, "packet.json"), "x") as f:
        json.dump(packet, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(out_dir, "summary.md"), "x") as f:
        f.write(_summary_md(now, runs, result, verdict, d, totals, domains, mode, total, ev_rel, describe))
    return packet


def _md(s: Any) -> str:
    """Evidence text inside a Markdown table cell or code span: no breaking out of it."""
    return str(s).replace("|", "\\|").replace("`", "'").replace("\n", " ").replace("\r", " ")[:300]


def _summary_md(now, runs, result, verdict, d, totals, domains, mode, nbytes, ev_rel, describe) -> str:
    bad = [i for i in runs if not i["valid"]]
    lines = ["# ringfence audit packet", "",
             f"- Generated: {now}",
             f"- Evidence: `{ev_rel}` ({len(runs)} run(s), {nbytes} bytes)",
             f"- Verification result: **{verdict}**" + ("" if not bad else f" ({len(bad)} of {len(runs)} run(s) "
                                                                          "failed, see below)"),
             f"- Sealed (end of every run proven): {'yes' if result.valid and result.sealed else 'no'}",
             f"- Enforcement mode (from the receipts): {mode}",
             f"- Receipts: {result.count}; decisions {d['decisions']}; blocks {d['blocks']}",
             f"- Signer key: `{result.signer_key or '-'}`", ""]
    if bad or not result.valid:
        lines += ["## Verification FAILED", ""]
        for i in bad:
            at = f" at seq {i['broken_at_seq']}" if i.get("broken_at_seq") is not None else ""
            lines.append(f"- run `{_md(i['session'])}`: {_md(i['error'])}{at}. Receipts before the failure: "
                         f"{i.get('count', 0)}. Nothing in this run after the failure can be trusted.")
        if not bad:
            lines.append(f"- {_md(result.error)}")
        lines.append("")
    lines += ["## Runs", "", "| run | first | last | receipts | result |", "|---|---|---|---|---|"]
    for i in runs:
        res = ("valid and sealed" if i["sealed"] else "valid, end not proven: " + _md(i.get("tail", ""))) \
            if i["valid"] else "INVALID: " + _md(i["error"])
        lines.append(f"| `{_md(i['session'])}` | {i.get('first_timestamp', '')} | {i.get('last_timestamp', '')} | "
                     f"{i.get('count', 0)} | {res} |")
    lines += ["", "## Verdicts", "", "| verdict | count |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in totals.items() if v]
    lines += ["", "## Blocks by rule", ""]
    if not d["block_rules"]:
        lines.append("No blocks.")
    else:
        targets: dict[str, list[str]] = {}
        for row in d["rows"]:
            t = targets.setdefault(row[3], [])
            if row[2] not in t and len(t) < 10:
                t.append(row[2])
        lines += ["| rule | blocks | targets (redacted, first 10) |", "|---|---|---|"]
        for rule, n in sorted(d["block_rules"].items(), key=lambda kv: -kv[1]):
            lines.append(f"| {_md(rule)} | {n} | " + ", ".join(f"`{_md(t)}`" for t in targets.get(rule, [])) + " |")
    gaps = [g for i in runs for g in i.get("gaps") or ()]
    if gaps:
        lines += ["", "## Evidence gaps", ""] + [f"- {_md(describe(g))}" for g in gaps]
    if domains:
        lines += ["", "Domains touched: " + ", ".join(sorted(domains)[:50])]
    return "\n".join(lines) + "\n"
