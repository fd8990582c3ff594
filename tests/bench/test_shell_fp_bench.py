"""benchmarks/bench_shell_fp.py: real shell text (Debian scripts, README shell blocks) through the
tool policy. Parsing is checked on fixed text; a small real run must find items and stay rare."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_shell_fp as B  # noqa: E402


def test_logical_lines_join_continuations_and_drop_comments():
    script = "#!/bin/sh\n# note\nset -e\n\ncurl -fsSL \\\n  -o x.tgz https://example.com/x.tgz\necho done\n"
    assert B.logical_lines(script) == ["set -e", "curl -fsSL -o x.tgz https://example.com/x.tgz", "echo done"]


def test_readme_blocks_are_found_in_markdown_and_rst():
    md = "Intro\n\n```bash\npip install ringfence\n```\n\n```console\n$ make test\nok\n```\n\n```python\nx=1\n```\n"
    rst = "Usage\n\n.. code-block:: bash\n\n   ./configure && make\n   make install\n\nText\n"
    assert B._blocks(md) == ["pip install ringfence", "make test"]
    assert B._blocks(rst) == ["./configure && make\nmake install"]


@pytest.mark.skipif(not Path("/var/lib/dpkg/info").is_dir(), reason="needs a Debian system")
def test_small_real_run_finds_items_and_blocks_rarely():
    rep = B.run(limit=40, seed=3, samples=5)
    c = rep["corpora"]
    assert c["debian_lines"]["items"] > 100 and c["debian_scripts"]["items"] > 10
    for v in c.values():
        assert v["blocked"] <= v["items"] and len(v["samples"]) <= v["blocked"]
    t = rep["total"]
    assert t["blocked"] * 100 <= t["items"], rep   # at most 1 in 100 on a small sample (target: near zero)
