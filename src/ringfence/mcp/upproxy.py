"""The HTTP proxy named in the environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY; NO_PROXY
honoured) for an MCP upstream. This is what lets the stdio bridge
(`ringfence mcp proxy --upstream URL`) work inside `ringfence exec --contain`, where the
proxy is the only way out. (aiohttp's trust_env is not used: it would also read ~/.netrc.)"""
from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit


def proxy_for(scheme: str, host: str, env=None) -> tuple[str, int] | None:
    env = os.environ if env is None else env
    names = ("HTTPS_PROXY", "https_proxy") if scheme == "https" else ("HTTP_PROXY", "http_proxy")
    url = next((env[n] for n in (*names, "ALL_PROXY", "all_proxy") if env.get(n)), "")
    if not url or _no_proxy(host, env.get("NO_PROXY") or env.get("no_proxy") or ""):
        return None
    u = urlsplit(url if "://" in url else "http://" + url)
    if u.scheme != "http" or not u.hostname:
        return None  # only plain-HTTP proxies (ringfence's) are spoken here
    return u.hostname, u.port or 80


def _no_proxy(host: str, rule: str) -> bool:
    host = host.lower().strip("[]")
    for item in (x.strip().lower() for x in rule.split(",")):
        if not item:
            continue
        if item == "*":
            return True
        item = item.lstrip(".")
        item = item.rsplit(":", 1)[0] if item.count(":") == 1 else item.strip("[]")
        if host == item or host.endswith("." + item):
            return True
        try:
            if ipaddress.ip_address(host) in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            pass
    return False
