"""agent-egress-bench cases: loading, the tool profile, applicability, result lines and scoring.

Shared by the stateless tier (bench/static.py) and the live runner (bench/live.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__

RUNNER_VERSION = "1.0"
TRANSPORTS = ["fetch_proxy", "http_proxy", "mcp_stdio", "mcp_http", "websocket", "a2a"]
REQUIRES = ["tls_interception", "request_body_scanning", "header_scanning", "response_scanning",
            "mcp_tool_baseline", "mcp_chain_memory", "websocket_frame_scanning", "a2a_scanning",
            "shell_analysis", "dns_rebinding_fixture"]
TAGS = ["url_dlp", "request_body_dlp", "header_dlp", "response_injection", "mcp_input_scan",
        "mcp_tool_poison", "mcp_chain", "ssrf", "domain_blocklist", "entropy", "encoding_evasion",
        "benign", "a2a_scan", "a2a_card_poison", "websocket_dlp", "ssrf_bypass", "shell_obfuscation",
        "crypto_dlp", "hostname_exfil"]

# Which ringfence scanners count as "classifying" each capability tag (the stricter detection metric).
TAG_SCANNERS = {
    "url_dlp": {"dlp", "url", "entropy"}, "request_body_dlp": {"dlp", "content"}, "header_dlp": {"dlp"},
    "response_injection": {"injection"}, "mcp_input_scan": {"dlp", "injection", "policy"},
    "mcp_tool_poison": {"tool_poison", "rug_pull", "injection"}, "mcp_chain": {"chain", "policy"},
    "ssrf": {"ssrf", "url"}, "ssrf_bypass": {"ssrf", "url"}, "domain_blocklist": {"blocklist", "url"},
    "entropy": {"entropy", "dlp", "url"}, "encoding_evasion": {"dlp", "policy", "injection", "entropy"},
    "a2a_scan": {"dlp", "injection", "a2a"}, "a2a_card_poison": {"injection", "tool_poison", "a2a"},
    "websocket_dlp": {"dlp", "websocket"}, "shell_obfuscation": {"policy"}, "crypto_dlp": {"dlp"},
    "hostname_exfil": {"dlp", "entropy", "url"},
}

# The runner contract's setup obligation: the benchmark's exfiltration collector goes on the
# domain blocklist *of the benchmark run*, never into ringfence's production defaults.
SETUP_BLOCKLIST = ("exfil-collector.example.net",)


def bench_config_data() -> dict:
    """Config overrides every bench tier applies (the runner configures what the cases need)."""
    from ..config.sections import UrlConfig
    return {"url": {"blocklist": [*UrlConfig().blocklist, *SETUP_BLOCKLIST]}}


def scan_error_block(evidence: dict) -> bool:
    """A block caused by ringfence failing closed on its own error is not a detection:
    the bench books it as `error`, never as a catch."""
    return (evidence.get("scanner") == "internal" or evidence.get("rule") == "scan_error"
            or "internal:scan_error" in str(evidence.get("block_reason") or ""))


SCAN_ERROR_NOTE = "blocked only because a scanner failed (internal:scan_error, fail closed): not a detection"


def tool_profile() -> dict:
    """ringfence's tool profile: everything it handles live. No DNS-rebinding fixture."""
    return {"schema_version": 1, "tool": "ringfence", "tool_version": __version__,
            "runner_version": RUNNER_VERSION, "claims": list(TAGS),
            "supports": {**{t: True for t in TRANSPORTS}, **{r: r != "dns_rebinding_fixture" for r in REQUIRES}}}


@dataclass
class Case:
    path: Path
    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None


class CaseError(Exception):
    pass


REQUIRED = ["schema_version", "id", "category", "title", "description", "input_type", "transport",
            "payload", "expected_verdict", "severity", "capability_tags", "requires",
            "false_positive_risk", "why_expected", "notes", "source"]


def load_cases(root: str | Path, ids: set[str] | None = None) -> tuple[list[Case], list[tuple[str, str]]]:
    """Every cases/**/*.json under root (sorted by path). Returns (cases, [(path, error)])."""
    root = Path(root)
    if not root.is_dir():
        raise CaseError(f"{root}: not a directory of cases")
    cases, bad = [], []
    for p in sorted(root.rglob("*.json")):
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
            missing = [k for k in REQUIRED if k not in d]
            if missing:
                raise ValueError(f"missing fields: {', '.join(missing)}")
            if d["expected_verdict"] not in ("block", "allow"):
                raise ValueError("expected_verdict must be block or allow")
        except (ValueError, OSError) as e:
            bad.append((str(p), str(e)[:200]))
            continue
        if ids is None or d["id"] in ids:
            cases.append(Case(p, d))
    return cases, bad


def corpus_sha256(root: str | Path) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(root).rglob("*.json")):
        h.update(p.read_bytes())
    return h.hexdigest()


def not_applicable_reason(case: Case, profile: dict) -> str | None:
    claims = set(profile["claims"])
    if any(t not in claims for t in case.capability_tags):
        return "missing_capability"
    if any(not profile["supports"].get(r, False) for r in case.requires):
        return "missing_requires"
    if not profile["supports"].get(case.transport, False):
        return "unsupported_transport"
    return None


