"""Secrets of this process's environment, as literals in every encoding they may leave in."""
from __future__ import annotations

import base64
import re

from .. import validators as V

# ---------------------------------------------------------------------------
# environment secrets

_ENV_SENSITIVE = re.compile(r"(?i)(KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS\b|CREDENTIAL|AUTH|API|PRIVATE|SESSION"
                            r"|COOKIE|DSN|DATABASE_URL|CONN(ECTION)?_?STR|SIGNING|WEBHOOK)")
_ENV_HARMLESS = frozenset((
    "PATH", "HOME", "PWD", "OLDPWD", "SHELL", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM", "TMPDIR", "TMP",
    "TEMP", "EDITOR", "VISUAL", "PAGER", "HOSTNAME", "SHLVL", "MAIL", "DISPLAY", "COLORTERM", "TZ", "_",
    "SSH_AUTH_SOCK", "SSH_AGENT_PID", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY", "GPG_AGENT_INFO", "XAUTHORITY",
    "KRB5CCNAME", "DBUS_SESSION_BUS_ADDRESS", "SESSION_MANAGER", "DESKTOP_SESSION", "XDG_SESSION_ID",
    "XDG_SESSION_TYPE", "XDG_SESSION_CLASS", "XDG_SESSION_DESKTOP", "GNOME_KEYRING_CONTROL", "VIRTUAL_ENV",
    "PYTHONPATH", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "LS_COLORS", "MANPATH", "INFOPATH",
    "CONDA_PREFIX", "GOPATH", "GOROOT", "JAVA_HOME", "NVM_DIR", "CARGO_HOME", "RUSTUP_HOME", "HISTFILE",
    "PS1", "PS2", "PROMPT_COMMAND", "WINDOWID", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "KUBECONFIG", "DOCKER_HOST", "HTTP_PROXY", "HTTPS_PROXY",
    "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "ALL_PROXY", "all_proxy",
))
_ENV_HARMLESS_PREFIX = ("LC_", "XDG_", "GIT_", "LESS", "PYTHON", "VSCODE_", "TERM_")


def _encodings(value: str) -> list[tuple[str, str, bool]]:
    """(encoded form, label, caseless) for a secret literal."""
    b = value.encode("utf-8", "surrogatepass")
    b64 = base64.b64encode(b).decode()
    u64 = base64.urlsafe_b64encode(b).decode()
    b32 = base64.b32encode(b).decode()
    forms = [(value, "raw", False), (b64, "base64", False), (b64.rstrip("="), "base64", False),
             (u64, "base64url", False), (u64.rstrip("="), "base64url", False), (b.hex(), "hex", True),
             (b32, "base32", False), (b32.rstrip("="), "base32", False)]
    seen, out = set(), []
    for f in forms:
        if f[0] not in seen:
            seen.add(f[0])
            out.append(f)
    return out


def env_secrets(environ: dict[str, str], min_length: int) -> list[tuple[str, str]]:
    """(name, value) pairs of this process's environment that look like secrets."""
    out = []
    for name, value in environ.items():
        if name in _ENV_HARMLESS or name.startswith(_ENV_HARMLESS_PREFIX) or not _ENV_SENSITIVE.search(name):
            continue
        v = value.strip()
        if len(v) < min_length or len(v) > 4096 or V.shannon(v) < 3.0 or v.startswith("/"):
            continue
        out.append((name, v))
    return out


