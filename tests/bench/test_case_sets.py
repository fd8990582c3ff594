"""Red-team case sets as data: every case directory under tests/bench (agent-egress-bench
format, written for ringfence) through the static tier, each against its baseline in
benchmarks/. Misses and false positives are pinned by id: a new one fails, and so does a
fixed one left pinned. A block caused only by an internal scan error is not a catch.

The table is explicit (no glob): a blind round joins it only once it has been run.
`scripts/pin_case_sets.py` shows what changed per set, and `--write` re-pins it."""
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from shared_corpus import require

from ringfence.bench import cases as C
from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "tests" / "bench"
SCHEMA = require("aeb/schemas/case.schema.json")
CASE_SETS = {  # directory -> its baseline
    "extra_cases": "extra-baseline.json",
    "extra_cases2": "extra2-baseline.json",
    "blind_round1": "blind1-baseline.json",
    "blind_round2": "blind2-baseline.json",
    "blind_round3": "blind3-baseline.json",
    "blind_round4": "blind4-baseline.json",
    "blind_round5": "blind5-baseline.json",
    "blind_round6": "blind6-baseline.json",
}


@pytest.fixture(scope="module")
def engine():
    return make_engine()


@pytest.fixture(scope="module")
def loaded():
    out = {}
    for name in CASE_SETS:
        cases, bad = C.load_cases(BENCH / name)
        assert not bad, (name, bad)
        out[name] = cases
    return out


def _baseline(name: str) -> dict:
    return json.loads((ROOT / "benchmarks" / CASE_SETS[name]).read_text())


@pytest.mark.parametrize("name", sorted(CASE_SETS))
def test_cases_validate_and_are_laid_out_by_category(loaded, name):
    schema = json.loads(SCHEMA.read_text())
    cases = loaded[name]
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)) == _baseline(name)["cases"]
    for c in cases:
        jsonschema.validate(c.data, schema)
        assert c.path.name == c.id + ".json" and c.path.parent.name == c.category.replace("_", "-")
    mal = sum(c.expected_verdict == "block" for c in cases)
    assert mal == _baseline(name)["malicious"]


@pytest.mark.parametrize("name", sorted(CASE_SETS))
def test_static_tier_misses_and_false_positives_are_exactly_the_pinned_ids(loaded, engine, name):
    base = _baseline(name)
    results = {c.id: (c, evaluate(c, fresh(engine))) for c in loaded[name]}
    missed = sorted(cid for cid, (c, d) in results.items()
                    if c.expected_verdict == "block" and actual_verdict(d) != "block")
    fps = sorted(cid for cid, (c, d) in results.items()
                 if c.expected_verdict == "allow" and actual_verdict(d) == "block")
    assert missed == sorted(base["known_misses"]), f"{name}: misses {missed} != pinned"
    assert fps == sorted(base["known_false_positives"]), f"{name}: false positives {fps} != pinned"
    assert base["malicious_blocked"] == base["malicious"] - len(missed)
    for cid, (c, d) in results.items():
        if d.verdict == "block":
            assert d.top is not None and d.top.scanner and d.top.rule, cid


def test_cli_static_bench_runs_on_a_case_set(tmp_path):
    exe = Path(sys.executable).with_name("ringfence")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "ringfence"]
    p = subprocess.run(cmd + ["bench", "aeb", "--cases", str(BENCH / "extra_cases"), "--tier", "static"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert p.returncode in (0, 1), p.stderr[-2000:]
    assert "results:" in p.stdout + p.stderr
