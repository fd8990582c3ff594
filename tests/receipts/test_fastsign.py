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


# The conformance vector's action record and the start of its signature under the conformance key.
CONFORMANCE_RECORD = {
    "version": 1, "action_id": "conformance-00000", "action_type": "write",
    "timestamp": "2026-04-15T12:00:00Z", "principal": "org:conformance-test",
    "actor": "agent:conformance-runner", "delegation_chain": ["test-policy-v1", "test-grant"],
    "target": "https://api.example.com/conformance", "side_effect_class": "external_write",
    "reversibility": "compensatable",
    "policy_hash": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "verdict": "allow", "transport": "https", "method": "POST"}
GOLDEN_SIGNATURE = '"signature":"ed25519:9f0b431d'


@needs_sodium
def test_conformance_key_golden_signature_through_sodium():
    s = ChainSigner(conformance_key())
    assert backend_of(s.sign_bytes) == "libsodium"
    assert GOLDEN_SIGNATURE in s.sign(CONFORMANCE_RECORD)


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


# ---- loading the signing key with libsodium alone (no `cryptography` in the process)

def _key_file(tmp_path, key, name="k.key", pub_override=None):
    import base64
    from ringfence.receipts.keys import PRIVATE_HEADER, public_bytes, seed_bytes
    blob = seed_bytes(key) + (pub_override if pub_override is not None else public_bytes(key))
    p = tmp_path / name
    p.write_text(f"{PRIVATE_HEADER}\n{base64.b64encode(blob).decode()}\n")
    p.chmod(0o600)
    return str(p)


@needs_sodium
def test_sodium_key_signs_like_cryptography_for_generated_keys(tmp_path):
    from ringfence.receipts.keys import load_signing_key
    for i in range(5):
        key = Ed25519PrivateKey.generate()
        sk = load_signing_key(_key_file(tmp_path, key, f"k{i}.key"))
        assert isinstance(sk, fastsign.SodiumKey) and backend_of(fast_signer(sk)) == "libsodium"
        from ringfence.receipts.keys import public_bytes
        assert public_bytes(sk) == public_bytes(key)
        for n in (0, 1, 64, 1000, 70_000):
            msg = os.urandom(n)
            assert sk.sign(msg) == key.sign(msg)
            key.public_key().verify(sk.sign(msg), msg)


@needs_sodium
def test_sodium_key_through_chain_signer_gives_the_golden_signature(tmp_path):
    s = ChainSigner(fastsign.sodium_key(_seed(conformance_key())))
    assert GOLDEN_SIGNATURE in s.sign(CONFORMANCE_RECORD)


def _seed(key):
    from ringfence.receipts.keys import seed_bytes
    return seed_bytes(key)


def test_signing_key_with_a_wrong_embedded_public_key_is_refused(tmp_path):
    from ringfence.receipts import KeyError_
    from ringfence.receipts.keys import load_private_key, load_signing_key, public_bytes
    other = public_bytes(Ed25519PrivateKey.generate())
    path = _key_file(tmp_path, Ed25519PrivateKey.generate(), pub_override=other)
    for load in (load_signing_key, load_private_key):
        with pytest.raises(KeyError_, match="embedded public key"):
            load(path)


def test_signing_key_env_forces_cryptography(tmp_path, monkeypatch):
    from ringfence.receipts.keys import load_signing_key
    monkeypatch.setenv("RINGFENCE_SIGNER", "cryptography")
    key = Ed25519PrivateKey.generate()
    got = load_signing_key(_key_file(tmp_path, key))
    assert isinstance(got, Ed25519PrivateKey) and got.sign(b"m") == key.sign(b"m")


def test_sodium_known_answer_failure_falls_back_to_cryptography(tmp_path, monkeypatch):
    from ringfence.receipts.keys import load_signing_key
    monkeypatch.setattr(fastsign, "_kat_ok", False)  # as if libsodium gave a wrong answer
    key = Ed25519PrivateKey.generate()
    got = load_signing_key(_key_file(tmp_path, key))
    assert isinstance(got, Ed25519PrivateKey) and got.sign(b"m") == key.sign(b"m")


@needs_sodium
def test_writer_process_never_loads_cryptography(tmp_path):
    """The proxy's writer: the key comes from libsodium, `cryptography` stays out (~10 MB)."""
    import subprocess
    import sys
    path = _key_file(tmp_path, Ed25519PrivateKey.generate())
    code = ("import sys; from ringfence.config import Config; from ringfence.receipts import open_writer\n"
            "from ringfence.core.types import Action, Decision\n"
            f"w = open_writer({str(tmp_path / 'ev')!r}, {path!r}, Config())\n"
            "w.record(Action(transport='http', direction='outbound', kind='url', target='https://x.test/'),"
            " Decision('allow')); w.close()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cryptography'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
