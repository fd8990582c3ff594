"""Re-pin the misses and false positives of the red-team case sets (tests/bench/test_case_sets.py).

    .venv/bin/python scripts/pin_case_sets.py            # show what changed, per set
    .venv/bin/python scripts/pin_case_sets.py --write    # and write benchmarks/*-baseline.json

Run after a detector change that test_case_sets reports: review the "NEW" lines (a new
miss or false positive is a regression to fix, not to pin) before writing."""
from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def case_sets() -> dict[str, str]:
    """The CASE_SETS table of tests/bench/test_case_sets.py (one source of truth)."""
    tree = ast.parse((ROOT / "tests" / "bench" / "test_case_sets.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CASE_SETS":
            return ast.literal_eval(node.value)
    raise SystemExit("CASE_SETS not found in tests/bench/test_case_sets.py")


def main(argv: list[str]) -> int:
    from ringfence.bench import cases as C
    from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine
    write = "--write" in argv
    engine = make_engine()
    changed = False
    for name, baseline in case_sets().items():
        cases, bad = C.load_cases(ROOT / "tests" / "bench" / name)
        if bad:
            print(f"{name}: {len(bad)} cases do not load; fix them first", file=sys.stderr)
            return 2
        path = ROOT / "benchmarks" / baseline
        base = json.loads(path.read_text())
        verdicts = {c.id: (c.expected_verdict, actual_verdict(evaluate(c, fresh(engine)))) for c in cases}
        misses = sorted(i for i, (want, got) in verdicts.items() if want == "block" and got != "block")
        fps = sorted(i for i, (want, got) in verdicts.items() if want == "allow" and got == "block")
        old_m, old_f = set(base["known_misses"]), set(base["known_false_positives"])
        print(f"{name}: misses {len(old_m)} -> {len(misses)}, false positives {len(old_f)} -> {len(fps)}")
        for label, ids in (("NEW miss", set(misses) - old_m), ("fixed miss", old_m - set(misses)),
                           ("NEW false positive", set(fps) - old_f), ("fixed false positive", old_f - set(fps))):
            for i in sorted(ids):
                print(f"  {label}: {i}")
                changed = True
        if write:
            base.update(known_misses=misses, known_false_positives=fps,
                        malicious_blocked=base["malicious"] - len(misses))
            path.write_text(json.dumps(base, indent=2) + "\n")
    if write and changed:
        print("written; review `git diff benchmarks/` before committing")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
