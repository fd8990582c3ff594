"""Is this base64 the DER of a private key? (unarmored keys: no BEGIN/END lines)

Reads only the first few ASN.1 headers:
- PKCS#8 PrivateKeyInfo / OneAsymmetricKey: SEQUENCE { INTEGER 0|1, SEQUENCE { OID ... }, OCTET STRING }
- PKCS#8 EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE { OID pkcs5 PBES2/PBES1 ... }, OCTET STRING }
- PKCS#1 RSAPrivateKey: SEQUENCE { INTEGER 0, INTEGER modulus, ... }
- SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING key, ... }
Public keys (SubjectPublicKeyInfo: SEQUENCE { SEQUENCE, BIT STRING }; PKCS#1 RSAPublicKey:
SEQUENCE { INTEGER modulus, INTEGER e }) and certificates (SEQUENCE { SEQUENCE { ... } ... })
do not match.
"""
from __future__ import annotations

from ..text.blobs import b64_bytes

_PKCS5 = bytes.fromhex("2a864886f70d0105")  # 1.2.840.113549.1.5 (PBES1/PBES2)


def _header(b: bytes, i: int) -> tuple[int, int, int] | None:
    """(tag, content start, content length) of the element at i."""
    if i + 2 > len(b):
        return None
    tag, n = b[i], b[i + 1]
    if n < 0x80:
        return tag, i + 2, n
    k = n & 0x7F
    if not 1 <= k <= 3 or i + 2 + k > len(b):
        return None
    return tag, i + 2 + k, int.from_bytes(b[i + 2:i + 2 + k], "big")


def private_key_der(text: str) -> bool:
    b = b64_bytes("".join(text.split())[:128])  # the first 96 bytes hold the headers we read
    if b is None:
        return False
    outer = _header(b, 0)
    if outer is None or outer[0] != 0x30 or outer[2] < 32:
        return False
    first = _header(b, outer[1])
    if first is None:
        return False
    tag, at, n = first
    if tag == 0x02 and n == 1 and at + 1 < len(b):  # INTEGER version
        version, nxt = b[at], _header(b, at + 1)
        if nxt is None:
            return False
        if version in (0, 1) and nxt[0] == 0x30:        # PKCS#8: AlgorithmIdentifier follows
            alg = _header(b, nxt[1])
            return alg is not None and alg[0] == 0x06
        if version == 0 and nxt[0] == 0x02 and nxt[2] >= 64:   # PKCS#1: a long modulus follows
            return True
        return version == 1 and nxt[0] == 0x04 and 16 <= nxt[2] <= 66  # SEC1: the private scalar
    if tag == 0x30:  # EncryptedPrivateKeyInfo: AlgorithmIdentifier with a PKCS#5 OID
        oid = _header(b, at)
        return oid is not None and oid[0] == 0x06 and b[oid[1]:oid[1] + len(_PKCS5)] == _PKCS5
    return False


__all__ = ["private_key_der"]


# Public-key algorithm OIDs of a SubjectPublicKeyInfo (DER of the OID body): rsaEncryption,
# id-ecPublicKey, id-dsa, X25519, X448, Ed25519, Ed448, RSASSA-PSS.
_PUBLIC_ALGS = tuple(bytes.fromhex(h) for h in (
    "2a864886f70d010101", "2a8648ce3d0201", "2a8648ce380401", "2b656e", "2b656f", "2b6570", "2b6571",
    "2a864886f70d01010a"))


def _der_bytes(text: str, limit: int = 4096) -> bytes | None:
    s = "".join(text.split())
    return None if len(s.rstrip("=")) > limit else b64_bytes(s)


def public_key_der(text: str) -> bool:
    """Base64 (or base64url) of a SubjectPublicKeyInfo with a known public-key algorithm, or of
    an X.509 certificate: public material by design (a private key never has this shape)."""
    b = _der_bytes(text)
    if b is None or len(b) < 40:
        return False
    outer = _header(b, 0)
    if outer is None or outer[0] != 0x30 or outer[1] + outer[2] != len(b):
        return False
    first = _header(b, outer[1])
    if first is None or first[0] != 0x30:
        return False
    inner = _header(b, first[1])
    if inner is None:
        return False
    if inner[0] == 0x06:   # SPKI: AlgorithmIdentifier { OID, params }, then the key as a BIT STRING
        oid = b[inner[1]:inner[1] + inner[2]]
        key = _header(b, first[1] + first[2])
        return oid in _PUBLIC_ALGS and key is not None and key[0] == 0x03
    # Certificate: TBSCertificate { [0] version, INTEGER serial, ... }
    return inner[0] == 0xA0 and _header(b, inner[1] + inner[2]) is not None \
        and _header(b, inner[1] + inner[2])[0] == 0x02
