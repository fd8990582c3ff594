import json
from pathlib import Path

import pytest
from shared_corpus import AEB_CASES, require

from ringfence.bench import cases as C

CASES = require(AEB_CASES)


def _case(id_, verdict, tags=("url_dlp",), requires=(), transport="fetch_proxy", category="url"):
    return C.Case(Path(f"{id_}.json"), {"id": id_, "expected_verdict": verdict, "capability_tags": list(tags),
                                        "requires": list(requires), "transport": transport, "category": category})


def test_profile_matches_schema_shape():
    p = C.tool_profile()
    assert set(p) == {"schema_version", "tool", "tool_version", "runner_version", "claims", "supports"}
    assert len(p["supports"]) == 16 and p["supports"]["dns_rebinding_fixture"] is False
    assert "benign" in p["claims"]


def test_applicability_order():
    prof = C.tool_profile()
    prof["claims"].remove("ssrf")
    assert C.not_applicable_reason(_case("a", "block", ("ssrf",), ("dns_rebinding_fixture",)), prof) == "missing_capability"
    assert C.not_applicable_reason(_case("b", "block", ("url_dlp",), ("dns_rebinding_fixture",)), prof) == "missing_requires"
    prof["supports"]["a2a"] = False
    assert C.not_applicable_reason(_case("c", "block", transport="a2a"), prof) == "unsupported_transport"
    assert C.not_applicable_reason(_case("d", "block"), prof) is None


def test_result_lines_have_exactly_8_fields_and_consistent_scores():
    prof = C.tool_profile()
    r = C.result_line(_case("x", "block"), prof, "allow")
    assert len(r) == 8 and r["score"] == "fail"
    assert C.result_line(_case("x", "block"), prof, "block")["score"] == "pass"
    assert C.result_line(_case("x", "allow"), prof, "error")["score"] == "error"
    assert C.result_line(_case("x", "allow"), prof, "not_applicable")["score"] == "not_applicable"


def test_full_view_counts_na_and_errors_as_misses():
    prof = C.tool_profile()
    cs = [_case("m1", "block"), _case("m2", "block"), _case("m3", "block"), _case("b1", "allow"), _case("b2", "allow")]
    res = [C.result_line(cs[0], prof, "block", {"scanner": "dlp"}),
           C.result_line(cs[1], prof, "error", {"error_message": "timeout"}),
           C.result_line(cs[2], prof, "not_applicable", {}, "not applicable: missing_requires"),
           C.result_line(cs[3], prof, "block", {"scanner": "dlp"}),
           C.result_line(cs[4], prof, "allow")]
    full = C.scores(res, {c.id: c for c in cs}, "full")
    app = C.scores(res, {c.id: c for c in cs}, "applicable")
    assert full["containment"] == pytest.approx(1 / 3, abs=1e-3) and app["containment"] == 1.0
    assert full["false_positive_rate"] == 0.5 and app["false_positive_rate"] == 0.5
    assert full["detection"] == 1.0 and full["evidence"] == 1.0
    assert C.summary_line(res) == "results: 2 passed, 1 failed, 1 not_applicable, 1 errors (5 total)"


def test_loader_reads_every_dev_case():
    cases, bad = C.load_cases(CASES)
    assert len(cases) == 76 and not bad
    assert sum(c.expected_verdict == "block" for c in cases) == 57


def test_loader_reports_bad_files(tmp_path):
    (tmp_path / "a.json").write_text("{not json")
    (tmp_path / "b.json").write_text(json.dumps({"id": "b"}))
    cases, bad = C.load_cases(tmp_path)
    assert cases == [] and len(bad) == 2


def test_live_harness_maps_only_public_literals():
    from ringfence.bench.live import _public_literal
    assert _public_literal("93.184.216.34") == "93.184.216.34"
    assert _public_literal("2606:4700::1111") == "2606:4700::1111"
    for internal in ("127.0.0.1", "0x7f000001", "2130706433", "::1", "169.254.169.254", "10.1"):
        assert _public_literal(internal) is None


def test_resolve_accepts_bracketed_ipv6():
    from ringfence.proxy.server import parse_resolve
    assert parse_resolve(["[2001:db8::1]:443:127.0.0.1", "a.test:80:127.0.0.1"]) == {
        ("2001:db8::1", 443): "127.0.0.1", ("a.test", 80): "127.0.0.1"}
