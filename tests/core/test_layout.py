"""Test modules must have unique basenames: the suite has no __init__.py files, so
pytest imports them by basename and a duplicate breaks collection."""
from collections import Counter
from pathlib import Path


def test_test_module_basenames_are_unique():
    root = Path(__file__).resolve().parents[1]
    names = Counter(p.name for p in root.rglob("test_*.py"))
    assert [n for n, c in names.items() if c > 1] == []
