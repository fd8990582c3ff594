"""ringfence/bench/tally.py: the one per-10k report both false-positive benchmarks build
(`ringfence bench fp`, benchmarks/bench_shell_fp.py): fields, order, counting rules."""
from ringfence.bench.tally import Tally, per_10k, table, totals


def test_a_corpus_report_counts_blocks_rules_samples_and_policy():
    t = Tally(samples=2)
    for i in range(10):
        t.item()
    t.block(["dlp:aws", "dlp:aws", "url:entropy"], {"item": "a"})   # a rule counts once an item
    t.block(["dlp:aws"], {"item": "b"})
    t.block(["shell:curl_pipe"], {"item": "c"})                      # past the sample cap
    t.policy(["ssrf:private"])
    t.policy([])
    rep = t.report("rules", "policy_not_counted")
    assert list(rep) == ["items", "blocked", "per_10k", "rules", "samples", "policy_not_counted"]
    assert rep["items"] == 10 and rep["blocked"] == 3 and rep["per_10k"] == 3000.0
    assert rep["rules"] == {"dlp:aws": 2, "url:entropy": 1, "shell:curl_pipe": 1}
    assert list(rep["rules"])[0] == "dlp:aws"
    assert rep["samples"] == [{"item": "a"}, {"item": "b"}]
    assert rep["policy_not_counted"] == {"ssrf:private": 1}
    assert t.report("worst", "p", top=1)["worst"] == {"dlp:aws": 2}


def test_totals_and_table():
    a, b = Tally(1), Tally(1)
    for _ in range(3):
        a.item()
    a.block(["x"], {})
    b.item()
    rep = {"corpora": {"one": a.report("rules", "p"), "empty": Tally(1).report("rules", "p")}}
    rep["total"] = totals(rep["corpora"], target_per_10k=10.0)
    assert rep["total"] == {"items": 3, "blocked": 1, "per_10k": 3333.3, "target_per_10k": 10.0}
    assert per_10k(0, 0) is None and rep["corpora"]["empty"]["per_10k"] is None
    out = table(rep, "rules", 3, 10, "(tail)").splitlines()
    assert out[0].split() == ["corpus", "items", "blocked", "per", "10k", "rules"]
    assert out[1].split() == ["one", "3", "1", "3333.3", "x", "x1"]
    assert out[-1].split()[-1] == "(tail)" and len(out) == 4
