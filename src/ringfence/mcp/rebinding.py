"""DNS-rebinding guard for the Streamable HTTP listener: a web page that rebinds its own
name to 127.0.0.1 reaches the listener with a foreign Host (and Origin). Only loopback
names (and the listen address), or the configured allowlists, are accepted."""
from __future__ import annotations

from urllib.parse import urlsplit

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def _host_only(value: str) -> str:
    v = value.strip().lower()
    if v.startswith("["):
        return v[1:v.find("]")] if "]" in v else ""
    return v.rsplit(":", 1)[0] if v.count(":") == 1 else v


class HostOriginGuard:
    def __init__(self, allowed_hosts=(), allowed_origins=(), listen_host: str = ""):
        self.hosts = {h.lower().strip("[]") for h in allowed_hosts} or set(LOOPBACK)
        if listen_host and listen_host not in ("0.0.0.0", "::", ""):
            self.hosts.add(listen_host.lower().strip("[]"))
        self.origins = {o.lower().rstrip("/") for o in allowed_origins}

    def check(self, host: str, origin: str) -> tuple[int, str] | None:
        """None when fine, else (status, message)."""
        h = _host_only(host)
        if not h or h not in self.hosts:
            return 421, "Host not allowed (DNS-rebinding guard; see mcp.allowed_hosts)"
        if origin:
            o = origin.lower().rstrip("/")
            if self.origins:
                ok = o in self.origins
            else:
                try:
                    ok = urlsplit(o).scheme in ("http", "https") and (urlsplit(o).hostname or "") in LOOPBACK
                except ValueError:
                    ok = False
            if not ok:
                return 403, "Origin not allowed (DNS-rebinding guard; see mcp.allowed_origins)"
        return None
