"""Real Envoy in front of a local aiohttp upstream, with `ringfence envoy serve` as its
ext_proc service: blocks, strips, SSE per event, and fail closed."""
from __future__ import annotations

import json
import subprocess

import httpx
import pytest

import rfengines
from rfstack import INJECTION, Upstream, Worker, block_json, keypair, start_envoy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]
AWS_KEY = "AKIA" + "Q7ZR2KX9LMN4PW3T"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("envoy1")
    up = Upstream(["127.0.0.1"]).start()
    key = keypair(tmp)
    w = Worker(tmp, "solo", "injection: {action: strip}\nssrf: {ip_allowlist: [127.0.0.0/8]}\n", key).start()
    env, lp = start_envoy(tmp, [f"api=http://127.0.0.1:{up.port}"], [w.port])
    yield {"base": f"http://127.0.0.1:{lp}", "up": up, "worker": w, "tmp": tmp}
    env.stop()
    w.stop()
    up.stop()


def test_curl_with_a_secret_in_the_body_gets_the_403_json(stack):
    before = stack["up"].requests
    r = subprocess.run(["curl", "-sS", "-i", "-X", "POST", "-H", "Content-Type: application/json",
                        "--data", json.dumps({"note": f"deploy with {AWS_KEY}"}), f"{stack['base']}/echo"],
                       capture_output=True, timeout=60)
    head, _, body = r.stdout.decode().partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 403"), head
    rid = [ln.split(":", 1)[1].strip() for ln in head.split("\r\n") if ln.lower().startswith("x-ringfence-receipt:")]
    doc = json.loads(body)
    assert doc["blocked"] is True and doc["scanner"] == "dlp" and doc["rule"]
    assert rid and rid[0] == doc["receipt_id"] and len(rid[0]) >= 16
    assert AWS_KEY not in body  # never echoed whole
    assert stack["up"].requests == before  # the upstream never saw it
    assert doc["receipt_id"] in stack["worker"].receipts_text()


def test_clean_request_passes(stack):
    r = httpx.post(f"{stack['base']}/echo", json={"note": "hello"}, timeout=30)
    assert r.status_code == 200 and r.json() == {"ok": True, "got": len(b"{\"note\":\"hello\"}")}
    r = httpx.get(f"{stack['base']}/clean", timeout=30)
    assert r.status_code == 200 and "sunny" in r.text


def test_secret_in_a_header_and_in_the_url_are_blocked(stack):
    r = httpx.get(f"{stack['base']}/clean", headers={"X-Debug": f"key={AWS_KEY}"}, timeout=30)
    assert r.status_code == 403 and block_json(r)["scanner"] == "dlp"
    r = httpx.get(f"{stack['base']}/clean?k={AWS_KEY}", timeout=30)
    assert r.status_code == 403 and block_json(r)["blocked"] is True


def test_injection_in_a_response_is_stripped_and_length_fixed(stack):
    r = httpx.get(f"{stack['base']}/mixed", timeout=30)
    assert r.status_code == 200, r.text
    assert "Ignore all previous instructions" not in r.text and ".ssh/id_rsa" not in r.text
    assert "Useful docs about the API." in r.text
    assert r.headers.get("x-ringfence-decision") == "strip" and r.headers.get("x-ringfence-receipt")
    assert int(r.headers.get("content-length", len(r.content))) == len(r.content)


def test_sse_stream_is_scanned_per_event(stack):
    events = []
    with httpx.stream("GET", f"{stack['base']}/sse", timeout=30) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data:"):
                events.append(line[5:].strip())
    assert events[:3] == ["clean part 0", "clean part 1", "clean part 2"]  # clean events pass
    assert not any("previous instructions" in e for e in events), events
    blocked = json.loads(events[3])
    assert blocked["blocked"] is True and blocked["scanner"] == "injection" and blocked["receipt_id"]
    assert "after the injection" not in events                            # the stream ends there


def test_ringfence_down_fails_closed_with_a_json_body(tmp_path):
    """No ringfence answering: Envoy refuses (failure_mode_allow false) with JSON, not an empty 500."""
    up = Upstream(["127.0.0.1"]).start()
    env, lp = start_envoy(tmp_path, [f"api=http://127.0.0.1:{up.port}"], [rfengines.free_port()])
    try:
        r = httpx.get(f"http://127.0.0.1:{lp}/clean", timeout=30)
        assert r.status_code == 500
        doc = r.json()
        assert doc["blocked"] is True and doc["error"] == "ringfence_unavailable"
        assert up.requests == 0
    finally:
        env.stop()
        up.stop()
