"""Private JSON Web Keys as a class (issue 10, unarmored keys): RSA, EC (P-256/384/521),
OKP (Ed25519, X25519) private keys and symmetric "oct" keys, generated, alone or in a key
set, compact or pretty, block in bodies, MCP arguments and WebSocket messages, and are
redacted in tool results; the public halves (a JWKS endpoint's content) pass."""
import base64
import json
import secrets

import pytest
from carriers import CARRIERS
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat


def _b(i: int | bytes, n: int = 0) -> str:
    raw = i if isinstance(i, bytes) else i.to_bytes(n or (i.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _rsa():
    n = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_numbers()
    pub = {"kty": "RSA", "n": _b(n.public_numbers.n), "e": _b(n.public_numbers.e)}
    return pub, {**pub, "d": _b(n.d), "p": _b(n.p), "q": _b(n.q), "dp": _b(n.dmp1), "dq": _b(n.dmq1), "qi": _b(n.iqmp)}


def _ec(curve, name, size):
    n = ec.generate_private_key(curve).private_numbers()
    pub = {"kty": "EC", "crv": name, "x": _b(n.public_numbers.x, size), "y": _b(n.public_numbers.y, size)}
    return pub, {**pub, "d": _b(n.private_value, size)}


def _okp(cls, name):
    k = cls.generate()
    pub = {"kty": "OKP", "crv": name, "x": _b(k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))}
    return pub, {**pub, "d": _b(k.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))}


KEYS = {"rsa": _rsa(), "p256": _ec(ec.SECP256R1(), "P-256", 32), "p384": _ec(ec.SECP384R1(), "P-384", 48),
        "p521": _ec(ec.SECP521R1(), "P-521", 66), "ed25519": _okp(ed25519.Ed25519PrivateKey, "Ed25519"),
        "x25519": _okp(x25519.X25519PrivateKey, "X25519"),
        "oct": ({"kty": "oct", "alg": "HS256"}, {"kty": "oct", "alg": "HS256", "k": _b(secrets.token_bytes(32))})}
LAYOUTS = {"compact": lambda k: json.dumps(k, separators=(",", ":")), "pretty": lambda k: json.dumps(k, indent=2),
           "jwks": lambda k: json.dumps({"keys": [{**k, "kid": "k1", "use": "sig"}]}),
           "kty_last": lambda k: json.dumps(dict(reversed(list(k.items()))))}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("kind", sorted(KEYS))
def test_private_jwks_block(kind, layout):
    text = LAYOUTS[layout](KEYS[kind][1])
    for c in ("json_body", "mcp_args", "websocket", "text_body"):
        assert CARRIERS[c](text) == "block", c


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("kind", sorted(k for k in KEYS if k != "oct"))
def test_public_jwks_pass(kind, layout):
    text = LAYOUTS[layout](KEYS[kind][0])
    for c in ("json_body", "mcp_args", "text_body"):
        assert CARRIERS[c](text) == "allow", c


def test_d_members_of_other_objects_pass():
    for obj in ({"d": "2026-12-08T10:00:00Z"}, {"d": "M 10 10 L 20 20 Z"}, {"points": [{"d": "x" * 30}]},
                {"kty": "EC", "crv": "P-256"}, {"type": "point", "d": _b(secrets.token_bytes(32))}):
        assert CARRIERS["json_body"](json.dumps(obj)) == "allow", obj
