"""Every metric and label the Grafana dashboard queries exists in a real `ringfence run`'s
/metrics after real traffic (an allow, a DLP block, an upstream error, the kill switch)."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client.parser import text_string_to_metric_families

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DASH = os.path.join(ROOT, "deploy", "grafana", "ringfence-dashboard.json")
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
TOKEN = "grafana-test-token-0123456789"
SCRAPE_LABELS = {"job", "instance"}      # added by Prometheus at scrape time, not by ringfence
PROMQL_WORDS = {"sum", "by", "rate", "max", "topk", "histogram_quantile", "without", "avg"}


class _Up(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *a):
        pass


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port, proc, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError(proc.stderr.read().decode()[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"port {port} did not open")


def queries():
    dash = json.load(open(DASH))
    return [t["expr"] for p in dash["panels"] for t in p["targets"]]


def used(expr):
    """(metric names, label names) a PromQL expression relies on."""
    names = set(re.findall(r"\bringfence_[a-z_]+\b", expr))
    labels = set()
    for group in re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", expr):
        labels |= {x.strip() for x in group.split(",") if x.strip()}
    for matchers in re.findall(r"\{([^}]*)\}", expr):
        labels |= set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    return names, labels - SCRAPE_LABELS - PROMQL_WORDS


def test_dashboard_parses_and_covers_the_issue_panels():
    dash = json.load(open(DASH))
    text = json.dumps(dash)
    for metric in ("ringfence_decisions_total", "ringfence_blocks_total", "ringfence_decision_seconds_bucket",
                   "ringfence_upstream_errors_total", "ringfence_receipts_written_total",
                   "ringfence_receipts_failed_total", "ringfence_kill_switch_active"):
        assert metric in text
    assert used('histogram_quantile(0.9, sum by (le) (rate(ringfence_decision_seconds_bucket{job=~"$job"}[5m])))') \
        == ({"ringfence_decision_seconds_bucket"}, {"le"})


def test_dashboard_metrics_exist_after_real_traffic(tmp_path):
    from ringfence.receipts.keys import write_keypair
    key = str(tmp_path / "k.key")
    write_keypair(key)
    up = ThreadingHTTPServer(("127.0.0.1", 0), _Up)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    up_port, dead, port, admin = up.server_address[1], _port(), _port(), _port()
    cfg = tmp_path / "rf.yaml"
    cfg.write_text(f"admin:\n  listen: 127.0.0.1:{admin}\n  token_env: RF_DASH_TOKEN\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ringfence", "run", "--listen", f"127.0.0.1:{port}", "-c", str(cfg), "--receipts",
         str(tmp_path / "r"), "--signing-key", key, "--resolve", f"site.test:{up_port}:127.0.0.1",
         "--resolve", f"dead.test:{dead}:127.0.0.1", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "RF_DASH_TOKEN": TOKEN})
    try:
        _wait(port, proc)
        _wait(admin, proc)
        op = urllib.request.build_opener(urllib.request.ProxyHandler({"http": f"http://127.0.0.1:{port}"}))
        assert op.open(f"http://site.test:{up_port}/a", timeout=20).status == 200
        for url, code in ((f"http://site.test:{up_port}/?k={AWS_KEY}", 403), (f"http://dead.test:{dead}/", 502)):
            try:
                op.open(url, timeout=20)
                raise AssertionError("expected an error")
            except urllib.error.HTTPError as e:
                assert e.code == code
        base = f"http://127.0.0.1:{admin}"
        req = urllib.request.Request(base + "/v1/killswitch", data=b'{"active": true}', method="POST",
                                     headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()
        try:
            op.open(f"http://site.test:{up_port}/b", timeout=20)
        except urllib.error.HTTPError as e:
            assert e.code == 503
        text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        up.shutdown()
    samples = {}
    values = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            samples.setdefault(s.name, set()).update(s.labels)
            values[(s.name, tuple(sorted(s.labels.items())))] = s.value
    missing = []
    for expr in queries():
        names, labels = used(expr)
        assert names, expr
        for n in names:
            if n not in samples:
                missing.append(f"{n} (in {expr})")
            elif not labels <= samples[n]:
                missing.append(f"{n} lacks labels {labels - samples[n]} (in {expr})")
    assert not missing, missing
    # the traffic really moved them
    assert values[("ringfence_blocks_total", (("rule", "aws_access_key_id"), ("scanner", "dlp")))] >= 1
    assert values[("ringfence_kill_switch_active", ())] == 1
    assert values[("ringfence_receipts_written_total", ())] >= 3
    assert any(k[0] == "ringfence_upstream_errors_total" and v >= 1 for k, v in values.items())
