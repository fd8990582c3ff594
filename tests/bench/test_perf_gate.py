"""Performance regression gate on ratios, not absolute times (a shared 2-core CI box).

Each figure is CPU time (thread_time / the child's rusage), best of a few runs, divided
by SHA-256 CPU time over bytes in the same run: other load on the machine then moves both
sides alike. Floors sit ~5x below what main measures, so only gross regressions fail
(a lost Hyperscan prefilter, a quadratic loop, an import of a heavy stack on the check path).
Figures: benchmarks/bench_check.py, bench_proxy.py, bench_startup.py (README, Performance).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.perf_gate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from corpora import corpus  # noqa: E402

SIZE = 128 * 1024
# scan CPU rate / SHA-256 CPU rate floors, per (corpus, direction); measured on main
# (in-process, 256 KB): english .013/.029, source .0024/.0014, minjs .0085/.0042,
# json_api .0083/.0096, html .0014/.079, base64 .0089/.031, nonlatin .0037/.072
FLOORS = {
    ("english", "outbound"): 0.0025, ("english", "inbound"): 0.005,
    ("source", "outbound"): 0.0004, ("source", "inbound"): 0.0002,
    ("minjs", "outbound"): 0.0005, ("minjs", "inbound"): 0.0008,  # outbound ~.0014 after issue 10 decoders
    ("json_api", "outbound"): 0.0015, ("json_api", "inbound"): 0.0018,
    ("html", "outbound"): 0.0002, ("html", "inbound"): 0.012,
    ("base64", "outbound"): 0.0015, ("base64", "inbound"): 0.005,
    ("nonlatin", "outbound"): 0.0006, ("nonlatin", "inbound"): 0.012,
}


def _cpu(fn, reps: int = 3) -> float:
    best = float("inf")
    for _ in range(reps):
        c = time.thread_time()  # this thread only: not a background pattern build
        fn()
        best = min(best, time.thread_time() - c)
    return max(best, 1e-4)


def _sha_cpu(data: bytes, rounds: int) -> float:
    return _cpu(lambda: [hashlib.sha256(data).digest() for _ in range(rounds)]) / rounds


@pytest.fixture(scope="module")
def engine():
    from ringfence.engine import Engine
    return Engine()


@pytest.mark.parametrize("name", sorted({n for n, _ in FLOORS}))
def test_scan_throughput_ratio_to_sha256(engine, name):
    data = corpus(name, SIZE)
    text = data.decode("utf-8")
    sha = _sha_cpu(data, 50)
    for direction in ("outbound", "inbound"):
        def scan():
            engine.verdicts.invalidate()  # measure the scan, not the verdict cache
            engine.scan_text(text, direction)
        ratio = sha / _cpu(scan)
        assert ratio >= FLOORS[(name, direction)], (name, direction, ratio)


def test_receipt_cost_ratio_to_sha256(tmp_path):
    from ringfence.core import Action, Decision
    from ringfence.receipts import ReceiptWriter
    from ringfence.receipts.keys import load_private_key, write_keypair
    priv, _, _ = write_keypair(str(tmp_path / "k.key"))
    w = ReceiptWriter(str(tmp_path / "ev"), load_private_key(priv), policy_hash="sha256:00", session_id="g")
    a, d = Action("forward", "inbound", "https://ok.test/p?n=1", "GET", kind="response"), Decision("allow")
    n = 300
    per = _cpu(lambda: [w.record(a, d) for _ in range(n)]) / n
    w.close()
    sha_1mb = _sha_cpu(os.urandom(1 << 20), 20)
    # main: one signed receipt ~ 35-40 us CPU ~ 0.07x of SHA-256 over 1 MiB (~0.5 ms)
    assert per / sha_1mb <= 0.5, per / sha_1mb


def test_warm_check_process_ratio_to_sha256(tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("hello world, nothing to see here\n")
    cmd = [sys.executable, "-m", "ringfence", "check", "--text", str(f)]
    subprocess.run(cmd, capture_output=True, timeout=600)  # fill the pattern cache if cold
    best = float("inf")
    for _ in range(2):
        before = os.times()
        p = subprocess.run(cmd, capture_output=True, timeout=600)
        after = os.times()
        assert p.returncode == 0, p.stderr[-300:]
        best = min(best, (after.children_user - before.children_user) + (after.children_system - before.children_system))
    sha_64mb = _sha_cpu(os.urandom(1 << 20), 20) * 64
    # main as found: ~0.6 s CPU ~ 18x SHA-256 over 64 MiB; after lazy scanners ~0.45 s;
    # perfstart (default config without pydantic, lazy imports and patterns) ~0.13 s ~ 4x
    assert best / sha_64mb <= 30, best / sha_64mb


# Inbound injection scan of documentation pages (benchmarks/bench_injection.py), in-process,
# 256 KB: scan CPU rate / SHA-256 CPU rate. f7124d1 ~.09 (html) / ~.07 (markdown); 4c9d3d9 ~.012
# after the parts family and 44 languages; perfinj ~.017. A floor ~4x below: a 10x loss fails.
INJECTION_FLOORS = {"html": 0.004, "markdown": 0.004}


@pytest.mark.parametrize("kind", sorted(INJECTION_FLOORS))
def test_injection_page_scan_ratio_to_sha256(kind):
    import bench_injection as bi
    from ringfence.config import Config
    from ringfence.scanners.injection import InjectionScanner
    page = (bi.html_page if kind == "html" else bi.markdown_page)(256 * 1024, 2, False)
    data = page.encode()
    scanner = InjectionScanner(Config())
    scanner.scan(page)   # build the databases first
    sha = _sha_cpu(data, 50)
    ratio = sha / _cpu(lambda: scanner.scan(page), reps=5)
    print(kind, round(ratio, 4))
    assert ratio >= INJECTION_FLOORS[kind], (kind, ratio)


def test_signer_thread_receipt_cost_ratio_to_sha256(tmp_path):
    """Receipts queued to the signer thread (receipts.queue_max > 0), all threads' CPU
    per receipt: batching must not cost more than signing inline does (gate above)."""
    from ringfence.core import Action, Decision
    from ringfence.receipts import ReceiptWriter
    from ringfence.receipts.keys import load_private_key, write_keypair
    priv, _, _ = write_keypair(str(tmp_path / "k.key"))
    w = ReceiptWriter(str(tmp_path / "ev"), load_private_key(priv), policy_hash="sha256:00", session_id="g",
                      queue_max=4096)
    a, d = Action("forward", "inbound", "https://ok.test/p?n=1", "GET", kind="response"), Decision("allow")
    n = 300
    best = float("inf")
    for _ in range(3):
        c = time.process_time()
        for _ in range(n):
            w.record(a, d, defer="wait")
        w.tickets.wait(w.last_ticket(), 60)
        best = min(best, time.process_time() - c)
    w.close()
    sha_1mb = _sha_cpu(os.urandom(1 << 20), 20)
    # ~40-60 us CPU a receipt (signing, hashing, one write per batch) ~ 0.1x SHA-256 over 1 MiB
    assert best / n / sha_1mb <= 0.6, best / n / sha_1mb


def test_mcp_tool_call_scan_ratio_to_sha256(engine):
    """One tools/call through the tool scanners (DLP over the arguments, policy, chains):
    ~0.15-0.2 ms CPU ~ 0.3x SHA-256 over 1 MiB on the 2-core box."""
    from ringfence.scanners.tools import ToolSession
    tools = engine.tools
    s = ToolSession(server="gate")
    tools.scan_tools_list([{"name": "search", "description": "Search the knowledge base.",
                            "inputSchema": {"type": "object", "properties": {"query": {"type": "string"}}}}],
                          s, "tools/list", False)
    args = {"query": "quarterly revenue report for the sales team", "limit": 10}
    n = 200
    per = _cpu(lambda: [tools.scan_tool_call("search", args, s) for _ in range(n)]) / n
    sha_1mb = _sha_cpu(os.urandom(1 << 20), 20)
    assert per / sha_1mb <= 2.0, per / sha_1mb


# Start-up and idle memory (benchmarks/bench_startup.py): what a warm `ringfence check` and
# an idle proxy without a config file load. Structural, so it cannot flake: pydantic and
# its models (~150 ms of a 270 ms check, ~11 MB of an idle proxy), PyYAML, the email
# parser and aiohttp (the admin API) stay out until something needs them.
HEAVY = ("pydantic", "pydantic_core", "yaml", "email.parser", "aiohttp")
CHECK_IMPORTS = """
import sys
sys.argv = ["ringfence", "check", {args}]
from ringfence.cli import main
try:
    main()
except SystemExit:
    pass
print("LOADED", sorted(m for m in {heavy!r} if m in sys.modules))
"""


@pytest.mark.parametrize("args", ['"--text", "/dev/null"', '"--text", "/dev/null", "--direction", "inbound"',
                                  '"--url", "https://example.com/x", "--no-dns"'])
def test_warm_check_imports_no_heavy_stack(args):
    code = CHECK_IMPORTS.format(args=args, heavy=HEAVY)
    subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=600)   # fill caches if cold
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert "LOADED []" in p.stdout, p.stdout[-300:] + p.stderr[-500:]


def test_idle_proxy_maps_no_pydantic(tmp_path):
    """An idle `ringfence run` without a config file never loads pydantic (its native
    core would show in the process's memory map)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proxy = subprocess.Popen([sys.executable, "-m", "ringfence", "run", "-q", "--no-receipts",
                              "--listen", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert b"listening" in proxy.stdout.readline()
        time.sleep(0.5)
        with open(f"/proc/{proxy.pid}/maps") as f:
            maps = f.read()
        assert "pydantic" not in maps and "_yaml" not in maps
    finally:
        proxy.terminate()
        proxy.wait(30)
