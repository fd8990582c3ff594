"""The environment `ringfence exec` gives a command: proxy variables for every common
runtime and, with TLS interception, CA trust variables pointing at a bundle of the
system CAs plus ringfence's CA (so hosts that are not intercepted still verify)."""
from __future__ import annotations

import os
import ssl

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
NO_PROXY = "localhost,127.0.0.1,::1"
# Each runtime reads its own variable; all point at the combined bundle except Node's,
# which adds NODE_EXTRA_CA_CERTS to its built-in roots.
CA_VARS = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "PIP_CERT",
           "AWS_CA_BUNDLE", "DENO_CERT")


def system_ca_file() -> str | None:
    paths = ssl.get_default_verify_paths()
    for p in (os.environ.get("SSL_CERT_FILE"), paths.cafile, paths.openssl_cafile,
              "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"):
        if p and os.path.isfile(p):
            return p
    try:
        import certifi
        return certifi.where()
    except ImportError:
        return None


def combined_bundle(ca_pem: str, out_path: str) -> str:
    """System CAs followed by ringfence's CA, written to out_path (0644)."""
    parts = []
    sys_ca = system_ca_file()
    if sys_ca:
        with open(sys_ca, "rb") as f:
            parts.append(f.read().rstrip(b"\n") + b"\n")
    with open(ca_pem, "rb") as f:
        parts.append(f.read())
    with open(out_path, "wb") as f:
        f.write(b"".join(parts))
    os.chmod(out_path, 0o644)
    return out_path


def extra_env() -> dict[str, str]:
    """Hook for other parts of ringfence (e.g. secret placeholders for the agent);
    returns variables to add to the command's environment. Empty for now."""
    try:
        from ..secrets.egress import exec_env  # type: ignore[import-not-found]
    except ImportError:
        return {}
    try:
        return dict(exec_env())
    except Exception:
        return {}


def build_env(base: dict[str, str], proxy_url: str, ca_pem: str | None, bundle: str | None) -> dict[str, str]:
    env = dict(base)
    for k in PROXY_VARS:
        env[k] = proxy_url
    env["NO_PROXY"] = env["no_proxy"] = NO_PROXY
    if ca_pem and bundle:
        for k in CA_VARS:
            env[k] = bundle
        env["NODE_EXTRA_CA_CERTS"] = ca_pem
    env.update(extra_env())
    env["RINGFENCE_PROXY"] = proxy_url
    return env
