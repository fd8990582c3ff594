"""TLS interception: a local CA (EC P-256) and per-host leaf certificates.

Python's ssl cannot load a key from memory, so each leaf is written once to a
private 0700 directory, loaded into an SSLContext, and deleted; the contexts
are kept in a small LRU keyed by host."""
from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_CERT = "ca.pem"
CA_KEY = "ca.key"


class CaError(Exception):
    pass


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def init_ca(directory: str, common_name: str = "ringfence local CA") -> tuple[Path, Path]:
    """Create ca.pem and ca.key (0600) in `directory`. Refuses to overwrite."""
    d = Path(os.path.expanduser(directory))
    cert_p, key_p = d / CA_CERT, d / CA_KEY
    if cert_p.exists() or key_p.exists():
        raise CaError(f"a CA already exists in {d}; refusing to overwrite it")
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ringfence")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _write_private(key_p, key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption()))
    cert_p.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_p, key_p


class CertAuthority:
    def __init__(self, directory: str):
        d = Path(os.path.expanduser(directory))
        cert_p, key_p = d / CA_CERT, d / CA_KEY
        if not cert_p.exists() or not key_p.exists():
            raise CaError(f"no CA in {d}; create one with `ringfence tls init --dir {d}`")
        mode = key_p.stat().st_mode & 0o077
        if mode:
            raise CaError(f"{key_p} is readable by group or others; chmod 600 it")
        self.cert_path = cert_p
        self.cert = x509.load_pem_x509_certificate(cert_p.read_bytes())
        key = serialization.load_pem_private_key(key_p.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise CaError("the CA key must be an EC key")
        self.key = key
        # One leaf key for every host: generating keys per host costs time and buys nothing here.
        self.leaf_key = ec.generate_private_key(ec.SECP256R1())

    def leaf_pem(self, host: str) -> tuple[bytes, bytes]:
        now = datetime.datetime.now(datetime.timezone.utc)
        try:
            san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            san = x509.DNSName(host)
        cn = host[:64] or "ringfence"
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
                .issuer_name(self.cert.subject).public_key(self.leaf_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(hours=1))
                .not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.SubjectAlternativeName([san]), critical=False)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))
        chain = cert.public_bytes(serialization.Encoding.PEM) + self.cert.public_bytes(serialization.Encoding.PEM)
        key = self.leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
        return chain, key


class LeafCache:
    """host -> server SSLContext (ALPN http/1.1 only), LRU-bounded."""

    def __init__(self, ca: CertAuthority, maxsize: int = 512):
        self.ca = ca
        self.maxsize = maxsize
        self._lru: OrderedDict[str, ssl.SSLContext] = OrderedDict()
        self._lock = threading.Lock()
        self._dir = tempfile.mkdtemp(prefix="ringfence-leaf-")
        os.chmod(self._dir, 0o700)

    def context(self, host: str) -> ssl.SSLContext:
        host = host.lower().rstrip(".")
        with self._lock:
            ctx = self._lru.get(host)
            if ctx is not None:
                self._lru.move_to_end(host)
                return ctx
        chain, key = self.ca.leaf_pem(host)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_alpn_protocols(["http/1.1"])  # h2 clients fall back to HTTP/1.1 cleanly
        fd, path = tempfile.mkstemp(dir=self._dir, suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(key + chain)
            ctx.load_cert_chain(path)
        finally:
            os.unlink(path)
        with self._lock:
            self._lru[host] = ctx
            while len(self._lru) > self.maxsize:
                self._lru.popitem(last=False)
        return ctx

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


def should_intercept(host: str, include: list[str], exclude: list[str]) -> bool:
    from ..engine import host_matches as _host_matches
    if any(_host_matches(host, p) for p in exclude):
        return False
    return not include or any(_host_matches(host, p) for p in include)
