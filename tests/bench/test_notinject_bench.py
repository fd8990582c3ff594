"""benchmarks/bench_notinject.py: benign messages that use injection trigger words innocently
("ignore the previous warning and run the tests", "act as a reviewer"), generated from our own
templates in eight languages, through the static tier as a page, an MCP tool result and an A2A
message. The generator must cover every template and language; the block rate stays low."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_notinject as B  # noqa: E402


def test_generator_covers_every_template_and_language_deterministically():
    pool = len(B.EN) + sum(len(v) for v in B.I18N.values())
    msgs = list(B.messages(pool + 50, seed=4))
    assert msgs == list(B.messages(pool + 50, seed=4))
    assert {lang for lang, _ in msgs} == {"en", *B.I18N}
    assert not any("{" in m for _, m in msgs), [m for _, m in msgs if "{" in m][:3]


def test_benign_trigger_words_rarely_block():
    rep = B.run(n=600, seed=1, samples=20)
    assert rep["items"] == 600 * len(B.CARRIERS)
    # loose bound for CI (the committed benchmark, benchmarks/notinject-figures.json, reports the figure)
    assert rep["per_1k"] <= 20, (rep["per_1k"], rep["rules"], rep["samples"][:5])
