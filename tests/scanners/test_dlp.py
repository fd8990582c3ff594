"""DlpScanner behaviour: views (encodings, Unicode tricks), env secrets, canaries,
split fields, redaction, config switches, near-miss traffic, bounded time."""
import base64
import json
import time
from urllib.parse import quote

import pytest

from ringfence.config import Config
from ringfence.scanners.dlp import DlpScanner, normalize, unescape

AWS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def make(**dlp):
    dlp.setdefault("scan_env", False)
    return DlpScanner(Config.model_validate({"dlp": dlp}))


@pytest.fixture(scope="module")
def s():
    return make()


def rules(found):
    return {f.rule for f in found}


# -- views ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    AWS_ID,
    base64.b64encode(AWS_ID.encode()).decode(),
    base64.urlsafe_b64encode(AWS_ID.encode()).decode().rstrip("="),
    AWS_ID.encode().hex(),
    AWS_ID.encode().hex().upper(),
    "-".join(f"{b:02x}" for b in AWS_ID.encode()),
    ":".join(f"{b:02X}" for b in AWS_ID.encode()),
    "".join(f"\\x{b:02x}" for b in AWS_ID.encode()),
    base64.b32encode(AWS_ID.encode()).decode(),
    quote(quote(AWS_ID, safe=""), safe="").replace("A", "%2541"),
    "key=" + "".join(f"%{b:02X}" for b in AWS_ID.encode()),
    "AKIA\u200bIOS\u200bFODN\u200bN7EX\u200bAMPLE",           # zero-width spaces
    "ＡＫＩＡＩＯＳＦＯＤＮＮ７ＥＸＡＭＰＬＥ",                      # fullwidth
    "AKIAI\u041eSFODNN7EXAMPLE",                            # Cyrillic O
    "AKIA\U000e0041IOSFODNN7EXAMPLE",                         # tag character
    base64.b64encode(base64.b64encode(f"id={AWS_ID}".encode())).decode(),  # two layers
    "\\u0041KIAIOSFODNN7EXAMPLE",
    "&#65;KIAIOSFODNN7EXAMPLE",
])
def test_aws_key_in_every_view(s, text):
    assert "aws_access_key_id" in rules(s.scan(text, "body"))


def test_decoded_findings_say_so(s):
    f = s.scan(base64.b64encode(AWS_ID.encode()).decode(), "body")
    assert f[0].where == "body (decoded)" and f[0].span is None
    f = s.scan("x " + AWS_ID, "body")
    assert f[0].span == (2, 22)


def test_decode_depth_is_bounded():
    text = AWS_ID
    for _ in range(6):
        text = base64.b64encode(text.encode()).decode()
    assert "aws_access_key_id" not in rules(make(max_decode_depth=2).scan(text))
    assert "aws_access_key_id" in rules(make(max_decode_depth=8).scan(text))


def test_hex_blob_with_high_entropy_secret(s):
    body = "deadbeef00112233" + b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXMPLEKEY\n".hex() + "00ff"
    assert "encoded_high_entropy" in rules(s.scan(body))
    # the same shape carrying ordinary words is not a secret
    assert not s.scan("deadbeef00112233" + b"hello there this is plain text\n".hex() + "00ff")


def test_base64_env_file(s):
    blob = base64.b64encode(b"API_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc").decode()
    assert "stripe_secret_key" in rules(s.scan(blob))


def test_normalize_and_unescape():
    assert normalize("a\u200bb") == "ab"
    assert normalize("\u0441\u0430t") == "cat"
    assert normalize("e\u0301") == "e"
    assert unescape("%2541") == "A"
    assert unescape("plain") == "plain"


# -- clean traffic stays clean -----------------------------------------------------

