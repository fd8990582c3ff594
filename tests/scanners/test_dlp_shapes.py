"""Secret shapes (issue 10): unarmored private keys of every type and format, credentials
under any authorization scheme, secrets in header names / custom key headers / nested
object keys, long hex keys named as keys; each with near-miss negatives of the same shape."""
import base64

import pytest
from cryptography.hazmat.primitives import serialization as S
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine
from ringfence.bench.cases import Case
from pathlib import Path

E = make_engine()
TOKEN = "Qm9XkLp2Rt7vYz4Wb8Nc3Hd6Jf1Gs5Ta0Uex"  # 36 random-looking chars


def _verdict(input_type, payload):
    c = Case(Path("t.json"), {"id": "t", "input_type": input_type, "payload": payload, "requires": [],
                              "expected_verdict": "block"})
    return actual_verdict(evaluate(c, fresh(E)))


def _hdr(headers):
    return _verdict("header", {"method": "GET", "url": "https://api.example.com/v1/x", "headers": headers})


def _mcp(arguments):
    return _verdict("mcp_tool_call", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                                             "params": {"name": "save", "arguments": arguments}}]})


def _json_body(obj):
    import json
    return _verdict("request_body", {"method": "POST", "url": "https://api.example.com/v1/x",
                                     "content_type": "application/json", "body": json.dumps(obj)})


KEYS = {"rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "ec384": lambda: ec.generate_private_key(ec.SECP384R1()),
        "ed25519": ed25519.Ed25519PrivateKey.generate}
FORMATS = {"pkcs8": (S.PrivateFormat.PKCS8, S.NoEncryption()),
           "traditional": (S.PrivateFormat.TraditionalOpenSSL, S.NoEncryption()),
           "pkcs8_encrypted": (S.PrivateFormat.PKCS8, S.BestAvailableEncryption(b"correct horse"))}


def _b64(b: bytes, wrap: int = 0) -> str:
    s = base64.b64encode(b).decode()
    return "\n".join(s[i:i + wrap] for i in range(0, len(s), wrap)) if wrap else s


@pytest.mark.parametrize("kind", KEYS)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("wrap", [0, 64])
def test_unarmored_der_private_keys_block(kind, fmt, wrap):
    k = KEYS[kind]()
    f, enc = FORMATS[fmt]
    try:
        der = k.private_bytes(S.Encoding.DER, f, enc)
    except ValueError:
        pytest.skip("format not defined for this key type")
    assert _mcp({"note": _b64(der, wrap)}) == "block"
    assert _json_body({"key": _b64(der)}) == "block"


@pytest.mark.parametrize("kind", KEYS)
def test_unarmored_openssh_private_key_blocks(kind):
    pem = KEYS[kind]().private_bytes(S.Encoding.PEM, S.PrivateFormat.OpenSSH, S.NoEncryption()).decode()
    body = "".join(pem.strip().splitlines()[1:-1])
    assert _mcp({"files": {"k.txt": {"content": body}}}) == "block"


@pytest.mark.parametrize("kind", KEYS)
@pytest.mark.parametrize("pub", ["spki", "openssh", "pkcs1"])
def test_public_keys_and_certificates_allow(kind, pub):
    k = KEYS[kind]().public_key()
    if pub == "spki":
        text = _b64(k.public_bytes(S.Encoding.DER, S.PublicFormat.SubjectPublicKeyInfo))
    elif pub == "openssh":
        text = k.public_bytes(S.Encoding.OpenSSH, S.PublicFormat.OpenSSH).decode()
    else:
        if kind != "rsa":
            pytest.skip("PKCS#1 is RSA only")
        text = _b64(k.public_bytes(S.Encoding.DER, S.PublicFormat.PKCS1))
    assert _mcp({"note": text}) == "allow"


def test_certificates_are_not_private_keys():
    import glob
    pems = [p for p in sorted(glob.glob("/etc/ssl/certs/*.pem"))[:40]]
    if not pems:
        pytest.skip("no system certificates")
    for p in pems:
        body = "".join(open(p).read().split("-----")[2].split())
        rules = {f.rule for f in E.dlp.scan(body, "x5c")}
        assert not rules & {"private_key_der_base64", "openssh_private_key_body"}, p


