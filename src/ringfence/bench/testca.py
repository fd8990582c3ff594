"""A throwaway CA that issues leaf certificates for any SNI name: the TLS twin of
the bench fixtures (and usable by tests). Never used for ringfence's own traffic."""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import tempfile
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class TestCA:
    def __init__(self, directory: str | None = None, cn: str = "ringfence bench fixture CA"):
        self.dir = directory or tempfile.mkdtemp(prefix="rf-testca-")
        os.chmod(self.dir, 0o700)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        self.cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                    critical=True)
                     .sign(self.key, hashes.SHA256()))
        self.ca_path = os.path.join(self.dir, "ca.pem")
        with open(self.ca_path, "wb") as f:
            f.write(self.cert.public_bytes(serialization.Encoding.PEM))
        self._ctx: dict[str, ssl.SSLContext] = {}
        self._n = 0
        self._lock = threading.Lock()

    def leaf_context(self, host: str, extra: tuple[str, ...] = ()) -> ssl.SSLContext:
        """A server context for `host` (plus `extra` names: IP-literal clients send no SNI,
        so the default certificate must already cover them)."""
        host = (host or "localhost").lower()
        with self._lock:
            if host in self._ctx and not extra:
                return self._ctx[host]
            key = ec.generate_private_key(ec.SECP256R1())
            sans: list[x509.GeneralName] = []
            for name in (host, *extra):
                try:
                    sans.append(x509.IPAddress(ipaddress.ip_address(name.strip("[]"))))
                except ValueError:
                    sans.append(x509.DNSName(name))
            now = dt.datetime.now(dt.timezone.utc)
            # X.509 caps a CN at 64 characters; the SAN carries the full name.
            cert = (x509.CertificateBuilder().subject_name(_name(host[:64])).issuer_name(self.cert.subject)
                    .public_key(key.public_key()).serial_number(x509.random_serial_number())
                    .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
                    .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                    .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                    .sign(self.key, hashes.SHA256()))
            self._n += 1
            base = os.path.join(self.dir, f"leaf-{self._n}")
            with open(base + ".pem", "wb") as f:
                f.write(cert.public_bytes(serialization.Encoding.PEM))
            fd = os.open(base + ".key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(base + ".pem", base + ".key")
            ctx.set_alpn_protocols(["http/1.1"])
            self._ctx[host] = ctx
            return ctx

    def server_context(self, default_names: tuple[str, ...] = ()) -> ssl.SSLContext:
        """A server context that issues a leaf for whatever SNI the client sends; without
        SNI (IP literals) it presents a default leaf for localhost and `default_names`."""
        ctx = self.leaf_context("localhost", tuple(default_names))
        n = self._n
        outer = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        outer.load_cert_chain(os.path.join(self.dir, f"leaf-{n}.pem"), os.path.join(self.dir, f"leaf-{n}.key"))
        outer.set_alpn_protocols(["http/1.1"])

        def pick(sock, server_name, _ctx):
            if server_name:
                sock.context = self.leaf_context(server_name)
        outer.sni_callback = pick
        del ctx
        return outer

    def client_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca_path)
        return ctx
