"""Property-based fuzzing of every parser (short in CI; `make fuzz` runs long).

Each test draws inputs (raw bytes and near-valid ones built from the format's own
tokens) and runs one target from targets.py. Regression inputs under
regressions/<target>/ replay on every run.
"""
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import strategies as S
from targets import EXECUTIONS, TARGETS

pytestmark = pytest.mark.timeout(1800)
PROFILE = settings.get_profile(os.environ.get("RINGFENCE_FUZZ_PROFILE", "rf-ci"))
REGRESSIONS = Path(__file__).parent / "regressions"

INPUTS = {
    "http_request": S.HTTP, "url_parse": S.URL, "url_scan": S.URL, "ip_parse": S.URL, "text_decode": S.TEXT,
    "scanner_decoders": S.TEXT, "normalize": S.TEXT, "scan_text": S.TEXT, "jsonrpc_framing": S.JSONRPC,
    "jsonrpc_guard": S.JSONRPC, "sse_split": S.SSE, "sse_proxy_scan": S.SSE, "ws_frames": S.WS,
    "yaml_config": S.YAML, "receipt_verify": st.binary(max_size=200), "receipt_canonical": S.JSONRPC,
    "a2a_parse": S.A2A,
}
assert set(INPUTS) == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz(name):
    target = TARGETS[name]

    @PROFILE
    @given(st.one_of(S.RAW, INPUTS[name]))
    def run(data):
        target(data)
    t = time.monotonic()
    run()
    stats = os.environ.get("RINGFENCE_FUZZ_STATS")
    if stats:   # `make fuzz` reports executions per target
        with open(stats, "a") as f:
            f.write(f"{name}: {EXECUTIONS.get(name, 0)} executions in {time.monotonic() - t:.0f} s\n")


def _regression_inputs():
    for d in sorted(REGRESSIONS.iterdir()) if REGRESSIONS.is_dir() else []:
        for f in sorted(d.iterdir()):
            yield pytest.param(d.name, f, id=f"{d.name}/{f.name}")


@pytest.mark.parametrize("name,path", list(_regression_inputs()))
def test_regression_inputs(name, path):
    TARGETS[name](path.read_bytes())