CLEAN = [
    "X-Request-Id: a3f8b2c1-4e5d-6f7a-8b9c-0d1e2f3a4b5c",
    "commit 8c4fa2815d2802827283e0ad84173581569969e5",
    "sha256:8c4fa2815d2802827283e0ad84173581569969e58b081006f7e3dfc967a64cb1",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVQI12NgAAIABQABNjN9GQAAAAlwSFlzAAAWJQ==",
    "color: #ff00aa; background: #0a0b0c; border-color: rgba(10, 20, 30, 0.5)",
    "requires python>=3.11.7, numpy==1.26.4 and version 2.14.0-rc.1",
    "The meeting on 2026-03-10 at 09:30 moved; call +1 415 555 0123 or (212) 555-0199.",
    "We shipped 4,111,111 units in Q3 and revenue grew 15% to $12,345,678.90",
    "Cookie: session_id=abc123def456; theme=dark; _ga=GA1.2.1234567890.1234567890; consent=accepted",
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    '{"title": "Team standup", "start": "2026-03-10T09:00:00Z", "attendees": ["alice@example.com"]}',
    'api_key = os.environ.get("API_KEY")\ndb_url = os.environ["DATABASE_URL"]',
    "password: changeme\ntoken: ${GITHUB_TOKEN}\nsecret: <your-secret-here>\napi_key: xxxxxxxxxxxxxxxx",
    "https://docs.github.com/security?content=%E3%83%91%E3%82%B9%E3%83%AF%E3%83%BC%E3%83%89",
    "https://www.google.com/search?q=how+to+fix+%22permission+denied%22+error+in+golang+test&hl=en",
    "https://cdnjs.cloudflare.com/ajax/libs/lodash.js/4.17.21/lodash.min.js",
    "the quick brown fox abandons the lazy dog in the abstract absurd ocean of access and account",
    "abandon ability able about above absent absorb abstract absurd abuse access accident",  # wordlist order
    "Usage: rm [OPTION]... [FILE]...\n  -f, --force  ignore nonexistent files\n  --help  display this help",
    "/usr/local/lib/python3.11/site-packages/ringfence/scanners/dlp.py:123",
    "max_tokens=4096 temperature=0.7 tokenizer=bert-base-uncased",
    "integrity sha512-" + base64.b64encode(bytes(range(64))).decode(),
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_has_no_findings(s, text):
    assert s.scan(text, "body") == []


def test_random_wordlist_phrase_with_bad_checksum(s):
    bad = "legal winner thank year wave sausage worth useful legal winner thank thank"
    assert "bip39_seed_phrase" not in rules(s.scan(bad))
    good = "legal winner thank year wave sausage worth useful legal winner thank yellow"
    assert "bip39_seed_phrase" in rules(s.scan("my wallet words: " + good))
    numbered = " ".join(f"{i + 1}. {w}" for i, w in enumerate(good.split()))
    assert "bip39_seed_phrase" in rules(s.scan(numbered))
    assert "bip39_seed_phrase" in rules(s.scan(good.upper()))


# -- env secrets and canaries ----------------------------------------------------------

SECRET = "Zq8vK2mP9xT4wR7nB3cL6yH1"


@pytest.fixture
def env_scanner(monkeypatch):
    monkeypatch.setenv("MY_SERVICE_API_TOKEN", SECRET)
    monkeypatch.setenv("SOME_SETTING", "Yq8vK2mP9xT4wR7nB3cL6yH2")   # not a sensitive name
    monkeypatch.setenv("SHORT_TOKEN", "abc")                        # too short
    return make(scan_env=True)


@pytest.mark.parametrize("enc", [
    lambda v: v,
    lambda v: base64.b64encode(v.encode()).decode(),
    lambda v: base64.b64encode(v.encode()).decode().rstrip("="),
    lambda v: base64.urlsafe_b64encode(v.encode()).decode(),
    lambda v: v.encode().hex(),
    lambda v: v.encode().hex().upper(),
    lambda v: ":".join(f"{b:02x}" for b in v.encode()),
    lambda v: base64.b32encode(v.encode()).decode(),
    lambda v: base64.b32encode(v.encode()).decode().rstrip("="),
])
def test_env_secret_found_in_encodings(env_scanner, enc):
    found = env_scanner.scan("payload=" + enc(SECRET) + "&x=1", "url.query")
    assert "env_secret" in rules(found), found
    for f in found:
        assert SECRET not in f.excerpt


def test_env_secret_names_filtered(env_scanner):
    assert "env_secret" not in rules(env_scanner.scan("Yq8vK2mP9xT4wR7nB3cL6yH2"))
    assert {lit.name for lit in env_scanner.literals} == {"MY_SERVICE_API_TOKEN"}


def test_env_scan_off(monkeypatch):
    monkeypatch.setenv("MY_SERVICE_API_TOKEN", SECRET)
    assert make(scan_env=False).scan(SECRET) == []


def test_canaries():
    sc = make(canaries=["rf-canary-7f3a9c1e", "short"])
    assert "canary_token" in rules(sc.scan("leak RF-CANARY-7F3A9C1E now"))
    assert "canary_token" in rules(sc.scan(base64.b64encode(b"x rf-canary-7f3a9c1e y").decode()))
    assert "canary_token" in rules(sc.scan("rf-canary-7f3a\u200b9c1e"))
    assert sc.scan("rf-canary-7f3a9c1f") == []
    assert sc.scan("short short") == []  # under 8 chars: ignored


# -- fields -------------------------------------------------------------------------

def test_split_across_fields(s):
    found = s.scan_fields([("a", "AKIAIOSFODNN"), ("b", "7EXAMPLE"), ("c", "us-east-1")])
    assert [f.where for f in found if f.rule == "aws_access_key_id"] == ["a+b"]
    assert s.scan_fields([("a", "AKIAIOSF"), ("b", "hello"), ("c", "ODNN7EXAMPLE")]) == []


def test_split_base64_across_fields(s):
    b = base64.b64encode(f"key {AWS_ID}".encode()).decode()
    assert "aws_access_key_id" in rules(s.scan_fields([("p1", b[:12]), ("p2", b[12:])]))


def test_field_name_gives_context(s):
    found = s.scan_fields([("header.X-Amz-Secret-Key", AWS_SECRET)])
    assert "aws_secret_access_key" in rules(found)
    assert s.scan_fields([("header.X-Trace", "Zk3pQ9rT2vX8mN4bQ7wE")]) == []
    assert "secret_field" in rules(s.scan_fields([("body.json.$.db.password", "Zk3pQ9rT2vX8mN4bQ7wE")]))
    assert "secret_field" not in rules(s.scan_fields([("body.json.$.db.password", "changeme")]))
    assert "secret_field" not in rules(s.scan_fields([("body.json.$.csrf_token", "Zk3pQ9rT2vX8mN4bQ7wE")]))


def test_dedupe_by_rule_and_excerpt(s):
    found = s.scan_fields([("a", AWS_ID), ("b", AWS_ID)])
    assert [f.rule for f in found].count("aws_access_key_id") == 1


# -- findings --------------------------------------------------------------------------

SECRETS = [AWS_ID, AWS_SECRET, "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123", "sk_live_" + "Zk3pQ9rT2vX8mN4bQ7wE",
           "-----BEGIN RSA PRIVATE KEY-----", "4111111111111111", "GB82WEST12345698765432",
           "postgres://app:Sup3rS3cret!@db/x"]


@pytest.mark.parametrize("secret", SECRETS)
def test_full_secret_never_in_finding(s, secret):
    found = s.scan(f"aws key: {secret} end", "body") + s.scan_fields([("aws.a", secret[:10]), ("aws.b", secret[10:])])
    assert found
    for f in found:
        blob = json.dumps(f.to_json()) + repr(f)
        assert secret not in blob
        if len(secret) > 12:
            assert secret[2:-2] not in blob


def test_action_and_disabled_rules():
    sc = make(action="warn", disabled_rules=["aws_access_key_id", "dlp:jwt"])
    assert sc.scan(AWS_ID) == []
    assert sc.scan("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U") == []
    f = sc.scan("ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123")
    assert f and all(x.action == "warn" for x in f)
    assert make(enabled=False).scan(AWS_ID) == []


def test_oversize_fails_closed():
    sc = make(max_scan_bytes=1024)
    f = sc.scan("a" * 2000)
    assert rules(f) == {"scan_limit"} and f[0].action == "block"
    assert "scan_limit" in rules(sc.scan_fields([("a", "b" * 600), ("b", "c" * 600)]))


# -- hostile input ----------------------------------------------------------------------

HOSTILE = [
    base64.b64encode(bytes(range(256)) * 3000).decode(),           # ~1 MB of base64
    "0" * 100_000,                                                 # digit run
    "1234 " * 50_000,
    "41-" * 100_000,                                               # delimited-hex-looking
    "password=" * 50_000,
    "abandon " * 30_000,                                           # wordlist run
    "ability able about above " * 10_000,
    "%25" * 100_000,
    "eyJ" + "a" * 200_000,
    "-----BEGIN " * 20_000,
    "A" * 1_000_000,
    "\u200b" * 200_000 + "x",
    "postgres://" + "a:" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=[f"h{i}" for i in range(len(HOSTILE))])
def test_bounded_time(s, text):
    t0 = time.process_time()
    s.scan(text, "body")
    s.scan_fields([("a", text[:50_000]), ("b", text[:50_000])])
    assert time.process_time() - t0 < 10.0


# -- the fallback engine (no Hyperscan) gives the same verdicts ------------------------------

def test_fallback_engine_same_verdicts(monkeypatch):
    import ringfence.scanners.dlp as dlp_mod
    from ringfence.rules.dlp import RULES
    fast = make()
    monkeypatch.setattr(dlp_mod.matcher, "_hs", None)
    slow = make()
    assert slow._matcher._db is None
    samples = [t for r in RULES for t in r.tp + r.tn] + CLEAN + [
        base64.b64encode(AWS_ID.encode()).decode(), "41-4b-49-41-49-4f-53-46-4f-44-4e-4e-37-45-58-41-4d-50-4c-45",
        "legal winner thank year wave sausage worth useful legal winner thank yellow"]
    for t in samples:
        assert rules(fast.scan(t)) == rules(slow.scan(t)), t


def test_many_fields_joined_with_attribution(s):
    fields = [(f"body.json.$.items[{i}].name", f"item number {i}") for i in range(200)]
    assert s.scan_fields(fields) == []
    fields[57] = ("body.json.$.items[57].note", "key AKIAIOSFODNN7EXAMPLE")
    fields[120] = ("body.json.$.items[120].a", "AKIAIOSFODNN")
    fields[121] = ("body.json.$.items[121].b", "7EXAMPXY")  # another excerpt: findings dedupe by (rule, excerpt)
    fields[150] = ("body.json.$.items[150].password", "Zk3pQ9rT2vX8mN4bQ7wE")
    fields[160] = ("header.X-Amz-Secret-Key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    found = {(f.rule, f.where) for f in s.scan_fields(fields)}
    assert ("aws_access_key_id", "body.json.$.items[57].note") in found
    assert ("aws_access_key_id", "body.json.$.items[120].a+body.json.$.items[121].b") in found
    assert ("secret_field", "body.json.$.items[150].password") in found
    assert ("aws_secret_access_key", "header.X-Amz-Secret-Key") in found


def test_encoded_high_entropy_needs_payload_shape(s):
    rid = "Zk3pQ9rT2vX8mN4bQ7wEa1Lc"
    msg = base64.b64encode(json.dumps({"id": rid, "kind": "event", "text": "hello world from the team"}).encode())
    assert s.scan(msg.decode()) == []
    named = base64.b64encode(json.dumps({"auth": rid, "kind": "event"}).encode())
    assert "encoded_high_entropy" in rules(s.scan(named.decode()))
    bare = base64.b64encode(rid.encode())
    assert "encoded_high_entropy" in rules(s.scan(bare.decode()))
