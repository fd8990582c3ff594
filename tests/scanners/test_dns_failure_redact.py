"""A name that fails to resolve may carry data DLP did not recognise: the
dns_failure finding (receipts, logs) never holds a long label whole."""
import random

import pytest

from ringfence.engine import Engine
from ringfence.scanners.ssrf import StaticResolver


@pytest.fixture(scope="module")
def engine():
    return Engine(resolver=StaticResolver({}))


def test_long_labels_redacted_in_dns_failure(engine):
    # Long but word-like labels (high-entropy ones are blocked before any lookup).
    words = ["report", "archive", "quarterly", "summer", "mirror", "static", "assets", "project"]
    rng = random.Random(7)
    for _ in range(20):
        label = "".join(rng.sample(words, rng.randint(3, 5)))
        d, _ = engine.check_url(f"https://{label}.files.example.org/x")
        f = [f for f in d.findings if f.rule == "dns_failure"]
        assert f, (label, d.findings)
        assert label not in f[0].excerpt and "files.example.org" in f[0].excerpt


def test_short_labels_kept_for_the_operator(engine):
    d, _ = engine.check_url("https://docs.example.org/x")
    f = [f for f in d.findings if f.rule == "dns_failure"]
    assert f and "docs.example.org" in f[0].excerpt
