"""Every built-in DLP rule: its own true positives are found, its near misses are not."""
import pytest

from ringfence.config import Config
from ringfence.rules.dlp import RULES
from ringfence.scanners.dlp import DlpScanner


@pytest.fixture(scope="module")
def scanner():
    cfg = Config()
    cfg = cfg.model_copy(update={"dlp": cfg.dlp.model_copy(update={"scan_env": False})})
    return DlpScanner(cfg)


TP = [(r.id, s) for r in RULES for s in r.tp]
TN = [(r.id, s) for r in RULES for s in r.tn]


def test_enough_rules_each_with_examples():
    assert len(RULES) >= 60
    assert len({r.id for r in RULES}) == len(RULES)
    for r in RULES:
        assert r.tp and r.tn, r.id


@pytest.mark.parametrize("rule,text", TP, ids=[f"{r}-{i}" for i, (r, _) in enumerate(TP)])
def test_true_positive(scanner, rule, text):
    found = scanner.scan(text, "t")
    assert rule in {f.rule for f in found}, found
    for f in found:
        assert f.scanner == "dlp" and f.action == "block"


@pytest.mark.parametrize("rule,text", TN, ids=[f"{r}-{i}" for i, (r, _) in enumerate(TN)])
def test_near_miss(scanner, rule, text):
    found = scanner.scan(text, "t")
    assert rule not in {f.rule for f in found}, found
