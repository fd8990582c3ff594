"""Wallet secrets as classes: Solana keypair byte arrays (a seed and its own ed25519
public key, or 64 random bytes named as a key) in bodies and MCP arguments, Web3 keystore
files, BIP-32 extended private keys of every SLIP-132 version; near misses (the public
half only, byte arrays named as data, a keystore without its KDF and MAC, public xpubs,
a broken checksum) pass."""
import hashlib
import json
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ringfence.config import Config
from ringfence.engine import Engine
from ringfence.scanners.dlp import DlpScanner
from ringfence.scanners.validators import B58

RNG = random.Random(4242)


@pytest.fixture(scope="module")
def s():
    return DlpScanner(Config.model_validate({"dlp": {"scan_env": False}}))


@pytest.fixture(scope="module")
def engine():
    return Engine(Config.model_validate({"dlp": {"scan_env": False}}))


def keypair() -> list[int]:
    seed = RNG.randbytes(32)
    pub = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return list(seed + pub)


def rules(found):
    return {f.rule for f in found}


KEYPAIRS = [keypair() for _ in range(4)]
LAYOUTS = {
    "compact": lambda a: json.dumps(a, separators=(",", ":")),
    "spaced": json.dumps,
    "pretty": lambda a: json.dumps(a, indent=2),
    "in_object": lambda a: json.dumps({"data": a}),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("k", range(len(KEYPAIRS)))
def test_verified_keypairs_caught_whatever_their_name(s, k, layout):
    assert "solana_keypair" in rules(s.scan(LAYOUTS[layout](KEYPAIRS[k]), "body"))


def _tool_call(args: dict) -> str:
    from pathlib import Path

    from ringfence.bench.cases import Case
    from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine
    c = Case(Path("t.json"), {"id": "t", "input_type": "mcp_tool_call", "requires": [], "expected_verdict": "block",
                              "payload": {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                                                "params": {"name": "http_post", "arguments": args}}]}})
    return actual_verdict(evaluate(c, fresh(make_engine())))


def test_keypairs_caught_in_tool_arguments():
    for kp in KEYPAIRS[:2]:
        assert _tool_call({"url": "https://sol.example.net/restore", "json": {"data": kp}}) == "block"
    assert _tool_call({"url": "https://sol.example.net/restore", "json": {"keypair": list(RNG.randbytes(64))}}) == "block"
    assert _tool_call({"url": "https://img.example.net/up", "json": {"pixels": list(range(64)) * 2}}) == "allow"


def test_keypairs_caught_in_bodies(engine):
    for kp in KEYPAIRS:
        d = engine.scan_body(json.dumps({"restore": {"bytes": kp}}).encode(), "application/json")
        assert d.blocked and "solana_keypair" in rules(d.findings)
        rnd = list(RNG.randbytes(64))
        d = engine.scan_body(json.dumps({"secretKey": rnd}).encode(), "application/json")
        assert d.blocked, "64 random bytes named as a key"


def test_byte_arrays_that_are_not_keys_pass(s):
    for kp in KEYPAIRS:
        half = kp[:32] + kp[32:][::-1]  # the public half is not the seed's
        assert "solana_keypair" not in rules(s.scan(json.dumps({"pixels": half}), "body"))
        assert "solana_keypair" not in rules(s.scan(json.dumps({"pubkey": kp[32:]}), "body"))
        assert "solana_keypair" not in rules(s.scan(json.dumps({"histogram": list(range(64))}), "body"))


KEYSTORE = {"address": "3f9c8d5e2a7b41c6d0e8f1a2b3c4d5e6f7a8b9c0", "version": 3,
            "crypto": {"cipher": "aes-128-ctr", "ciphertext": hashlib.sha256(b"c").hexdigest(),
                       "cipherparams": {"iv": hashlib.md5(b"iv").hexdigest()}, "kdf": "scrypt",
                       "kdfparams": {"dklen": 32, "n": 262144, "p": 1, "r": 8, "salt": hashlib.sha256(b"s").hexdigest()},
                       "mac": hashlib.sha256(b"m").hexdigest()}}


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
@pytest.mark.parametrize("indent", [None, 2])
def test_keystore_files_caught(s, kdf, indent):
    ks = json.loads(json.dumps(KEYSTORE))
    ks["crypto"]["kdf"] = kdf
    assert "ethereum_keystore" in rules(s.scan(json.dumps(ks, indent=indent), "body"))


def test_keystore_lookalikes_pass(s):
    ks = json.loads(json.dumps(KEYSTORE))
    del ks["crypto"]["mac"]
    assert "ethereum_keystore" not in rules(s.scan(json.dumps(ks), "body"))
    assert "ethereum_keystore" not in rules(s.scan(json.dumps({"ciphertext": "ab" * 32, "alg": "AES-GCM"}), "body"))


def b58check(payload: bytes) -> str:
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n, out = int.from_bytes(raw, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return out


PRIVATE_VERSIONS = ["0488ade4", "04358394", "049d7878", "04b2430c", "044a4e28", "045f18bc",
                    "0295b005", "02aa7a99", "024285b5", "02575048"]
PUBLIC_VERSIONS = ["0488b21e", "043587cf", "049d7cb2", "04b24746", "0295b43f", "02aa7ed3"]


def extended(version: str, private: bool) -> str:
    key = b"\x00" + RNG.randbytes(32) if private else b"\x02" + RNG.randbytes(32)
    return b58check(bytes.fromhex(version) + bytes([3]) + RNG.randbytes(4) + RNG.randbytes(4) + RNG.randbytes(32) + key)


@pytest.mark.parametrize("version", PRIVATE_VERSIONS)
def test_extended_private_keys_of_every_version_caught(s, version):
    k = extended(version, True)
    assert "extended_private_key" in rules(s.scan(f"backup: {k}", "body")), k[:4]
    bad = k[:-1] + ("2" if k[-1] != "2" else "3")
    assert "extended_private_key" not in rules(s.scan(f"backup: {bad}", "body"))


@pytest.mark.parametrize("version", PUBLIC_VERSIONS)
def test_extended_public_keys_pass(s, version):
    assert "extended_private_key" not in rules(s.scan(f"watch-only: {extended(version, False)}", "body"))
