"""libsodium signing (when the system has it) gives exactly cryptography's Ed25519 bytes."""
import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ringfence.receipts import fastsign
from ringfence.receipts.fastsign import backend_of, fast_signer
from ringfence.receipts.writer import ChainSigner
from rhelp import conformance_key

needs_sodium = pytest.mark.skipif(fastsign._load() is None, reason="no libsodium on this system")


@needs_sodium
def test_sodium_signatures_equal_cryptography():
    for _ in range(5):
        key = Ed25519PrivateKey.generate()
        sign = fast_signer(key)
        assert backend_of(sign) == "libsodium"
        for n in (0, 1, 32, 33, 1000, 70_000):
            msg = os.urandom(n)
            sig = sign(msg)
            assert sig == key.sign(msg) and len(sig) == 64
            key.public_key().verify(sig, msg)
        # near miss: a different message or key gives a different signature
        assert sign(b"a") != sign(b"b")
        assert fast_signer(Ed25519PrivateKey.generate())(b"a") != sign(b"a")


@needs_sodium
def test_conformance_key_golden_signature_through_sodium():
    s = ChainSigner(conformance_key())
    assert backend_of(s.sign_bytes) == "libsodium"
    rec = {"version": 1, "action_id": "conformance-00000", "action_type": "write",
           "timestamp": "2026-04-15T12:00:00Z", "principal": "org:conformance-test",
           "actor": "agent:conformance-runner", "delegation_chain": ["test-policy-v1", "test-grant"],
           "target": "https://api.example.com/conformance", "side_effect_class": "external_write",
           "reversibility": "compensatable",
           "policy_hash": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
           "verdict": "allow", "transport": "https", "method": "POST"}
    assert '"signature":"ed25519:9f0b431d' in s.sign(rec)


def test_env_forces_cryptography(monkeypatch):
    key = Ed25519PrivateKey.generate()
    monkeypatch.setenv("RINGFENCE_SIGNER", "cryptography")
    sign = fast_signer(key)
    assert backend_of(sign) == "cryptography" and sign(b"x") == key.sign(b"x")


def test_other_key_objects_keep_their_own_sign():
    class Wrapped:  # e.g. a key held elsewhere: never unwrapped
        def __init__(self):
            self.k = Ed25519PrivateKey.generate()

        def sign(self, m):
            return self.k.sign(m)

        def public_key(self):
            return self.k.public_key()
    w = Wrapped()
    sign = fast_signer(w)
    assert backend_of(sign) == "cryptography" and sign(b"m") == w.k.sign(b"m")


@needs_sodium
def test_sodium_signer_shared_by_threads():
    import threading
    key = Ed25519PrivateKey.generate()
    sign = fast_signer(key)
    msgs = [os.urandom(40) for _ in range(200)]
    want = [key.sign(m) for m in msgs]
    bad = []

    def run():
        for m, w in zip(msgs, want):
            if sign(m) != w:
                bad.append(m)
    ts = [threading.Thread(target=run) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=30)
    assert not bad