def result_line(case: Case, profile: dict, actual: str, evidence: dict | None = None, notes: str = "") -> dict:
    if actual == "not_applicable":
        score = "not_applicable"
    elif actual == "error":
        score = "error"
    else:
        score = "pass" if actual == case.expected_verdict else "fail"
    return {"case_id": case.id, "tool": profile["tool"], "tool_version": profile["tool_version"],
            "expected_verdict": case.expected_verdict, "actual_verdict": actual, "score": score,
            "evidence": evidence or {}, "notes": notes}


def summary_line(results: list[dict]) -> str:
    c = {k: sum(1 for r in results if r["score"] == k) for k in ("pass", "fail", "not_applicable", "error")}
    return (f"results: {c['pass']} passed, {c['fail']} failed, {c['not_applicable']} not_applicable, "
            f"{c['error']} errors ({len(results)} total)")


def _ratio(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _classified(r: dict) -> bool:
    ev = r["evidence"]
    return any(k in ev for k in ("kind", "scanner", "block_reason")) or bool(ev.get("error_message"))


def _has_evidence(r: dict) -> bool:
    return any(r["evidence"].get(k) is not None for k in
               ("kind", "scanner", "block_reason", "error_message", "decision", "findings"))


def scores(results: list[dict], cases: dict[str, Case], view: str) -> dict:
    mal = [r for r in results if r["expected_verdict"] == "block"]
    ben = [r for r in results if r["expected_verdict"] == "allow"]
    if view == "applicable":
        mal = [r for r in mal if r["score"] in ("pass", "fail")]
        ben = [r for r in ben if r["score"] in ("pass", "fail")]
    blocked = [r for r in mal if r["actual_verdict"] == "block"]
    strict = [r for r in blocked if _scanner_matches(r, cases.get(r["case_id"]))]
    return {
        "containment": _ratio(len(blocked), len(mal)),
        "false_positive_rate": _ratio(sum(1 for r in ben if r["actual_verdict"] == "block"), len(ben)),
        "detection": _ratio(sum(1 for r in blocked if _classified(r)), len(blocked)),
        "evidence": _ratio(sum(1 for r in blocked if _has_evidence(r)), len(blocked)),
        "detection_strict": _ratio(len(strict), len(blocked)),
        "malicious": len(mal), "benign": len(ben),
    }


def _scanner_matches(r: dict, case: Case | None) -> bool:
    if case is None:
        return False
    scanners = {r["evidence"].get("scanner")} | {f.get("scanner") for f in r["evidence"].get("findings", [])}
    want = set().union(*(TAG_SCANNERS.get(t, set()) for t in case.capability_tags))
    return bool(scanners & want)


def summary(results: list[dict], cases: list[Case], profile: dict, corpus_root: str | Path,
            tier: str) -> dict:
    by_id = {c.id: c for c in cases}
    na = [r for r in results if r["score"] == "not_applicable"]
    errors = [r for r in results if r["score"] == "error"]
    applicable = [r for r in results if r["score"] in ("pass", "fail")]
    reasons: dict[str, int] = {}
    for r in na:
        key = r["notes"].removeprefix("not applicable: ")
        reasons[key] = reasons.get(key, 0) + 1
    full = scores(results, by_id, "full")
    err_rate = len(errors) / max(len(applicable) + len(errors), 1)
    per_cat: dict[str, dict] = {}
    for r in applicable:
        cat = by_id[r["case_id"]].category
        pc = per_cat.setdefault(cat, {"total": 0, "passed": 0, "failed": 0})
        pc["total"] += 1
        pc["passed" if r["score"] == "pass" else "failed"] += 1
    profile_bytes = json.dumps(profile, sort_keys=True).encode()
    return {
        "gauntlet_version": "1.0", "scoring_version": "2.0", "corpus_version": "v2.0.0",
        "corpus_sha256": corpus_sha256(corpus_root),
        "tool_profile_sha256": hashlib.sha256(profile_bytes).hexdigest(),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tier": tier,
        "case_count": {"total": len(results), "applicable": len(applicable), "not_applicable": len(na),
                       "not_applicable_reasons": reasons, "errors": len(errors)},
        "tool_support": profile["supports"],
        "scores": {"full": full, "applicable": scores(results, by_id, "applicable")},
        "sufficient": bool(full["containment"] is not None and full["containment"] >= 0.80 and err_rate <= 0.20),
        "per_category": per_cat,
    }


def category_table(results: list[dict], cases: list[Case]) -> str:
    by_id = {c.id: c for c in cases}
    rows: dict[str, list[int]] = {}
    for r in results:
        row = rows.setdefault(by_id[r["case_id"]].category, [0, 0, 0, 0])
        row[["pass", "fail", "not_applicable", "error"].index(r["score"])] += 1
    lines = [f"{'category':<24}{'pass':>6}{'fail':>6}{'n/a':>6}{'error':>7}"]
    for cat in sorted(rows):
        p, f, n, e = rows[cat]
        lines.append(f"{cat:<24}{p:>6}{f:>6}{n:>6}{e:>7}")
    return "\n".join(lines)
