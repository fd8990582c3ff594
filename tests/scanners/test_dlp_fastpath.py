"""The fast paths of scan_fields (skip fields and joins a one-pass pre-filter shows
cannot hold a finding) give exactly the findings of scanning everything."""
import base64
import random

import pytest

from ringfence.config import Config
from ringfence.rules.dlp import RULES
from ringfence.scanners.dlp import DlpScanner

from test_dlp_aeb import ALLOW, BLOCK

HEADERS = [(f"header.{k.lower()}", f"{k}: {v}") for k, v in (
    ("Host", "api.github.com"), ("User-Agent", "python-httpx/0.27.0"),
    ("Accept", "application/json, text/plain, */*"), ("Content-Type", "application/json"),
    ("X-Request-Id", "a3f8b2c1-4e5d-6f7a-8b9c-0d1e2f3a4b5c"),
    ("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))]


@pytest.fixture(scope="module")
def scanners():
    cfg = Config.model_validate({"dlp": {"scan_env": False, "canaries": ["rf-canary-7f3a9c1e"]}})
    fast = DlpScanner(cfg)
    slow = DlpScanner(cfg)
    slow._hot_fields = lambda fields, ctx=(): None          # every field scanned alone
    slow._join_needed = lambda text, crosses: True          # every join scanned
    slow._clean_small = lambda fields: False                 # no one-pass clean proof
    return fast, slow


def split_cases():
    rnd = random.Random(7)
    out = []
    for r in RULES:
        for t in r.tp + r.tn:
            cut = rnd.randint(1, max(1, len(t) - 1))
            out.append([("a.note", "hello there"), ("b.value", t[:cut]), ("c.value", t[cut:]), ("d", "us-east-1")])
            out.append(HEADERS + [("header.x-extra", t)])
    b = base64.b64encode(b"key AKIAIOSFODNN7EXAMPLE").decode()
    out.append([("p0", "x"), ("p1", b[:12]), ("p2", b[12:]), ("p3", "y")])
    out.append([("f1", "rf-canary-"), ("f2", "7f3a9c1e"), ("f3", "z")])
    out.append([(f"w{i}", w) for i, w in enumerate(
        "legal winner thank year wave sausage worth useful legal winner thank yellow".split())])
    out.append([(f"body.json.$[{i}].id", f"id={i}") for i in range(60)] + [("body.json.$.k", "AKIAIOSFODNN7EXAMPLE")])
    return out


CASES = BLOCK + ALLOW + [HEADERS] + split_cases()


def test_same_findings_as_scanning_everything(scanners):
    fast, slow = scanners
    for fields in CASES:
        got = sorted((f.rule, f.excerpt) for f in fast.scan_fields(fields))
        want = sorted((f.rule, f.excerpt) for f in slow.scan_fields(fields))
        assert got == want, fields


def test_plain_fields_are_skipped(scanners):
    fast, _ = scanners
    assert fast._hot_fields(HEADERS) == set()
    # a field that holds a candidate, or has other views, is scanned
    assert fast._hot_fields(HEADERS + [("header.x", "AKIAIOSFODNN7EXAMPLE")]) == {len(HEADERS)}
    assert fast._hot_fields(HEADERS + [("header.x", "caf\u00e9 menu")]) == {len(HEADERS)}
    assert fast._hot_fields(HEADERS + [("header.x", "a%41b")]) == {len(HEADERS)}
    b64 = base64.b64encode(b"some readable text here").decode()
    assert fast._hot_fields(HEADERS + [("header.x", b64)]) == {len(HEADERS)}


# -- joined fields: what a join may and may not make of its seams -------------------

def test_seed_words_with_secret_are_not_an_assignment(scanners):
    # JSON {"0": "alpha", ..., "10": "secret", "11": "license", ...}: glued leaves read
    # "10=secret11=license12=truck..."; the name "secret11" is glued from two fields.
    fast, _ = scanners
    words = "alpha legal winner thank year wave sausage worth useful legal secret license truck deck".split()
    fields = [(f"body.json.$.{i}", f"{i}={w}") for i, w in enumerate(words)]
    assert fast.scan_fields(fields) == []
    # a real assignment split at the operator, or inside the key word, is still found
    for a, b in (("password=", "Zk3pQ9rT2vX8mN4b"), ("pass", "word=Zk3pQ9rT2vX8mN4b"),
                 ("api_", "key: Zk3pQ9rT2vX8mN4b")):
        found = fast.scan_fields([("a", a), ("b", b)])
        assert [(f.rule, f.where) for f in found] == [("generic_secret_assignment", "a+b")], (a, b)


def test_name_context_split_secret_next_to_named_field(scanners):
    fast, _ = scanners
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    filler = [(f"body.json.$.items[{i}].v", f"v=item {i}") for i in range(40)]
    fields = filler + [("body.json.$.aws_secret", secret[:22]), ("body.json.$.more", secret[22:])] + filler
    assert "aws_secret_access_key" in {f.rule for f in fast.scan_fields(fields)}
    # the same value far from any such name, with no keyword near it, is not a finding
    fields = [("body.json.$.aws_secret", "none")] + filler + [("body.json.$.a", secret[:22]),
                                                              ("body.json.$.b", secret[22:])]
    assert "aws_secret_access_key" not in {f.rule for f in fast.scan_fields(fields)}


def test_many_fields_bounded_time(scanners):
    import time
    fast, _ = scanners
    # every field name carries a context keyword and every value is token-shaped
    fields = [(f"body.json.$.secret_{i}", f"{i}Zk3pQ9rT2vX8mN4bQ7wEa1LcZk3pQ9rT2vX8mN4b"[:40]) for i in range(3000)]
    t0 = time.process_time()
    fast.scan_fields(fields)
    assert time.process_time() - t0 < 20.0


def test_field_named_for_a_rule_is_scanned_among_plain_ones(scanners):
    fast, _ = scanners
    found = fast.scan_fields(HEADERS + [("header.x-amz-secret-key", "X-Amz-Secret-Key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")])
    assert ("aws_secret_access_key", "header.x-amz-secret-key") in {(f.rule, f.where) for f in found}
    assert fast.scan_fields(HEADERS + [("header.x-amz-date", "X-Amz-Date: 20260310T090000Z")]) == []


def test_name_word_pass_agrees_with_substrings(scanners, monkeypatch):
    import ringfence.scanners.dlp as dlp_mod
    fast, _ = scanners
    assert fast._names_db is not None
    cases = [["header.host", "header.accept"], ["body.json.$.db.PassWord"], ["url.query.aws_region"],
             ["header.x-api-key"], ["a.tokenizer", "b"], ["body.json.$.items[3].Mnemonic"], ["x"] * 50]
    for names in cases:
        low = "\n".join(names).lower()
        want = (any(w in low for w in fast._ctx_words), any(h in low for h in dlp_mod._SENSITIVE_HINTS))
        assert fast._name_words(names) == want, names
    # every sensitive key name contains a hint (the hint pass must never hide one)
    for key in ("password", "passwd", "passphrase", "pwd", "secret", "api-key", "apikey", "access_key",
                "auth_token", "access-token", "refresh_token", "client_secret", "private_key", "token",
                "credential", "session-key", "X-API-KEY"):
        assert dlp_mod._SENSITIVE_KEY.search(key)
        assert any(h in key.lower() for h in dlp_mod._SENSITIVE_HINTS), key


# -- blob spans: Hyperscan reports run ends only; starts are found by walking back -------------

def _blob_cases():
    rnd = random.Random(11)
    alpha = "ABCxyz0189+/_=-"
    out = [b"", b"A" * 15, b"A" * 16, b"A" * 16 + b".", b"." + b"A" * 16, b"A" * 5000, b"x" * 129 + b" " + b"y" * 16,
           b"a.b " + b"Z" * 1025 + b"!" + b"q" * 15 + b" " + b"r" * 17]
    for _ in range(300):
        n = rnd.randint(0, 400)
        out.append("".join(rnd.choice(alpha + " .:\n\u00e9") if rnd.random() < 0.05 else rnd.choice(alpha)
                           for _ in range(n)).encode())
    return out


def test_blob_spans_are_the_maximal_runs(scanners):
    import re
    m = scanners[0]._matcher
    ref = re.compile(rb"[A-Za-z0-9+/_=-]{16,}")
    for data in _blob_cases():
        want = [mm.span() for mm in ref.finditer(data)]
        assert m.scan(data)[1] == want, data[:80]
        got = m.field_ends(data)
        if got is not None:
            assert got[1] == want, data[:80]


def test_databases_from_the_disk_cache_scan_the_same(tmp_path, monkeypatch, scanners):
    """A second start loads the compiled databases from the on-disk cache (they come
    without scratch space); its verdicts and blob spans equal a fresh compile's."""
    import ringfence.scanners.dlp as dlp_mod
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("RINGFENCE_NO_CACHE", raising=False)
    cfg = Config.model_validate({"dlp": {"scan_env": False, "canaries": ["rf-canary-7f3a9c1e"]}})
    built = []
    for _ in range(2):
        dlp_mod._matcher_for.cache_clear()
        dlp_mod._names_db.cache_clear()
        built.append(DlpScanner(cfg))
    assert any(p.name.startswith("hs-") for p in (tmp_path / "ringfence").iterdir())
    texts = [t for r in RULES for t in r.tp + r.tn] + [
        "legal winner thank year wave sausage worth useful legal winner thank yellow",
        base64.b64encode(b"key AKIAIOSFODNN7EXAMPLE").decode()]
    fields = [("a.password", "Zk3pQ9rT2vX8mN4bQ7wE"), ("b.mistral", "x"), ("c", "AKIAIOSFODNN7EXAMPLE")]
    for s in built:
        assert [sorted(f.rule for f in s.scan(t)) for t in texts] == \
               [sorted(f.rule for f in scanners[0].scan(t)) for t in texts]
        assert sorted(f.rule for f in s.scan_fields(fields)) == sorted(f.rule for f in scanners[0].scan_fields(fields))
        for data in _blob_cases()[:50]:
            assert s._matcher.scan(data) == scanners[0]._matcher.scan(data)
    dlp_mod._matcher_for.cache_clear()
    dlp_mod._names_db.cache_clear()
