"""Coverage-guided fuzzing (atheris / libFuzzer) of the targets in tests/fuzz/targets.py.

  python fuzz/atheris_fuzz.py TARGET [libFuzzer flags, e.g. -max_total_time=60]
  python fuzz/atheris_fuzz.py --list

A crash leaves its input as fuzz/crashes/TARGET-crash-*; copy it to
tests/fuzz/regressions/TARGET/ (it then replays in every test run) and fix.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))


def main() -> int:
    import atheris
    with atheris.instrument_imports(include=["ringfence"]):
        import targets          # the ringfence modules load lazily, below
    if len(sys.argv) < 2 or sys.argv[1] in ("--list", "-h", "--help"):
        print("targets:", " ".join(sorted(targets.TARGETS)))
        return 0 if len(sys.argv) >= 2 else 2
    name = sys.argv[1]
    if name not in targets.TARGETS:
        print(f"unknown target {name!r}; try --list", file=sys.stderr)
        return 2
    with atheris.instrument_imports(include=["ringfence"]):
        targets.load_all()      # every ringfence module the targets reach, instrumented on import
    target = targets.TARGETS[name]
    crashes = ROOT / "fuzz" / "crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    corpus = ROOT / "fuzz" / "corpus" / name
    corpus.mkdir(parents=True, exist_ok=True)
    seeds = ROOT / "tests" / "fuzz" / "regressions" / name
    args = [sys.argv[0], *sys.argv[2:], f"-artifact_prefix={crashes}/{name}-", str(corpus)]
    if seeds.is_dir():
        args.append(str(seeds))
    atheris.Setup(args, target)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
