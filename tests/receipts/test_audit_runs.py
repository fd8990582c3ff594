"""`ringfence export audit-packet` over several runs: every run, blocks by rule with targets,
the enforcement mode from the receipts, and a clear failure section for an invalid run."""
import json
import os

from evgen import make_key, write_run
from rhelp import pipelock_verify, run_cli


def test_packet_over_runs_lists_blocks_mode_and_verification(tmp_path):
    priv, pub = make_key(tmp_path)
    d = tmp_path / "r"
    write_run(d, priv, n=20, session="one")
    write_run(d, priv, n=20, session="two", max_entries_per_file=15)   # rotated files
    out = tmp_path / "p"
    r = run_cli("export", "audit-packet", str(d), str(out), "--key", pub)
    assert r.returncode == 0, r.stderr + r.stdout
    pk = json.loads((out / "packet.json").read_text())
    assert pk["artifacts"]["evidence"] == "evidence" and len(os.listdir(out / "evidence")) >= 3
    assert pk["verifier"]["verdict"] == "valid" and pk["posture"]["enforcement_mode"] == "balanced"
    assert pk["summary"]["totals"]["block"] == 2 * 3   # 2 DLP + 1 rug-pull per run
    md = (out / "summary.md").read_text()
    assert md.count("| `one-") == 1 and md.count("| `two-") == 1 and "valid and sealed" in md
    assert "| dlp:aws_access_key_id | 4 |" in md and "exfil13.example" in md
    assert "Enforcement mode (from the receipts): balanced" in md
    assert "None" not in md
    # several inputs and a time window
    first = sorted(p for p in os.listdir(d) if p.startswith("evidence-one"))[0]
    r = run_cli("export", "audit-packet", str(d / first), str(tmp_path / "p1"), "--key", pub)
    assert r.returncode == 0
    assert pipelock_verify(tmp_path / "p1" / "evidence.jsonl", _hex(pub)).returncode == 0
    r = run_cli("export", "audit-packet", str(d), str(tmp_path / "p2"), "--since", "2999-01-01T00:00:00Z")
    assert r.returncode == 2 and "no run overlaps" in r.stderr


def _hex(pub):
    import base64
    return base64.b64decode(open(pub).read().split()[1]).hex()


def test_invalid_run_gets_a_failure_section(tmp_path):
    priv, pub = make_key(tmp_path)
    d = tmp_path / "r"
    write_run(d, priv, n=10, session="good")
    w = write_run(d, priv, n=10, session="bad")
    p = w.paths[0]
    text = open(p).read().replace('"verdict":"block"', '"verdict":"allow"', 1)
    open(p, "w").write(text)
    out = tmp_path / "p"
    r = run_cli("export", "audit-packet", str(d), str(out), "--key", pub)
    assert r.returncode == 1 and "verification FAILED" in r.stdout
    pk = json.loads((out / "packet.json").read_text())
    assert pk["verifier"]["verdict"] == "invalid" and "bad-" in pk["verifier"]["error"]
    md = (out / "summary.md").read_text()
    assert "## Verification FAILED" in md and "run `bad-" in md and "hash mismatch" in md
    assert "None" not in md
