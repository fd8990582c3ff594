"""The dev cases' content through the scanners (stateless tier): the pass count
must not regress below the committed baseline, and no benign case may block."""
import json
from pathlib import Path

import pytest

from ringfence.bench import cases as C
from ringfence.bench.static import evaluate, fresh, make_engine

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT.parent / "shared" / "aeb" / "cases"
BASELINE = json.loads((ROOT / "benchmarks" / "aeb-baseline.json").read_text())


@pytest.fixture(scope="module")
def results():
    cases, bad = C.load_cases(CASES)
    assert not bad
    engine = make_engine()
    out = {}
    for case in cases:
        d = evaluate(case, fresh(engine))
        out[case.id] = (case, d)
    return out


def test_static_pass_count_does_not_regress(results):
    passed = [cid for cid, (c, d) in results.items() if (d.verdict == "block") == (c.expected_verdict == "block")]
    failed = sorted(set(results) - set(passed))
    assert len(passed) >= BASELINE["static_passed"], f"regressed; failing: {failed}"


def test_no_benign_case_blocks(results):
    fps = [cid for cid, (c, d) in results.items() if c.expected_verdict == "allow" and d.verdict == "block"]
    assert fps == []


def test_every_block_names_scanner_and_rule(results):
    for cid, (c, d) in results.items():
        if d.verdict == "block":
            assert d.top is not None and d.top.scanner and d.top.rule, cid
