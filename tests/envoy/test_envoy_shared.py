"""Two `ringfence envoy serve` instances behind one real Envoy, sharing state in a real
redis-server: one rate limit, one data budget, one kill switch, one tool baseline; and
what a Redis outage does (fail closed, with receipts) and undoes (service resumes)."""
from __future__ import annotations

import time
import uuid

import httpx
import pytest

import rfengines
from rfstack import Upstream, Worker, block_json, keypair, start_envoy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240)]
TOKEN = "t0k-" + uuid.uuid4().hex
HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]  # one registrable "domain" per scenario


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("envoy2")
    try:
        redis = rfengines.redis_server(tmp).start()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    up = Upstream(HOSTS).start()
    key = keypair(tmp)
    prefix = "e" + uuid.uuid4().hex[:10]
    workers = []
    for name in ("a", "b"):
        admin = rfengines.free_port()
        cfg = (f"state: {{backend: redis, url: 'redis://127.0.0.1:{redis.port}/0', prefix: {prefix}, timeout_ms: 500}}\n"
               "url: {requests_per_minute: 20, bytes_per_minute: 60000}\n"
               "ssrf: {ip_allowlist: [127.0.0.0/8]}\n"
               f"admin: {{listen: '127.0.0.1:{admin}'}}\n")
        w = Worker(tmp, name, cfg, key, env={"RINGFENCE_ADMIN_TOKEN": TOKEN})
        w.admin = f"http://127.0.0.1:{admin}"
        workers.append(w.start())
    ups = [f"h{i}=http://{h}:{up.port}" for i, h in enumerate(HOSTS)]
    env, lp = start_envoy(tmp, ups, [w.port for w in workers])
    for w in workers:  # both admin APIs up
        rfengines.wait_tcp(int(w.admin.rsplit(":", 1)[1]), 30, w.proc)
    yield {"base": [f"http://127.0.0.1:{lp + i}" for i in range(len(HOSTS))], "up": up,
           "a": workers[0], "b": workers[1], "redis": redis}
    env.stop()
    for w in workers:
        w.stop()
    up.stop()
    redis.stop()


def _kill(w: Worker, active: bool) -> None:
    r = httpx.post(f"{w.admin}/v1/killswitch", json={"active": active},
                   headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert r.status_code == 200, r.text


def test_rate_limit_is_one_sum_over_both_instances(stack):
    base = stack["base"][1]
    codes, rules = [], []
    with httpx.Client(timeout=30) as c:
        for _ in range(26):
            r = c.get(f"{base}/clean")
            codes.append(r.status_code)
            if r.status_code == 403:
                rules.append(block_json(r)["rule"])
    assert codes.count(200) == 20, codes          # 20 in all: each alone would have let 26 through
    assert rules == ["requests_per_minute"] * 6
    for w in (stack["a"], stack["b"]):            # both instances took part
        assert "127.0.0.2" in w.receipts_text()


def test_data_budget_is_one_sum_over_both_instances(stack):
    base = stack["base"][2]
    ok = 0
    with httpx.Client(timeout=30) as c:
        for i in range(8):
            r = c.get(f"{base}/blob?n=15000")
            if r.status_code == 200:
                assert len(r.content) == 15000
                ok += 1
            else:
                assert r.status_code == 403 and block_json(r)["rule"] == "data_budget", r.text
    assert ok == 4   # 4 x 15 KB fill the 60 KB budget; each instance alone would have allowed 4


def test_kill_switch_on_one_instance_stops_both_within_1s(stack):
    base = stack["base"][3]
    a, b = stack["a"], stack["b"]
    with httpx.Client(timeout=30) as c:
        assert c.get(f"{base}/clean").status_code == 200
        t0 = time.monotonic()
        _kill(a, True)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))   # one second after the flip...
        rids = []
        for _ in range(4):                                     # ...both instances deny (round robin)
            r = c.get(f"{base}/clean")
            assert r.status_code == 503, r.text
            doc = r.json()
            assert doc["error"] == "kill_switch_active" and doc["blocked"] is True
            rids.append(doc["receipt_id"])
        ta, tb = a.receipts_text(), b.receipts_text()
        assert any(x in ta for x in rids) and any(x in tb for x in rids)
        t0 = time.monotonic()
        _kill(b, False)                                        # off from the other instance
        time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))
        assert [c.get(f"{base}/clean").status_code for _ in range(4)] == [200] * 4


def test_rug_pull_approved_on_one_instance_is_detected_on_the_other(stack):
    base = stack["base"][0]
    up = stack["up"]
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    with httpx.Client(timeout=30) as c:
        up.version = 1
        assert c.post(f"{base}/mcp", json=call).status_code == 200     # first sight: the approved baseline
        assert c.post(f"{base}/mcp", json=call).status_code == 200     # the same, on the other instance
        up.version = 2
        for _ in range(2):                                             # changed: refused by both
            r = c.post(f"{base}/mcp", json=call)
            assert r.status_code == 403
            doc = block_json(r)
            assert (doc["scanner"], doc["rule"]) == ("rug_pull", "tool_definition_changed")
            assert "findings" not in doc                               # inbound: nothing of it goes back
    for w in (stack["a"], stack["b"]):
        assert "tool_definition_changed" in w.receipts_text()
    up.version = 1


def test_injection_in_a_response_is_blocked(stack):
    r = httpx.get(f"{stack['base'][0]}/inject", timeout=30)
    assert r.status_code == 403
    doc = block_json(r)
    assert doc["scanner"] == "injection" and doc["receipt_id"] == r.headers["x-ringfence-receipt"]
    assert "previous instructions" not in r.text


def test_redis_outage_fails_closed_with_receipts_and_resumes(stack):
    base, redis = stack["base"][0], stack["redis"]
    with httpx.Client(timeout=30) as c:
        assert c.get(f"{base}/clean").status_code == 200
        redis.kill()
        try:
            rids = []
            for _ in range(4):
                r = c.get(f"{base}/clean")
                assert r.status_code == 403, r.text
                doc = r.json()
                assert (doc["scanner"], doc["rule"]) == ("state", "unavailable")
                rids.append(doc["receipt_id"])
            text = stack["a"].receipts_text() + stack["b"].receipts_text()
            assert all(x and x in text for x in rids)               # each refusal has its receipt
        finally:
            redis.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:                          # no restart of ringfence or Envoy
            if c.get(f"{base}/clean").status_code == 200:
                break
            time.sleep(0.2)
        else:
            pytest.fail("service did not resume after redis came back")
        assert [c.get(f"{base}/clean").status_code for _ in range(2)] == [200, 200]
