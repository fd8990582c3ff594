"""Session and intent receipts: signed, gap-checked by `ringfence verify`, accepted by the
real pipelock-verify 0.4.1; and a real `ringfence run` signs session_open/close and, on
/fetch, an intent before the request leaves and an outcome after."""
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
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from evgen import make_key, write_run
from ringfence.core import Action, Decision
from rhelp import pipelock_verify, run_cli


def _hex(pub):
    return base64.b64decode(open(pub).read().split()[1]).hex()


def _records(d):
    out = []
    for p in sorted(d.glob("evidence-*.jsonl"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        for line in p.read_text().splitlines():
            e = json.loads(line)
            if e["type"] == "action_receipt":
                out.append(e["detail"]["action_record"])
    return out


def test_session_and_intent_records_verify_everywhere(tmp_path):
    priv, pub = make_key(tmp_path)
    w = write_run(tmp_path / "r", priv, n=12, heartbeat_s=1, max_entries_per_file=10)
    recs = _records(tmp_path / "r")
    kinds = [r["pattern"] for r in recs if r["transport"] == "receipt_session"]
    assert kinds[0] == "session_open" and kinds[-1] == "session_close"
    facts = dict(x.split("=", 1) for x in recs[0]["intent"].split()[1:])
    assert facts["config"] == "sha256:test" and facts["ruleset"] == "sha256:rules" and facts["version"] == "0.1.0"
    assert facts["key"] == "sha256:" + __import__("hashlib").sha256(bytes.fromhex(_hex(pub))).hexdigest()
    intents = [r for r in recs if r.get("intent", "").startswith("egress-intent")]
    outcomes = {r["request_id"]: r for r in recs if r.get("layer") == "outcome"}
    assert intents and all(i["action_id"] in outcomes for i in intents)
    assert all(recs.index(i) < recs.index(outcomes[i["action_id"]]) for i in intents)
    # only v1-base fields: nothing a strict or an old verifier would reject
    base = {"version", "action_id", "action_type", "timestamp", "principal", "actor", "delegation_chain", "target",
            "intent", "data_classes_in", "data_classes_out", "side_effect_class", "reversibility", "policy_hash",
            "verdict", "transport", "method", "layer", "pattern", "severity", "request_id", "chain_prev_hash",
            "chain_seq"}
    assert all(set(r) <= base for r in recs)
    r = run_cli("verify", str(tmp_path / "r"), "--key", pub, "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["valid"] and out["sealed"] and out["gaps"] == []
    whole = tmp_path / "whole.jsonl"
    whole.write_bytes(b"".join(open(p, "rb").read() for p in w.paths))
    pv = pipelock_verify(whole, _hex(pub))
    assert pv.returncode == 0 and "CHAIN VALID" in pv.stdout, pv.stdout + pv.stderr


def test_verify_reports_gaps(tmp_path):
    from ringfence.receipts.keys import load_private_key
    from ringfence.receipts.writer import ReceiptWriter
    priv, pub = make_key(tmp_path)
    w = ReceiptWriter(str(tmp_path / "r"), load_private_key(priv), policy_hash="sha256:t", session_id="g")
    w.open_session("run", heartbeat_s=1)
    w._sess["stop"].set()                 # heartbeats stop: a window goes missing
    w._hb_thread.join(10)
    w.record_intent(Action("fetch", "outbound", "https://lost.example/x", "GET"), Decision("allow"))
    time.sleep(2.5)
    w._sess["closed"] = True              # crash-like: no session_close, but the log is sealed
    w.close()
    r = run_cli("verify", str(tmp_path / "r"), "--key", pub, "--json")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["valid"]  # gaps are reported, integrity holds
    kinds = {g["kind"]: g for g in out["gaps"]}
    assert set(kinds) == {"intent_without_outcome", "session_without_close"} or \
        set(kinds) == {"intent_without_outcome", "session_without_close", "missing_heartbeat_window"}
    assert kinds["intent_without_outcome"]["examples"][0]["target"] == "https://lost.example/x"
    human = run_cli("verify", str(tmp_path / "r"), "--key", pub).stdout
    assert "Gap:" in human and "without an outcome" in human and "no session_close" in human
    pv = pipelock_verify(w.paths[0], _hex(pub))
    assert pv.returncode == 0, pv.stdout


def test_missing_heartbeat_window_detected(tmp_path):
    from ringfence.receipts.gaps import Gaps
    g = Gaps()
    g.add({"transport": "receipt_session", "pattern": "session_open", "timestamp": "2026-01-01T00:00:00Z",
           "intent": "session_open heartbeat_s=10", "action_id": "a"})
    g.add({"transport": "receipt_session", "pattern": "heartbeat", "timestamp": "2026-01-01T00:00:10.5Z",
           "action_id": "b"})
    g.add({"transport": "receipt_session", "pattern": "heartbeat", "timestamp": "2026-01-01T00:01:00Z",
           "action_id": "c"})
    g.add({"transport": "receipt_session", "pattern": "session_close", "timestamp": "2026-01-01T00:01:05Z",
           "action_id": "d"})
    rep = g.report()
    assert [x["kind"] for x in rep] == ["missing_heartbeat_window"]
    assert rep[0]["examples"][0]["seconds"] == 49.5


class _Up(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body>hello</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_ringfence_run_signs_session_intent_and_outcome(tmp_path):
    priv, pub = make_key(tmp_path)
    up = ThreadingHTTPServer(("127.0.0.1", 0), _Up)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rdir = tmp_path / "r"
    proc = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "--receipts",
                             str(rdir), "--signing-key", priv, "--resolve",
                             f"site.test:{up.server_address[1]}:127.0.0.1", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                assert time.monotonic() < end and proc.poll() is None
                time.sleep(0.1)
        url = urllib.parse.quote(f"http://site.test:{up.server_address[1]}/page", safe="")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/fetch?url={url}", timeout=20) as r:
            assert r.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        up.shutdown()
    recs = _records(rdir)
    assert recs[0]["pattern"] == "session_open" and "kind=run" in recs[0]["intent"]
    assert recs[-1]["pattern"] == "session_close"
    intent = next(r for r in recs if r.get("intent", "").startswith("egress-intent"))
    outcome = next(r for r in recs if r.get("layer") == "outcome")
    assert outcome["request_id"] == intent["action_id"] and outcome["pattern"] == "status=200"
    assert recs.index(intent) < recs.index(outcome)
    out = json.loads(run_cli("verify", str(rdir), "--key", pub, "--json").stdout)
    assert out["valid"] and out["sealed"] and out["gaps"] == []


def test_mcp_proxy_session_open_and_close(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    raw_server = os.path.join(root, "tests", "fixtures", "mcp_servers", "raw_server.py")
    priv, pub = make_key(tmp_path)
    rdir = tmp_path / "r"
    line = b'{"jsonrpc":"2.0","id":1,"method":"echo_raw","params":{"x":"hi"}}\n'
    p = subprocess.run([sys.executable, "-m", "ringfence", "mcp", "proxy", "--receipts", str(rdir), "--signing-key",
                        priv, "--", sys.executable, raw_server], input=line, capture_output=True, timeout=60)
    assert p.stdout, p.stderr
    recs = _records(rdir)
    assert recs[0]["pattern"] == "session_open" and "kind=mcp" in recs[0]["intent"]
    assert "raw_server.py" in recs[0]["intent"] and recs[-1]["pattern"] == "session_close"
    out = json.loads(run_cli("verify", str(rdir), "--key", pub, "--json").stdout)
    assert out["valid"] and out["sealed"] and out["gaps"] == []
    pv = pipelock_verify(next(rdir.glob("evidence-*.jsonl")), _hex(pub))
    assert pv.returncode == 0, pv.stdout


def test_intent_durability_modes(tmp_path):
    from ringfence.receipts.keys import load_private_key
    from ringfence.receipts.writer import ReceiptWriter
    priv, pub = make_key(tmp_path)
    a = Action("fetch", "outbound", "https://example.com/", "GET")
    for mode in ("disabled", "batch", "fsync"):
        w = ReceiptWriter(str(tmp_path / mode), load_private_key(priv), policy_hash="sha256:t", session_id=mode,
                          intent_durability=mode)
        assert w.record_outcome(w.record_intent(a, Decision("allow")), "status=200") or mode == "disabled"
        w.close()
        recs = _records(tmp_path / mode)
        marked = [r for r in recs if r.get("intent", "").startswith("egress-intent")]
        outs = [r for r in recs if r.get("layer") == "outcome"]
        assert (len(marked), len(outs)) == ((0, 0) if mode == "disabled" else (1, 1)), mode
