"""Ed25519 receipt keys in Pipelock's key file formats (spec section 11)."""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat

from typing import TYPE_CHECKING

from .capped import CappedReadError, read_capped
from .errors import KeyError_

if TYPE_CHECKING:  # cryptography is imported where it is used: loading it costs ~10 MB RSS
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_HEADER = "pipelock-ed25519-private-v1"
PUBLIC_HEADER = "pipelock-ed25519-public-v1"
DEFAULT_KEY_PATH = "~/.ringfence/receipt.key"
MAX_KEY_FILE = 4096
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def public_bytes(key: "Ed25519PrivateKey") -> bytes:
    raw = getattr(key, "public_raw", None)  # a SodiumKey (fastsign.py) keeps its own
    if isinstance(raw, bytes):
        return raw
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def seed_bytes(key: "Ed25519PrivateKey") -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def fingerprint(pub: bytes) -> str:
    return "sha256:" + hashlib.sha256(pub).hexdigest()


def private_key_text(key: "Ed25519PrivateKey") -> str:
    # Go's ed25519.PrivateKey is seed || public key.
    blob = seed_bytes(key) + public_bytes(key)
    return f"{PRIVATE_HEADER}\n{base64.b64encode(blob).decode()}\n"


def public_key_text(pub: bytes) -> str:
    return f"{PUBLIC_HEADER}\n{base64.b64encode(pub).decode()}\n"


def _write_new(path: str, text: str, mode: int) -> None:
    """Create `path` exclusively with `mode`; never overwrite."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(fd, mode)  # umask may have narrowed or widened nothing; be exact
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def write_keypair(path: str) -> tuple[str, str, bytes]:
    """Generate a key, write PATH (0600) and PATH.pub (0644). Returns (priv, pub, pubkey)."""
    path = os.path.expanduser(path)
    pub_path = (path[:-4] if path.endswith(".key") else path) + ".pub"
    for p in (path, pub_path):
        if os.path.lexists(p):
            raise KeyError_(f"{p} already exists; refusing to overwrite it (move it away first)")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        os.makedirs(parent, mode=0o700, exist_ok=True)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = Ed25519PrivateKey.generate()
    pub = public_bytes(key)
    # Write the private key under a temporary name, then link it into place, so a
    # crash never leaves a half-written key at PATH.
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        _write_new(tmp, private_key_text(key), 0o600)
        os.link(tmp, path)  # fails if PATH appeared meanwhile
    except FileExistsError:
        raise KeyError_(f"{path} already exists; refusing to overwrite it") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    try:
        _write_new(pub_path, public_key_text(pub), 0o644)
    except FileExistsError:
        raise KeyError_(f"{pub_path} already exists; refusing to overwrite it") from None
    return path, pub_path, pub


def check_private_mode(path: str) -> None:
    """Refuse a private key that others can read or write (follows symlinks)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise KeyError_(f"signing key not found: {path} (create one with `ringfence keygen --out {path}`)") \
            from None
    except OSError as e:
        raise KeyError_(f"cannot read signing key {path}: {e.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise KeyError_(f"signing key {path} is not a regular file")
    if st.st_mode & 0o077:
        raise KeyError_(f"signing key {path} is readable or writable by others "
                        f"(mode {stat.S_IMODE(st.st_mode):04o}); run: chmod 600 {path}")


def read_private_key_file(path: str) -> tuple[bytes, bytes | None]:
    """(32-byte seed, embedded 32-byte public key or None) of a Pipelock-format private
    key file; refuses unsafe modes and anything that is not such a file."""
    path = os.path.expanduser(path)
    check_private_mode(path)
    try:
        raw = read_capped(path, MAX_KEY_FILE)
    except CappedReadError as e:
        raise KeyError_(f"signing key {path}: {e}") from None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise KeyError_(f"signing key {path} is not a {PRIVATE_HEADER} key file") from None
    lines = text.strip().splitlines()
    if len(lines) != 2 or lines[0].strip() != PRIVATE_HEADER:
        raise KeyError_(f"signing key {path} is not a {PRIVATE_HEADER} key file")
    try:
        blob = base64.b64decode(lines[1].strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyError_(f"signing key {path}: bad base64") from None
    if len(blob) not in (32, 64):
        raise KeyError_(f"signing key {path}: want 64 key bytes, got {len(blob)}")
    return blob[:32], (blob[32:] if len(blob) == 64 else None)


def _check_embedded(path: str, embedded: bytes | None, derived: bytes) -> None:
    if embedded is not None and embedded != derived:
        raise KeyError_(f"signing key {os.path.expanduser(path)}: embedded public key does not match the seed")


def load_private_key(path: str) -> "Ed25519PrivateKey":
    """Load a Pipelock-format private key file as a cryptography key; refuses unsafe modes."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    seed, embedded = read_private_key_file(path)
    key = Ed25519PrivateKey.from_private_bytes(seed)
    _check_embedded(path, embedded, public_bytes(key))
    return key


def load_signing_key(path: str):
    """The key a receipt writer signs with: a libsodium key (fastsign.SodiumKey, no
    `cryptography` in memory) when libsodium is there and passes its known-answer
    self-check, else load_private_key's. Both give the same signatures (RFC 8032)."""
    from .fastsign import sodium_key
    seed, embedded = read_private_key_file(path)
    key = sodium_key(seed)
    if key is None:
        return load_private_key(path)
    _check_embedded(path, embedded, key.public_raw)
    return key


def parse_public_key_text(text: str, origin: str) -> bytes:
    s = text.strip()
    if _HEX64.match(s):
        return bytes.fromhex(s)
    lines = s.splitlines()
    if len(lines) == 2 and lines[0].strip() == PUBLIC_HEADER:
        try:
            raw = base64.b64decode(lines[1].strip(), validate=True)
        except (binascii.Error, ValueError):
            raise KeyError_(f"public key {origin}: bad base64") from None
        if len(raw) != 32:
            raise KeyError_(f"public key {origin}: want 32 bytes, got {len(raw)}")
        return raw
    if lines and lines[0].strip() == PRIVATE_HEADER:
        raise KeyError_(f"{origin} is a private key; pass the public key (.pub) instead")
    raise KeyError_(f"public key {origin}: not 64 hex characters or a {PUBLIC_HEADER} file")


def load_public_key(hex_or_path: str) -> bytes:
    """A 64-hex public key inline, or a file holding hex or the Pipelock public format."""
    s = (hex_or_path or "").strip()
    if not s:
        raise KeyError_("empty public key")
    if _HEX64.match(s):
        return bytes.fromhex(s)
    path = os.path.expanduser(s)
    if not os.path.exists(path):
        if re.fullmatch(r"[0-9a-fA-F]+", s):
            raise KeyError_(f"public key must be 64 hex characters (got {len(s)})")
        raise KeyError_(f"public key {s!r}: not 64 hex characters and no such file")
    try:
        raw = read_capped(path, MAX_KEY_FILE)
    except CappedReadError as e:
        raise KeyError_(f"public key {path}: {e}") from None
    return parse_public_key_text(raw.decode("ascii", "replace"), path)


def public_key_object(pub: bytes) -> "Ed25519PublicKey":
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    return Ed25519PublicKey.from_public_bytes(pub)
