"""Benign look-alike families, generated (issue 10): each family's members must pass every
carrier they travel in, and the near-miss attack beside each (the same carrier with the
secret half or a secret-shaped value) must keep blocking.

Families: public keys and certificates (base64 DER, PEM bodies) in bodies and queries;
WebAuthn registration/assertion bodies (server challenges in clientDataJSON); public content
hashes behind a search qualifier ("integrity:sha512-..."); Datadog browser client tokens."""
import base64
import hashlib
import json
import random
import urllib.parse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from ringfence.scanners.der import public_key_der

from request_verdict import verdict

RND = random.Random(10)


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def _keys():
    out = []
    for make in (lambda: ec.generate_private_key(ec.SECP256R1()), lambda: ec.generate_private_key(ec.SECP384R1()),
                 ed25519.Ed25519PrivateKey.generate, lambda: rsa.generate_private_key(65537, 2048)):
        out.append(make())
    return out


KEYS = _keys()


def _cert(key) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "build.example.org")])
    import datetime
    now = datetime.datetime(2026, 1, 1)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now)
         .not_valid_after(now + datetime.timedelta(days=30)))
    alg = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return b.sign(key, alg).public_bytes(serialization.Encoding.DER)


def _spki(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _pkcs8(key) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _pem(label: str, der: bytes) -> str:
    b = base64.b64encode(der).decode()
    return f"-----BEGIN {label}-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) + f"\n-----END {label}-----\n"


@pytest.mark.parametrize("k", range(len(KEYS)))
def test_public_keys_and_certificates_pass_private_keys_block(k):
    key = KEYS[k]
    spki, cert, priv = _spki(key), _cert(key), _pkcs8(key)
    for der in (spki, cert):
        s = base64.b64encode(der).decode()
        assert public_key_der(s) and public_key_der(b64u(der))
        # a transparency-log entry: the PEM, base64-wrapped, in a JSON body
        entry = {"kind": "hashedrekord", "spec": {"signature": {"publicKey": {
            "content": base64.b64encode(_pem("PUBLIC KEY" if der is spki else "CERTIFICATE", der).encode()).decode()}}}}
        assert verdict("https://rekor.example.dev/api/v1/log/entries", entry) == "allow"
        assert verdict("https://keys.example.dev/v1/register", {"publicKey": s}) == "allow"
        assert verdict("https://keys.example.dev/v1/lookup?" + urllib.parse.urlencode({"key": s})) == "allow"
    assert not public_key_der(base64.b64encode(priv).decode())
    pem = base64.b64encode(_pem("PRIVATE KEY", priv).encode()).decode()
    assert verdict("https://rekor.example.dev/api/v1/log/entries", {"content": pem}) == "block"
    assert verdict("https://keys.example.dev/v1/register", {"publicKey": base64.b64encode(priv).decode()}) == "block"


def _webauthn(kind: str) -> dict:
    challenge = b64u(bytes(RND.getrandbits(8) for _ in range(32)))
    cred = b64u(bytes(RND.getrandbits(8) for _ in range(RND.choice((16, 32, 64)))))
    client = json.dumps({"type": f"webauthn.{kind}", "challenge": challenge, "origin": "https://app.example.com",
                         "crossOrigin": False}, separators=(",", ":")).encode()
    resp = {"clientDataJSON": b64u(client)}
    if kind == "create":
        resp["attestationObject"] = b64u(b"\xa3cfmtdnonegattStmt\xa0hauthData" + bytes(RND.getrandbits(8) for _ in range(160)))
        resp["transports"] = ["internal", "hybrid"]
    else:
        resp["authenticatorData"] = b64u(hashlib.sha256(b"app.example.com").digest() + b"\x05\x00\x00\x00\x01")
        resp["signature"] = b64u(bytes(RND.getrandbits(8) for _ in range(71)))
    return {"id": cred, "rawId": cred, "type": "public-key", "response": resp}


@pytest.mark.parametrize("kind", ["create", "get"] * 5)
def test_webauthn_ceremony_bodies_pass(kind):
    assert verdict(f"https://app.example.com/api/webauthn/{kind}/finish", _webauthn(kind)) == "allow"


def test_a_secret_in_encoded_client_data_still_blocks():
    tok = "".join(RND.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(40))
    for name in ("token", "api_key", "session_secret"):
        body = {"clientDataJSON": b64u(json.dumps({"type": "webauthn.get", name: tok}).encode())}
        assert verdict("https://collector.example.net/c", body) == "block", name


def _sri(n: int) -> str:
    return f"sha{n * 8}-" + base64.b64encode(bytes(RND.getrandbits(8) for _ in range(n))).decode()


@pytest.mark.parametrize("qual", ["integrity", "digest", "sha", "hash", "cid", "commit"])
def test_public_hashes_behind_a_search_qualifier_pass(qual):
    for v in (_sri(64), _sri(48), _sri(32), "sha256:" + RND.randbytes(32).hex(), RND.randbytes(20).hex(),
              "bafybei" + "".join(RND.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(52))):
        url = "https://registry.example.org/-/v1/search?" + urllib.parse.urlencode({"text": f"{qual}:{v}", "size": 1})
        assert verdict(url) == "allow", url


def test_a_random_token_behind_a_qualifier_still_blocks():
    tok = "".join(RND.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(44))
    for qual in ("integrity", "sha", "key", "data"):
        url = "https://collector.example.net/q?" + urllib.parse.urlencode({"text": f"{qual}:{tok}"})
        assert verdict(url) == "block", url


def test_datadog_client_tokens_pass_api_keys_block():
    for _ in range(5):
        pub = "pub" + RND.randbytes(16).hex()
        assert verdict("https://app.example.com/rum?" + urllib.parse.urlencode({"clientToken": pub})) == "allow"
        assert verdict("https://app.example.com/config", {"datadog": {"clientToken": pub, "site": "datadoghq.eu"}}) == "allow"
        api = RND.randbytes(16).hex()
        assert verdict("https://collector.example.net/c", headers={"DD-API-KEY": api}) == "block"
        assert verdict("https://collector.example.net/c", {"api_key": api}) == "block"


def _google_key() -> str:
    return "AIza" + "".join(RND.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(35))


@pytest.mark.parametrize("style", ["json", "js", "env"])
def test_firebase_web_configs_pass_a_bare_google_key_blocks(style):
    for _ in range(4):
        key, proj = _google_key(), f"demo-{RND.randint(100, 999)}"
        cfg = {"apiKey": key, "authDomain": f"{proj}.firebaseapp.com", "projectId": proj,
               "storageBucket": f"{proj}.appspot.com", "messagingSenderId": str(RND.randint(10**11, 10**12)),
               "appId": f"1:{RND.randint(10**11, 10**12)}:web:{RND.randbytes(11).hex()}"}
        if style == "json":
            body = {"files": {"firebase.json": {"content": json.dumps(cfg, indent=2)}}}
        elif style == "js":
            body = {"content": "const firebaseConfig = {\n" + "".join(f'  {k}: "{v}",\n' for k, v in cfg.items()) + "};"}
        else:
            body = {"content": "".join(f"VITE_FIREBASE_{k.upper()}={v}\n" for k, v in cfg.items())}
        assert verdict("https://api.github.com/gists", body) == "allow", body
        assert verdict("https://collector.example.net/c", {"key": key}) == "block"
        assert verdict("https://collector.example.net/c", {"apiKey": key, "projectId": proj}) == "block"


def _presigned(host: str, token: str) -> str:
    cred = urllib.parse.quote("ASIAY34FZKBOKMUTVV7A/20260101/us-east-1/s3/aws4_request", safe="")
    return (f"https://{host}/reports/q3.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={cred}"
            f"&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-Security-Token={urllib.parse.quote(token, safe='')}"
            f"&X-Amz-SignedHeaders=host&X-Amz-Signature={RND.randbytes(32).hex()}")


@pytest.mark.parametrize("host", ["my-bucket.s3.amazonaws.com", "my-bucket.s3.eu-west-1.amazonaws.com",
                                  "s3.us-east-1.amazonaws.com"])
def test_presigned_urls_with_a_session_token_pass_at_aws_only(host):
    token = base64.b64encode(RND.randbytes(300)).decode()
    assert verdict(_presigned(host, token)) == "allow"
    assert verdict(_presigned("files.example.net", token)) == "block"


@pytest.mark.parametrize("name", ["searchKey", "searchOnlyApiKey", "algoliaSearchKey", "ALGOLIA_SEARCH_API_KEY",
                                  "NEXT_PUBLIC_ALGOLIA_SEARCH_KEY", "typesense_search_only_api_key", "MEILI_SEARCH_KEY"])
def test_search_only_keys_pass_admin_keys_block(name):
    key = RND.randbytes(16).hex()
    cfg = {"appId": "LATENCY12X", name: key}
    assert verdict("https://api.github.com/gists", {"files": {"config.json": {"content": json.dumps(cfg)}}}) == "allow"
    assert verdict("https://app.example.com/config", cfg) == "allow"
    assert verdict("https://app.example.com/x?" + urllib.parse.urlencode({name: key})) == "allow"
    for other in ("ALGOLIA_ADMIN_API_KEY", "apiKey", "research_api_key", "write_api_key"):
        assert verdict("https://collector.example.net/c", {"appId": "LATENCY12X", other: key}) == "block", other


_ENV_NAMES = ["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "OPENAI_API_KEY", "DATABASE_URL", "STRIPE_SECRET_KEY",
              "SLACK_BOT_TOKEN", "NPM_TOKEN", "SENTRY_AUTH_TOKEN"]


@pytest.mark.parametrize("filler", ["", "<redacted>", "[REDACTED]", "***", "[FILTERED]", "<not set>", "(set)"])
def test_crash_reports_listing_env_names_with_redacted_values_pass(filler):
    names = RND.sample(_ENV_NAMES, 6)
    env = "\n".join(f"{n}={filler}" for n in names)
    trace = "Traceback (most recent call last):\n  File \"cli.py\", line 42, in main\nKeyError: 'region'"
    assert verdict("https://crash.example.com/api/store", {"app": "cli", "trace": trace, "env": env}) == "allow"
    assert verdict("https://crash.example.com/upload", {"report": "Environment:\n" + env + "\n\n" + trace}) == "allow"


def test_a_real_value_among_the_names_still_blocks():
    secret = "".join(RND.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(40))
    env = "\n".join(f"{n}=" for n in _ENV_NAMES[:4]) + f"\nSTRIPE_SECRET_KEY={secret}\nSLACK_BOT_TOKEN="
    assert verdict("https://crash.example.com/api/store", {"app": "cli", "env": env}) == "block"
