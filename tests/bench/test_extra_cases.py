"""Red-team cases (tests/bench/extra_cases, same format as agent-egress-bench) through
the stateless tier: every case validates against the AEB schema, no benign case
blocks, and the malicious pass count does not fall below the committed baseline."""
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from shared_corpus import AEB_CASES, require

from ringfence.bench import cases as C
from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine

ROOT = Path(__file__).resolve().parents[2]
EXTRA = ROOT / "tests" / "bench" / "extra_cases"
SCHEMA = require("aeb/schemas/case.schema.json")
BASELINE = json.loads((ROOT / "benchmarks" / "extra-baseline.json").read_text())
INPUT_TYPES = {"url", "request_body", "header", "response_content", "mcp_tool_call", "mcp_tool_sequence",
               "mcp_tool_definition", "mcp_tool_result", "a2a_message", "a2a_agent_card", "websocket_frame"}


@pytest.fixture(scope="module")
def loaded():
    cases, bad = C.load_cases(EXTRA)
    assert not bad
    return cases


@pytest.fixture(scope="module")
def results(loaded):
    engine = make_engine()
    return {c.id: (c, evaluate(c, fresh(engine))) for c in loaded}


@pytest.mark.skipif(not SCHEMA.exists(), reason="AEB schema not present")
def test_every_case_validates_against_the_aeb_schema(loaded):
    schema = json.loads(SCHEMA.read_text())
    for c in loaded:
        jsonschema.validate(c.data, schema)


def test_layout_coverage_and_mix(loaded):
    ids = [c.id for c in loaded]
    assert len(ids) == len(set(ids)) >= 80
    for c in loaded:
        assert c.path.name == c.id + ".json" and c.path.parent.name == c.category.replace("_", "-")
    assert {c.input_type for c in loaded} == INPUT_TYPES
    assert len({c.category for c in loaded}) == 17
    mal = sum(c.expected_verdict == "block" for c in loaded)
    assert 0.5 <= mal / len(loaded) <= 0.7


def test_no_benign_case_blocks(results):
    fps = [cid for cid, (c, d) in results.items() if c.expected_verdict == "allow" and d.verdict == "block"]
    assert fps == []


def test_malicious_misses_are_exactly_the_pinned_ids(results):
    """Known misses are pinned by id: a new miss fails, and so does a fixed one left in the baseline.
    A block caused only by an internal scan error is not a catch."""
    missed = sorted(cid for cid, (c, d) in results.items()
                    if c.expected_verdict == "block" and actual_verdict(d) != "block")
    caught = [cid for cid, (c, d) in results.items() if c.expected_verdict == "block" and actual_verdict(d) == "block"]
    assert missed == sorted(BASELINE["known_misses"]), f"misses {missed} != pinned {BASELINE['known_misses']}"
    assert len(caught) == BASELINE["malicious_blocked"]


def test_every_block_names_scanner_and_rule(results):
    for cid, (c, d) in results.items():
        if d.verdict == "block":
            assert d.top is not None and d.top.scanner and d.top.rule, cid


def test_cli_static_bench_runs_on_extra_cases(tmp_path):
    exe = Path(sys.executable).with_name("ringfence")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "ringfence"]
    p = subprocess.run(cmd + ["bench", "aeb", "--cases", str(EXTRA), "--tier", "static"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert p.returncode in (0, 1), p.stderr[-2000:]
    assert "results:" in p.stdout + p.stderr
