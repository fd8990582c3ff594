"""`ringfence bench fp` on the real benign text installed on this machine (Debian man pages and
docs, the venv's package READMEs): it finds items in every corpus it has, scans them through
the real engine, and reports blocks per 10,000 with rules and samples."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ringfence.bench import fp


@pytest.fixture(scope="module")
def report():
    return fp.run(limit=25, seed=1)


def test_real_corpora_are_found_and_scanned(report):
    c = report["corpora"]
    assert c["pypi_docs"]["items"] > 0 and c["bodies"]["items"] > 0 and c["urls"]["items"] > 0
    if Path("/usr/share/man/man1").is_dir():
        assert c["man_pages"]["items"] > 0
    for v in c.values():
        assert v["blocked"] <= v["items"]
        assert len(v["samples"]) <= v["blocked"]


def test_report_shape_and_rate(report):
    t = report["total"]
    assert t["items"] == sum(v["items"] for v in report["corpora"].values())
    assert t["target_per_10k"] == 10.0
    assert t["per_10k"] == round(t["blocked"] * 10000 / t["items"], 1)


def test_man_page_roff_is_rendered_to_text():
    assert fp._roff_text('.TH LS 1\n.SH NAME\nls \\- list\n.\\" comment\n\\fBbold\\fR') == "LS 1\nNAME\nls  list\nbold"


def test_cli_fp_runs_and_writes_json(tmp_path):
    exe = Path(sys.executable).with_name("ringfence")
    out = tmp_path / "fp.json"
    p = subprocess.run([str(exe), "bench", "fp", "--limit", "5", "--json", str(out)], capture_output=True,
                       text=True, timeout=600, env={**os.environ})
    assert p.returncode == 0, p.stderr[-2000:]
    assert "per 10k" in p.stdout and "total" in p.stdout
    assert set(json.loads(out.read_text())["corpora"]) >= {"urls", "bodies"}
    assert subprocess.run([str(exe), "bench", "fp", "--limit", "0"], capture_output=True, timeout=60).returncode == 2
