import json
import os
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from shared_corpus import require

VECTORS = str(require("receipts-conformance"))
PY = sys.executable


def vec(name: str) -> str:
    return os.path.join(VECTORS, name)


def conformance_key() -> Ed25519PrivateKey:
    with open(vec("test-key.json")) as f:
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(json.load(f)["seed_hex"]))


TEST_PUB = "4655a7e605c12ebb00a46037881c33c5bca5eb74b45a02e8e7261a7ff5a21678"
LIVE_PUB = "7b50779c51c9968bd70551d777d3672dedf3d68e008fbffa1c0de18dedb92897"


def run_cli(*args, timeout=60):
    """`ringfence ARGS` as a real subprocess -> CompletedProcess."""
    return subprocess.run([PY, "-m", "ringfence", *args], capture_output=True, text=True, timeout=timeout)


def pipelock_verify(path, key_hex=None, timeout=60):
    cmd = [PY, "-m", "pipelock_verify", str(path)]
    if key_hex:
        cmd += ["--key", key_hex]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
