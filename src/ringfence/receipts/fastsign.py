"""A faster Ed25519 signing call for receipts, byte-identical to the cryptography key's.

Ed25519 signatures are deterministic (RFC 8032), so libsodium's crypto_sign_detached
and cryptography's Ed25519PrivateKey.sign give the same 64 bytes for the same key and
message. When the system has libsodium, it signs about 1.5-2x faster, and ctypes
releases the GIL during the call. It is optional: without it, or when the start-up
self-check disagrees, or with RINGFENCE_SIGNER=cryptography, key.sign is used.

sodium_key(seed) loads a signing key with libsodium alone (`cryptography` then never
enters the process: ~10 MB RSS less for the proxy). libsodium is trusted for that only
after RFC 8032's known-answer tests (public key and signature) pass in this process,
and each key after a sign-then-verify round trip.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import weakref
from typing import Callable

from .keys import public_bytes, seed_bytes

_LIB_NAMES = ("libsodium.so.26", "libsodium.so.23", "libsodium.so", "libsodium.dylib")
_lib: ctypes.CDLL | None = None
_lib_tried = False


def _load() -> ctypes.CDLL | None:
    global _lib, _lib_tried
    if _lib_tried:
        return _lib
    _lib_tried = True
    names = list(_LIB_NAMES)
    found = ctypes.util.find_library("sodium")
    if found:
        names.append(found)
    for name in names:
        try:
            lib = ctypes.CDLL(name)  # CDLL (not PyDLL): calls run without the GIL
            if lib.sodium_init() < 0:
                continue
            lib.crypto_sign_seed_keypair.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
            lib.crypto_sign_seed_keypair.restype = ctypes.c_int
            lib.crypto_sign_detached.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_char_p,
                                                 ctypes.c_ulonglong, ctypes.c_char_p]
            lib.crypto_sign_detached.restype = ctypes.c_int
        except (OSError, AttributeError):
            continue
        _lib = lib
        break
    return _lib


class SodiumSigner:
    """Callable bytes -> 64-byte signature with libsodium, for one key."""
    backend = "libsodium"

    def __init__(self, lib: ctypes.CDLL, key):
        self._fn = lib.crypto_sign_detached
        pk = ctypes.create_string_buffer(32)
        self._sk = sk = ctypes.create_string_buffer(64)  # seed || public key, as libsodium keeps it
        if lib.crypto_sign_seed_keypair(pk, sk, seed_bytes(key)) != 0 or pk.raw != public_bytes(key):
            ctypes.memset(sk, 0, 64)
            raise ValueError("libsodium derived a different public key")
        weakref.finalize(self, ctypes.memset, sk, 0, 64)  # wipe the key copy when dropped

    def __call__(self, msg: bytes) -> bytes:
        sig = ctypes.create_string_buffer(64)  # per call: safe when threads share a signer
        if self._fn(sig, None, msg, len(msg), self._sk) != 0:
            raise ValueError("libsodium crypto_sign_detached failed")
        return sig.raw


# RFC 8032 section 7.1, TEST 1 and TEST 2: (seed, public key, message, signature).
_KAT = (
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
)
_kat_ok: bool | None = None


class SodiumKey:
    """An Ed25519 private key held by libsodium: `sign(msg)`, `public_raw` (32 bytes).
    Callable like SodiumSigner (fast_signer returns it as is)."""
    backend = "libsodium"

    def __init__(self, lib: ctypes.CDLL, seed: bytes):
        if len(seed) != 32:
            raise ValueError("an Ed25519 seed is 32 bytes")
        self._fn = lib.crypto_sign_detached
        self._verify = lib.crypto_sign_verify_detached
        self._verify.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_char_p]
        self._verify.restype = ctypes.c_int
        pk = ctypes.create_string_buffer(32)
        self._sk = sk = ctypes.create_string_buffer(64)
        weakref.finalize(self, ctypes.memset, sk, 0, 64)  # wipe the key when dropped
        if lib.crypto_sign_seed_keypair(pk, sk, seed) != 0:
            raise ValueError("libsodium could not derive the key pair")
        self.public_raw = pk.raw

    def sign(self, msg: bytes) -> bytes:
        sig = ctypes.create_string_buffer(64)  # per call: safe when threads share a key
        if self._fn(sig, None, msg, len(msg), self._sk) != 0:
            raise ValueError("libsodium crypto_sign_detached failed")
        return sig.raw

    __call__ = sign

    def verify(self, sig: bytes, msg: bytes) -> bool:
        return len(sig) == 64 and self._verify(sig, msg, len(msg), self.public_raw) == 0


def _sodium_kat(lib: ctypes.CDLL) -> bool:
    global _kat_ok
    if _kat_ok is None:
        try:
            _kat_ok = all(
                (k := SodiumKey(lib, bytes.fromhex(seed))).public_raw.hex() == pub
                and k.sign(bytes.fromhex(msg)).hex() == sig and k.verify(bytes.fromhex(sig), bytes.fromhex(msg))
                and not k.verify(bytes.fromhex(sig), b"x" + bytes.fromhex(msg))
                for seed, pub, msg, sig in _KAT)
        except (ValueError, OSError, AttributeError, ctypes.ArgumentError):
            _kat_ok = False
    return _kat_ok


def sodium_key(seed: bytes) -> SodiumKey | None:
    """The key for this 32-byte seed held by libsodium, or None (no libsodium, the
    known-answer tests failed, RINGFENCE_SIGNER=cryptography, or a failed round trip)."""
    if os.environ.get("RINGFENCE_SIGNER", "").lower() == "cryptography":
        return None
    lib = _load()
    if lib is None or not _sodium_kat(lib):
        return None
    try:
        key = SodiumKey(lib, seed)
        probe = b"ringfence receipts self-check"
        if not key.verify(key.sign(probe), probe):
            return None
    except (ValueError, OSError, AttributeError, ctypes.ArgumentError):
        return None
    return key


def fast_signer(key) -> Callable[[bytes], bytes]:
    """The fastest signing call for `key` that gives exactly key.sign's bytes."""
    if isinstance(key, SodiumKey):
        return key
    if os.environ.get("RINGFENCE_SIGNER", "").lower() == "cryptography":
        return key.sign
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    if not isinstance(key, Ed25519PrivateKey):
        return key.sign
    lib = _load()
    if lib is None:
        return key.sign
    try:
        s = SodiumSigner(lib, key)
        for probe in (b"", b"ringfence receipts self-check", bytes(range(256))):
            if s(probe) != key.sign(probe):
                return key.sign
    except (ValueError, OSError, ctypes.ArgumentError):
        return key.sign
    return s


def backend_of(sign: Callable[[bytes], bytes]) -> str:
    return getattr(sign, "backend", "cryptography")


def fast_verifier() -> Callable[[bytes, bytes, bytes], bool]:
    """(signature, message, public key) -> valid?, with libsodium when it is there
    (about 1.7x faster than cryptography here), else cryptography."""
    lib = None if os.environ.get("RINGFENCE_SIGNER", "").lower() == "cryptography" else _load()
    if lib is not None:
        try:
            fn = lib.crypto_sign_verify_detached
            fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_char_p]
            fn.restype = ctypes.c_int

            def sodium_verify(sig: bytes, msg: bytes, key: bytes) -> bool:
                return len(sig) == 64 and len(key) == 32 and fn(sig, msg, len(msg), key) == 0
            return sodium_verify
        except AttributeError:
            pass
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    def crypto_verify(sig: bytes, msg: bytes, key: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(key).verify(sig, msg)
            return True
        except (InvalidSignature, ValueError):
            return False
    return crypto_verify
