"""agent-egress-bench inbound cases: malicious content detected, benign content clean.

Inbound text is what an agent reads: fetched or intercepted response bodies,
MCP tool results and tool definitions, A2A messages and agent cards (and the
tool-argument injection case, whose payload is injection text too). DLP-only
cases (secrets leaving in a message) belong to the DLP scanner and are skipped.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ringfence.config import Config
from ringfence.scanners.injection import InjectionScanner
from shared_corpus import AEB_CASES, require

CASES = require(AEB_CASES)
INBOUND = {"response_content", "mcp_tool_definition", "mcp_tool_result", "a2a_agent_card", "a2a_message"}
SKIP_TAGS = {"a2a-msg-dlp-api-key-001", "a2a-msg-dlp-data-part-003", "a2a-msg-exfil-env-dump-006"}


def _strings(o, out: list[str]) -> list[str]:
    if isinstance(o, str):
        out.append(o)
    elif isinstance(o, dict):
        for v in o.values():
            _strings(v, out)
    elif isinstance(o, list):
        for v in o:
            _strings(v, out)
    return out


def inbound_texts(case: dict) -> list[str]:
    p, kind = case["payload"], case["input_type"]
    if kind == "response_content":
        return [p["response_body"]]
    if kind in ("mcp_tool_definition", "mcp_tool_result"):
        return _strings([m.get("result") for m in p["jsonrpc_messages"]], [])
    if kind == "a2a_agent_card":
        return _strings(p["agent_card"], [])
    return _strings([m.get("params") for m in p["jsonrpc_messages"]], [])


def _load():
    if not CASES.is_dir():
        return []
    out = []
    for f in sorted(CASES.glob("*/*.json")):
        case = json.loads(f.read_text())
        inbound = case["input_type"] in INBOUND or "injection" in case["id"]
        if not inbound or case["id"] in SKIP_TAGS:
            continue
        out.append(pytest.param(case, id=case["id"]))
    return out


CASE_PARAMS = _load()


@pytest.fixture(scope="module")
def scanner() -> InjectionScanner:
    return InjectionScanner(Config())


def test_cases_present():
    if not CASES.is_dir():
        pytest.skip("aeb cases not available")
    assert len(CASE_PARAMS) >= 15


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_aeb_inbound(scanner, case):
    findings = [f for t in inbound_texts(case) for f in scanner.scan(t, case["input_type"])]
    if case["expected_verdict"] == "block":
        assert findings, case["id"]
    else:
        assert findings == [], [(f.rule, f.excerpt) for f in findings]