SCHEMES = ["SSWS", "Token", "token", "ApiKey", "Api-Key", "Key", "GenieKey", "Splunk", "DeepL-Auth-Key",
           "Klaviyo-API-Key", "OAuth", "Negotiate", "MAC"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_credential_under_any_authorization_scheme_blocks(scheme):
    assert _hdr({"Authorization": f"{scheme} {TOKEN}"}) == "block"
    assert _hdr({"Proxy-Authorization": f"{scheme} {TOKEN}"}) == "block"
    assert _json_body({"headers": {"authorization": f"{scheme} {TOKEN}"}}) == "block"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("value", ["<token>", "YOUR_API_KEY_HERE", "${API_TOKEN}", "xxxxxxxxxxxxxxxxxxxx",
                                   "realm=example"])
def test_placeholders_under_any_scheme_allow(scheme, value):
    assert _hdr({"Authorization": f"{scheme} {value}"}) == "allow"


def test_prose_about_authorization_allows():
    assert _json_body({"text": "Authorization failed: the token was rejected by the upstream service."}) == "allow"
    assert _hdr({"Authorization": 'Digest username="ops", realm="api", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",'
                                  ' uri="/x", response="6629fae49393a05397450978507c4ef1"'}) == "allow"


@pytest.mark.parametrize("name", ["X-Custom-Key", "X-Acme-Api-Key", "Ocp-Apim-Subscription-Key", "X-Tenant-Key",
                                  "X-Partner_Key"])
def test_custom_key_headers_block(name):
    assert _hdr({name: TOKEN}) == "block"


@pytest.mark.parametrize("name", ["Idempotency-Key", "X-Idempotency-Key", "X-Cache-Key", "X-Routing-Key", "Sec-WebSocket-Key",
                                  "Public-Key", "X-Request-Key"])
def test_per_request_and_public_key_headers_allow(name):
    assert _hdr({name: "3f2b8c1e-9a4d-4e6f-8b2a-1c5d7e9f0a3b"}) == "allow"


SECRETS = ["ghp_" + TOKEN, "lin_api_" + TOKEN + "abcd", "nfp_" + TOKEN, "xoxb-" + TOKEN]  # noqa: E501


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("depth", [0, 1, 3])
def test_secret_as_object_key_at_any_depth_blocks(secret, depth):
    obj = {secret: "x"}
    for i in range(depth):
        obj = {f"level{i}": [obj] if i % 2 else obj}
    assert _mcp(obj) == "block"
    assert _json_body(obj) == "block"


def test_ordinary_object_keys_allow():
    assert _mcp({"labels": {"urgent": "y", "customer_7781": "n"}, "meta": [{"created_at": 1, "owner_id": "u9"}]}) \
        == "allow"


@pytest.mark.parametrize("name", ["api_key", "apikey", "secret", "access_token", "application_key"])
def test_long_hex_named_as_a_key_blocks(name):
    hexkey = "88aa8a29c1124a32e3d2cdae9f333b92"
    assert _verdict("url", {"method": "GET", "url": f"https://dash.example.com/i?{name}={hexkey}"}) == "block"


@pytest.mark.parametrize("name", ["commit", "sha", "etag", "request_id", "checksum"])
def test_long_hex_under_other_names_allows(name):
    assert _verdict("url", {"method": "GET", "url": f"https://dash.example.com/i?{name}=88aa8a29c1124a32e3d2cdae9f333b92"}) \
        == "allow"


# Every rule's own token (prefix and shape rules) used as a name: a header name, a cookie name,
# a query parameter name, a JSON key. The '=' after a cookie or query name is no base64 padding.
def _token_examples():
    import re
    from ringfence.rules.dlp import RULES
    return [(r.id, ex) for r in RULES if r.severity != "low" and not r.context and r.id != "credit_card"
            for ex in r.tp[:1] if re.fullmatch(r"[A-Za-z0-9_.-]{16,200}", ex)]


NAMED = _token_examples()


@pytest.mark.parametrize("rule,token", NAMED, ids=[r for r, _ in NAMED])
def test_tokens_as_header_cookie_query_and_key_names_block(rule, token):
    assert _hdr({"X-" + token: "1"}) == "block"
    assert _hdr({"Cookie": f"theme=dark; {token}=1"}) == "block"
    assert _verdict("url", {"method": "GET", "url": f"https://api.example.com/v1/x?{token}=1&page=2"}) == "block"
    assert _json_body({"data": {token: "x"}}) == "block"


URI_SCHEMES = ["cloudinary", "s3", "smb", "sftp", "amqps", "mqtt", "nats", "rediss", "mongodb+srv", "snowflake",
               "clickhouse", "ws", "wss", "rtsp", "imaps", "pop3s", "svn+ssh", "git+ssh", "jdbc:postgresql"]
PASSWORD = "k7SoNF" + "lzGLx-1sKWYrHP2M"


@pytest.mark.parametrize("scheme", URI_SCHEMES)
def test_credentials_in_a_uri_of_any_scheme_block(scheme):
    uri = f"{scheme}://svc_7781:{PASSWORD}@media.internal.example/x"
    assert _mcp({"body": f"CONFIG_URI={uri}\nerror: 401"}) == "block"
    assert _json_body({"settings": {"uri": uri}}) == "block"


@pytest.mark.parametrize("scheme", URI_SCHEMES)
@pytest.mark.parametrize("userinfo", ["git@", "user:<password>@", "${USER}:${PASS}@", "admin:changeme@", ""])
def test_uris_without_a_real_password_allow(scheme, userinfo):
    assert _json_body({"settings": {"uri": f"{scheme}://{userinfo}media.internal.example/x"}}) == "allow"


@pytest.mark.parametrize("scheme", ["Key", "Token", "ApiKey", "SSWS"])
def test_id_and_secret_pairs_under_a_scheme_block(scheme):
    pair = "3f2b8c1e-9a4d-4e6f-8b2a-1c5d7e9f0a3b:" + "88aa8a29c1124a32e3d2cdae9f333b92"
    assert _hdr({"Authorization": f"{scheme} {pair}"}) == "block"
    assert _hdr({"Authorization": f"{scheme} 3f2b8c1e-9a4d-4e6f-8b2a-1c5d7e9f0a3b"}) == "allow"   # an id alone


@pytest.mark.parametrize("scheme", ["Splunk", "GenieKey", "splunk"])
def test_schemes_whose_credential_is_a_uuid_block(scheme):
    assert _hdr({"Authorization": f"{scheme} 7c4e91d2-5b86-446d-a81e-a5a4839b0169"}) == "block"
    assert _hdr({"Authorization": f"{scheme} <hec-token>"}) == "allow"


@pytest.mark.parametrize("scheme", ["uri", "s3", "amqp", "http", "postgres"])
@pytest.mark.parametrize("pair", ["user:pass", "foo:bar", "User:Pass", "admin:password", "guest:guest"])
def test_documentation_dummy_credentials_in_uris_allow(scheme, pair):
    assert _json_body({"tests": [{"uri": f"{scheme}://{pair}@example.com:123/one/two?q1=a1#body"}]}) == "allow"
