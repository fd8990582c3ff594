"""Intent and outcome receipts on every egress path of a real `ringfence run` (forward, fast
path, blind and intercepted CONNECT with real TLS, WebSocket) and of `ringfence mcp proxy`
(official SDK client, stdio and Streamable HTTP): each intent is signed before the request
leaves and answered by one outcome; `ringfence verify` finds no gap in a clean run and an
intent without outcome in a run killed with SIGKILL mid-request; pipelock-verify 0.4.1
accepts every chain."""
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import anyio
import pytest

from ringfence.bench.fixtures import Fixture
from rhelp import pipelock_verify, run_cli

pytestmark = pytest.mark.timeout(180)
PY = sys.executable
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SDK_SERVER = os.path.join(ROOT, "tests", "fixtures", "mcp_servers", "server.py")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, "process exited early"
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("did not start")


def _keys(tmp):
    from ringfence.receipts.keys import write_keypair
    key = str(tmp / "k" / "receipt.key")
    write_keypair(key)
    pub = key[:-4] + ".pub"
    return key, pub, base64.b64decode(open(pub).read().split()[1]).hex()


def _records(d):
    out = []
    for p in sorted(d.glob("evidence-*.jsonl"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        for line in p.read_text().splitlines():
            e = json.loads(line)
            if e["type"] == "action_receipt":
                out.append(e["detail"]["action_record"])
    return out


def _pairs(recs):
    """intent records and {intent id: outcome}, asserting each outcome follows its intent."""
    intents = [r for r in recs if r.get("intent", "").startswith("egress-intent")]
    outcomes = {r["request_id"]: r for r in recs if r.get("layer") == "outcome"}
    for i in intents:
        if i["action_id"] in outcomes:
            assert recs.index(i) < recs.index(outcomes[i["action_id"]])
    return intents, outcomes


def _whole(d, tmp):
    whole = tmp / "whole.jsonl"
    files = sorted(d.glob("evidence-*.jsonl"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    whole.write_bytes(b"".join(p.read_bytes() for p in files))
    return whole


def _curl(*args, proxy):
    r = subprocess.run(["curl", "-s", "-m", "30", "-x", proxy, "-D", "-", "-o", "/dev/null", *args],
                       capture_output=True, text=True, timeout=60)
    blocks = [b for b in r.stdout.replace("\r", "").split("\n\n") if b.startswith("HTTP/")]
    head = blocks[-1] if blocks else ""  # the last head (after a CONNECT's own 200)
    status = int(head.split("\n")[0].split()[1]) if head else 0
    hdrs = {k.lower(): v.strip() for k, _, v in (x.partition(":") for x in head.split("\n")[1:])}
    return status, hdrs


@pytest.fixture
def upstream():
    f = Fixture("127.0.0.1", 0, 0).start()
    yield f
    f.stop()


def test_run_forward_connect_ws_intents_and_outcomes(tmp_path, upstream):
    import websockets.sync.client as wsc
    key, pub, pub_hex = _keys(tmp_path)
    ca_dir = tmp_path / "ca"
    assert run_cli("tls", "init", "--dir", str(ca_dir)).returncode == 0
    cfg = tmp_path / "rf.yaml"
    # small files: the chain, intents and their outcomes cross rotations
    cfg.write_text("tls:\n  exclude: [blind.test]\nreceipts:\n  max_entries_per_file: 10\n")
    port, rdir, dead = _port(), tmp_path / "r", _port()
    hp, sp = upstream.http_port, upstream.https_port
    proc = subprocess.Popen(
        [PY, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "-c", str(cfg), "--receipts", str(rdir),
         "--signing-key", key, "--intercept", "--ca-dir", str(ca_dir), "--upstream-ca", upstream.ca.ca_path, "-q",
         "--resolve", f"site.test:{hp}:127.0.0.1", "--resolve", f"blind.test:{sp}:127.0.0.1",
         "--resolve", f"shop.test:{sp}:127.0.0.1", "--resolve", f"dead.test:{dead}:127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    proxy = f"http://127.0.0.1:{port}"
    try:
        _wait(port, proc)
        ok, h_ok = _curl(f"http://site.test:{hp}/page", proxy=proxy)
        bad, h_bad = _curl(f"http://dead.test:{dead}/gone", proxy=proxy)
        blind, _ = _curl("--cacert", upstream.ca.ca_path, f"https://blind.test:{sp}/b", proxy=proxy)
        shop, _ = _curl("--cacert", str(ca_dir / "ca.pem"), f"https://shop.test:{sp}/s", proxy=proxy)
        leak, h_leak = _curl("-H", "Authorization: Bearer ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
                             f"http://site.test:{hp}/leak", proxy=proxy)
        ws_url = f"ws://127.0.0.1:{port}/ws?url=" + urllib.parse.quote(f"ws://site.test:{hp}/sock", safe="")
        with wsc.connect(ws_url, open_timeout=20) as ws:
            for m in ("one", "two"):
                ws.send(m)
                assert ws.recv(timeout=20) == m
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, proc.stderr.read().decode()[-2000:]
    assert (ok, bad, blind, shop, leak) == (200, 502, 200, 200, 403)
    recs = _records(rdir)
    by_id = {r["action_id"]: r for r in recs}
    intents, outcomes = _pairs(recs)
    assert len(outcomes) == len(intents) and all(i["action_id"] in outcomes for i in intents)

    def one(transport, target_part):
        got = [i for i in intents if i["transport"] == transport and target_part in i["target"]]
        assert len(got) == 1, (transport, target_part, [(i["transport"], i["target"]) for i in intents])
        return got[0], outcomes[got[0]["action_id"]]

    # forward: the allowed request's decision receipt is its intent; the answer's header
    # names the decision on the response, signed after the outcome
    i, o = one("forward", "/page")
    assert i["verdict"] == "allow" and o["pattern"].startswith("status=200") and o["target"] == i["target"]
    answer = by_id[h_ok["x-ringfence-receipt"]]
    assert answer["verdict"] == "allow" and recs.index(o) < recs.index(answer)
    # a 502: the error answer still names the intent; the outcome records the failure
    i, o = one("forward", "/gone")
    assert h_bad["x-ringfence-receipt"] == i["action_id"] and o["pattern"] == "error=upstream_unreachable"
    # blocked: the decision receipt only, no intent, no outcome
    blocked = by_id[h_leak["x-ringfence-receipt"]]
    assert blocked["verdict"] == "block" and not blocked.get("intent", "").startswith("egress-intent")
    # blind CONNECT: one intent for the tunnel, its outcome counts the bytes both ways
    i, o = one("connect", "blind.test")
    assert o["pattern"].startswith("closed bytes_out=")
    n_out, n_in = (int(x.split("=")[1]) for x in o["pattern"].split()[1:3])
    assert n_out > 200 and n_in > 200  # a TLS handshake and a response went through
    # intercepted CONNECT: the tunnel is no intent; the request inside it is
    tunnel = [r for r in recs if r["transport"] == "connect" and "shop.test" in r["target"]]
    assert len(tunnel) == 1 and not tunnel[0]["intent"].startswith("egress-intent")
    i, o = one("intercept", "/s") if any(x["transport"] == "intercept" for x in intents) else one("forward", "/s")
    assert o["pattern"].startswith("status=200")
    # WebSocket: one intent for the connection; the outcome closes it with message counts
    i, o = one("websocket", "/sock")
    assert o["pattern"] == "status=101 closed messages_out=2 messages_in=2"
    assert len(list(rdir.glob("evidence-*.jsonl"))) >= 2  # rotated
    out = json.loads(run_cli("verify", str(rdir), "--key", pub, "--json").stdout)
    assert out["valid"] and out["sealed"] and out["gaps"] == [], out
    pv = pipelock_verify(_whole(rdir, tmp_path), pub_hex)
    assert pv.returncode == 0 and "CHAIN VALID" in pv.stdout, pv.stdout + pv.stderr


class _Stall:
    """An upstream that reads the request and never answers (until released)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.got = threading.Event()
        self.conns = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            if c.recv(65536):
                self.got.set()

    def close(self):
        for c in self.conns + [self.sock]:
            c.close()


@pytest.mark.parametrize("durability", ["batch", "fsync"])
def test_sigkill_mid_request_leaves_an_intent_without_outcome(tmp_path, durability):
    key, pub, pub_hex = _keys(tmp_path)
    up = _Stall()
    cfg = tmp_path / "rf.yaml"
    cfg.write_text(f"receipts:\n  intent_durability: {durability}\n  fsync_interval_ms: 200\n")
    port, rdir = _port(), tmp_path / "r"
    proc = subprocess.Popen([PY, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "-c", str(cfg),
                             "--receipts", str(rdir), "--signing-key", key, "-q",
                             "--resolve", f"stall.test:{up.port}:127.0.0.1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    curl = None
    try:
        _wait(port, proc)
        curl = subprocess.Popen(["curl", "-s", "-m", "60", "-x", f"http://127.0.0.1:{port}",
                                 f"http://stall.test:{up.port}/never?x=1"], stdout=subprocess.DEVNULL)
        assert up.got.wait(30)  # the request left: its intent was written before
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        if curl is not None:
            curl.kill()
            curl.wait()
        up.close()
    r = run_cli("verify", str(rdir), "--key", pub, "--json")
    out = json.loads(r.stdout)
    assert out["valid"] and not out["sealed"]
    gaps = {g["kind"]: g for g in out["gaps"]}
    assert gaps["intent_without_outcome"]["count"] == 1
    assert gaps["intent_without_outcome"]["examples"][0]["target"].startswith(f"http://stall.test:{up.port}/never")
    assert "session_without_close" in gaps
    human = run_cli("verify", str(rdir), "--key", pub).stdout
    assert "1 intent(s) without an outcome" in human, human
    pv = pipelock_verify(_whole(rdir, tmp_path), pub_hex)
    assert "CHAIN VALID" in pv.stdout or "chain valid" in pv.stdout.lower(), pv.stdout + pv.stderr


async def _mcp_calls(target):
    from mcp import Client
    from mcp.shared.exceptions import MCPError
    async with Client(target, mode="legacy") as c:
        assert (await c.call_tool("add", {"a": 2, "b": 3})).content[0].text == "5"
        assert (await c.call_tool("echo", {"text": "plain words"})).content[0].text == "plain words"
        with pytest.raises(MCPError):
            await c.call_tool("echo", {"text": "token AKIAIOSFODNN7EXAMPLE"})


def _check_mcp(rdir, tmp_path, pub, pub_hex, transport):
    recs = _records(rdir)
    intents, outcomes = _pairs(recs)
    assert sorted(i["target"] for i in intents) == ["add", "echo"]
    assert all(i["transport"] == transport and i["method"] == "tools/call" for i in intents)
    assert all(outcomes[i["action_id"]]["pattern"] == "response=tool_result verdict=allow" for i in intents)
    blocked = [r for r in recs if r["verdict"] == "block" and r["target"] == "echo"]
    assert len(blocked) == 1 and not blocked[0].get("intent", "").startswith("egress-intent")
    out = json.loads(run_cli("verify", str(rdir), "--key", pub, "--json").stdout)
    assert out["valid"] and out["sealed"] and out["gaps"] == [], out
    pv = pipelock_verify(_whole(rdir, tmp_path), pub_hex)
    assert pv.returncode == 0 and "CHAIN VALID" in pv.stdout, pv.stdout + pv.stderr


def test_mcp_stdio_tools_call_intents(tmp_path):
    from mcp.client.stdio import StdioServerParameters
    key, pub, pub_hex = _keys(tmp_path)
    rdir = tmp_path / "r"
    params = StdioServerParameters(command=PY, args=["-m", "ringfence", "mcp", "proxy", "--receipts", str(rdir),
                                                     "--signing-key", key, "--", PY, SDK_SERVER, "clean"],
                                   env=dict(os.environ))
    anyio.run(_mcp_calls, params)
    end = time.monotonic() + 30  # the proxy seals its log as it exits after the client closed
    while time.monotonic() < end and not any("transcript_root" in p.read_text() for p in rdir.glob("*.jsonl")):
        time.sleep(0.2)
    _check_mcp(rdir, tmp_path, pub, pub_hex, "mcp_stdio")


def test_mcp_streamable_http_tools_call_intents(tmp_path):
    key, pub, pub_hex = _keys(tmp_path)
    up_port, port, rdir = _port(), _port(), tmp_path / "r"
    server = subprocess.Popen([PY, SDK_SERVER, "clean", "--http", str(up_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy = None
    try:
        _wait(up_port, server)
        proxy = subprocess.Popen([PY, "-m", "ringfence", "mcp", "proxy", "--upstream",
                                  f"http://127.0.0.1:{up_port}/mcp", "--listen", f"127.0.0.1:{port}",
                                  "--receipts", str(rdir), "--signing-key", key],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(port, proxy)
        anyio.run(_mcp_calls, f"http://127.0.0.1:{port}/mcp")
    finally:
        for p in (proxy, server):
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=30)
    _check_mcp(rdir, tmp_path, pub, pub_hex, "mcp_http")


def test_heartbeat_gap_of_a_stopped_run_is_reported(tmp_path):
    """A real `ringfence run` frozen (SIGSTOP) for several heartbeat intervals: verify names the window."""
    key, pub, _ = _keys(tmp_path)
    cfg = tmp_path / "rf.yaml"
    cfg.write_text("receipts:\n  heartbeat_s: 1\n")
    port, rdir = _port(), tmp_path / "r"
    proc = subprocess.Popen([PY, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "-c", str(cfg),
                             "--receipts", str(rdir), "--signing-key", key, "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(port, proc)
        time.sleep(1.5)
        os.kill(proc.pid, signal.SIGSTOP)
        time.sleep(5)
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(1.5)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    out = json.loads(run_cli("verify", str(rdir), "--key", pub, "--json").stdout)
    assert out["valid"] and out["sealed"]
    gaps = {g["kind"]: g for g in out["gaps"]}
    assert set(gaps) == {"missing_heartbeat_window"}
    assert max(e["seconds"] for e in gaps["missing_heartbeat_window"]["examples"]) >= 4


def test_outcome_without_intent_is_reported(tmp_path):
    """An outcome whose intent is not in the chain (e.g. a log cut before it) is a gap, not an error."""
    from ringfence.core import Action, Decision, record, record_outcome
    from ringfence.receipts.keys import load_private_key
    from ringfence.receipts.writer import ReceiptWriter, uuid7
    key, pub, pub_hex = _keys(tmp_path)
    w = ReceiptWriter(str(tmp_path / "r"), load_private_key(key), policy_hash="sha256:t", session_id="o")
    d = record(w, Action("forward", "outbound", "http://a.test/", "GET", meta={"egress": True}), Decision("allow"))
    record_outcome(w, d.receipt_id, "status=200")
    assert record_outcome(w, uuid7(), "status=200")  # an intent this chain never had
    w.close()
    out = json.loads(run_cli("verify", str(tmp_path / "r"), "--key", pub, "--json").stdout)
    assert out["valid"] and [g["kind"] for g in out["gaps"]] == ["outcome_without_intent"]
    assert out["gaps"][0]["count"] == 1
    pv = pipelock_verify(_whole(tmp_path / "r", tmp_path), pub_hex)
    assert pv.returncode == 0, pv.stdout


def test_mcp_server_dying_mid_call_gets_an_error_outcome(tmp_path):
    key, pub, _ = _keys(tmp_path)
    rdir = tmp_path / "r"
    p = subprocess.Popen([PY, "-m", "ringfence", "mcp", "proxy", "--receipts", str(rdir), "--signing-key", key,
                          "--", PY, SDK_SERVER, "clean"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    msgs = [{"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "t", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "crash", "arguments": {}}}]
    try:
        p.stdin.write(json.dumps(msgs[0]).encode() + b"\n")
        p.stdin.flush()
        assert json.loads(p.stdout.readline())["id"] == 1
        for m in msgs[1:]:
            p.stdin.write(json.dumps(m).encode() + b"\n")
        p.stdin.flush()
        answer = json.loads(p.stdout.readline())
        assert answer["id"] == 2 and answer["error"]["data"]["rule"] == "server_exited"
    finally:
        p.stdin.close()
        p.wait(timeout=60)
    recs = _records(rdir)
    intents, outcomes = _pairs(recs)
    assert [i["target"] for i in intents] == ["crash"]
    assert outcomes[intents[0]["action_id"]]["pattern"] == "error=server_exited"
    out = json.loads(run_cli("verify", str(rdir), "--key", pub, "--json").stdout)
    assert out["valid"] and out["sealed"] and out["gaps"] == [], out


def test_mcp_stdio_to_http_bridge_tools_call_intents(tmp_path):
    from mcp.client.stdio import StdioServerParameters
    key, pub, pub_hex = _keys(tmp_path)
    up_port, rdir = _port(), tmp_path / "r"
    server = subprocess.Popen([PY, SDK_SERVER, "clean", "--http", str(up_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(up_port, server)
        params = StdioServerParameters(command=PY, args=["-m", "ringfence", "mcp", "proxy", "--upstream",
                                                         f"http://127.0.0.1:{up_port}/mcp", "--receipts", str(rdir),
                                                         "--signing-key", key], env=dict(os.environ))
        anyio.run(_mcp_calls, params)
        end = time.monotonic() + 30
        while time.monotonic() < end and not any("transcript_root" in p.read_text() for p in rdir.glob("*.jsonl")):
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    _check_mcp(rdir, tmp_path, pub, pub_hex, "mcp_http")
