"""The live tier serves case URLs on any explicit port, not only 80 and 443.

Generated cases (WebSocket over TLS and plain HTTP fetch) on ports other than
80/443 must reach the fixture and get a verdict, never a harness error. The live
tier binds 127.0.0.1:80/443 (root, as CI runs), so other live runs must not hold them.
"""
from __future__ import annotations

import fcntl
import json
import os

import pytest

from ringfence.bench.cases import load_cases, tool_profile
from ringfence.bench.live import _extra_ports, run_live

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the live tier binds ports 80 and 443 (root, as in CI)")


def _case(cid: str, category: str, input_type: str, transport: str, payload: dict, verdict: str,
          tag: str) -> dict:
    return {"schema_version": 1, "id": cid, "category": category, "title": cid, "description": "generated",
            "input_type": input_type, "transport": transport, "payload": payload, "expected_verdict": verdict,
            "safe_example": True, "severity": "low", "capability_tags": [tag],
            "requires": ["websocket_frame_scanning"] if transport == "websocket" else [],
            "false_positive_risk": "low", "why_expected": "generated", "notes": "", "source": "original"}


def _write(root, case: dict) -> None:
    d = root / case["category"].replace("_", "-")
    d.mkdir(exist_ok=True)
    (d / f"{case['id']}.json").write_text(json.dumps(case))


def test_extra_ports_found_per_scheme():
    class C:
        def __init__(self, url):
            self.payload = {"url": url}
    got = _extra_ports([C("wss://a.example:9443/ws"), C("http://b.example:8080/x"), C("https://c.example/"),
                        C("http://d.example:80/"), C("http://[bad")])
    assert got == {9443: True, 8080: False}


@pytest.mark.timeout(900)
def test_live_cases_on_other_ports_get_verdicts(tmp_path):
    key = "AKIA" + "QWERTYUIOPASDFGH"[:16]
    ws = {"opcode": "text", "payload": json.dumps({"method": "SUBSCRIBE", "params": ["ticker"], "id": 1})}
    cases = [
        _case("port-ws-benign", "websocket_dlp", "websocket_frame", "websocket",
              {"url": "wss://stream.ports.example:9443/ws", "frames": [ws]}, "allow", "benign"),
        _case("port-ws-secret", "websocket_dlp", "websocket_frame", "websocket",
              {"url": "wss://stream.ports.example:9443/ws",
               "frames": [{"opcode": "text", "payload": json.dumps({"aws": key})}]}, "block", "websocket_dlp"),
        _case("port-fetch-benign", "url", "url", "fetch_proxy",
              {"url": "http://docs.ports.example:8080/guide"}, "allow", "benign"),
    ]
    for c in cases:
        _write(tmp_path, c)
    loaded, bad = load_cases(tmp_path)
    assert not bad and len(loaded) == 3
    with open("/tmp/aeb.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = run_live(loaded, tool_profile(), timeout=20)
    by_id = {r["case_id"]: r for r in results}
    for c in cases:
        r = by_id[c["id"]]
        assert r["score"] == "pass", r
