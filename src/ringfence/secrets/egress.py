"""Egress rules by host, method, path and agent: first match wins. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any


def host_match(host: str, pattern: str) -> bool:
    """Globs on the host name; '*.x' matches x itself and every subdomain of x."""
    host = host.lower().rstrip(".")
    pattern = pattern.lower().rstrip(".")
    if pattern == "*":
        return True
    if pattern.startswith("*.") and host == pattern[2:]:
        return True
    return fnmatchcase(host, pattern)


def path_match(path: str, pattern: str) -> bool:
    """Globs on the path (no query); '/v1/*' also matches '/v1'."""
    if pattern in ("*", "/*"):
        return True
    if pattern.endswith("/*") and path == pattern[:-2]:
        return True
    return fnmatchcase(path, pattern)


def method_match(method: str, methods: Any) -> bool:
    if not methods:
        return True
    m = method.upper()
    return any(x == "*" or x.upper() == m for x in methods)


def split_host_patterns(hosts: list[str]) -> list[tuple[str, str]]:
    """'api.example.com/v1/*' -> ('api.example.com', '/v1/*'); a bare host -> (host, '')."""
    out = []
    for h in hosts:
        host, sep, path = h.partition("/")
        out.append((host, "/" + path if sep else ""))
    return out


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    rule: int            # index of the matching rule, -1 for the default
    host_only: bool = False   # decided without the method or path (blind CONNECT)

    def describe(self) -> str:
        src = f"rule {self.rule + 1}" if self.rule >= 0 else "default"
        return f"{'allow' if self.allowed else 'deny'} by egress {src}"


class EgressPolicy:
    """Compiled `egress:` section."""

    def __init__(self, cfg: Any):
        self.default_allow = cfg.default == "allow"
        self.rules = [(r.action == "allow", [m.upper() for m in r.methods],
                       split_host_patterns(r.hosts), list(r.paths), list(r.agents)) for r in cfg.rules]
        self.active = not self.default_allow or bool(self.rules)

    @staticmethod
    def _agent_ok(agents: list[str], agent: str) -> bool:
        return not agents or (bool(agent) and any(fnmatchcase(agent, a) for a in agents))

    def check(self, method: str, host: str, path: str, agent: str = "") -> Verdict:
        path = path.split("?", 1)[0] or "/"
        for i, (allow, methods, hosts, paths, agents) in enumerate(self.rules):
            if not self._agent_ok(agents, agent) or not method_match(method, methods):
                continue
            if not any(host_match(host, h) and (not p or path_match(path, p)) for h, p in hosts):
                continue
            if paths and not any(path_match(path, p) for p in paths):
                continue
            return Verdict(allow, i)
        return Verdict(self.default_allow, -1)

    def check_host(self, host: str, agent: str = "") -> Verdict:
        """Without the method or path (a tunnel we do not decrypt): allowed when some
        request to this host could be allowed. A deny rule decides only if it covers
        every method and path; an allow rule for any method or path lets it through."""
        for i, (allow, methods, hosts, paths, agents) in enumerate(self.rules):
            if not self._agent_ok(agents, agent):
                continue
            matched = [p for h, p in hosts if host_match(host, h)]
            if not matched:
                continue
            if allow:
                return Verdict(True, i, True)
            whole = "*" in methods and not paths and any(p in ("", "/*", "*") for p in matched)
            if whole:
                return Verdict(False, i, True)
        return Verdict(self.default_allow, -1, True)
