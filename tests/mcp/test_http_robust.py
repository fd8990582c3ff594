"""`ringfence mcp proxy --upstream URL --listen H:P` (a real process) with a raw
upstream: odd ids get JSON-RPC errors (never "upstream error"), and the kill
switch ends calls and SSE streams within 1 s."""
import json
import threading
import time

import httpx
import pytest

from conftest import FIXTURES, PY, engine_or_skip, free_port, ringfence_cmd, start, stop, wait_port

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module", autouse=True)
def _engine():
    engine_or_skip()


@pytest.fixture
def proxy(tmp_path):
    up = free_port()
    server = start([PY, str(FIXTURES / "hostile_http.py"), str(up)])
    wait_port(up, proc=server)
    sentinel = tmp_path / "KILL"
    cfg = tmp_path / "rf.yaml"
    cfg.write_text(f"kill_switch:\n  sentinel_file: {sentinel}\n")
    port = free_port()
    p = start(ringfence_cmd("mcp", "proxy", "--config", str(cfg), "--upstream", f"http://127.0.0.1:{up}/mcp",
                            "--listen", f"127.0.0.1:{port}"))
    wait_port(port, proc=p)
    yield f"http://127.0.0.1:{port}/mcp", sentinel
    stop(p)
    stop(server)


def _post(url, obj_or_bytes, timeout=30):
    data = obj_or_bytes if isinstance(obj_or_bytes, bytes) else json.dumps(obj_or_bytes).encode()
    return httpx.post(url, content=data, timeout=timeout, headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream"})


def test_odd_ids_over_http(proxy):
    url, _ = proxy
    for mid in (2 ** 64, -(2 ** 80), 10 ** 300, "\ud800"):
        blocked = {"jsonrpc": "2.0", "id": mid, "method": "tools/call",
                   "params": {"name": "echo", "arguments": {"k": "AKIAIOSFODNN7EXAMPLE"}}}
        r = _post(url, blocked)
        body = r.json()
        assert body["id"] == mid and body["error"]["code"] == -32001, body
        assert body["error"]["data"]["rule"] == "aws_access_key_id"
        r = _post(url, {"jsonrpc": "2.0", "id": mid, "method": "echo", "params": {"x": 1}})
        assert r.status_code == 200 and r.json() == {"jsonrpc": "2.0", "id": mid, "result": {"params": {"x": 1}}}
    for bad in (b'{"jsonrpc":"2.0","id":1.5,"method":"ping"}', b'{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
                b'{"jsonrpc":"2.0","id":' + b"9" * 5000 + b',"method":"ping"}'):
        r = _post(url, bad)
        body = r.json()
        assert "upstream" not in body["error"]["message"], body
        assert body["error"]["code"] in (-32600, -32700)


def test_killswitch_blocks_calls_and_ends_streams_within_1s(proxy):
    url, sentinel = proxy
    r = _post(url, {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "echo", "arguments": {}}})
    assert "result" in r.json()
    got = {}

    def slow():
        got["slow"] = (_post(url, {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                                   "params": {"name": "slow", "arguments": {"s": 60}}}, timeout=60), time.monotonic())

    def ticks():
        events = []
        with httpx.stream("POST", url, timeout=60, content=json.dumps(
                {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "ticks", "arguments": {"s": 60}}}),
                headers={"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    events.append((time.monotonic(), json.loads(line[6:])))
        got["ticks"] = (events, time.monotonic())

    threads = [threading.Thread(target=slow), threading.Thread(target=ticks)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    t0 = time.monotonic()
    sentinel.write_text("")
    for t in threads:
        t.join(30)
    resp, t_slow = got["slow"]
    body = resp.json()
    assert body["error"]["code"] == -32001 and body["error"]["data"]["rule"] == "killswitch"
    assert t_slow - t0 < 1.5, t_slow - t0
    events, t_end = got["ticks"]
    assert any(e.get("method") == "notifications/progress" for _, e in events)
    last = [e for _, e in events][-1]
    assert last["id"] == 3 and last["error"]["data"]["rule"] == "killswitch"
    progress_times = [t for t, e in events if e.get("method") == "notifications/progress"]
    assert max(progress_times) - t0 < 1.0 and t_end - t0 < 1.5, (max(progress_times) - t0, t_end - t0)
    r = _post(url, {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "echo", "arguments": {}}})
    assert r.json()["error"]["data"]["rule"] == "killswitch"
    r = _post(url, {"jsonrpc": "2.0", "id": 5, "method": "ping"})
    assert "result" in r.json()
