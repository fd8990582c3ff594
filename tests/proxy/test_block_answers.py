"""What a block tells the agent: scanner, rule, receipt id and a fixed message,
never the blocked content (issue 9), and a CONNECT hostname is scanned as sent."""
from __future__ import annotations

import json
import urllib.parse

import pytest

from ringfence.config import Config

from rfproxy_util import AWS_KEY, INJECTION, UP_HOST, raw_request, routes_for

pytestmark = pytest.mark.timeout(60)

# Token shapes whose patterns are case-sensitive, written into a DNS label as
# the client sent them (mixed case). None is a real credential.
LABEL_SECRETS = [
    AWS_KEY,
    "AKIA" + "ZX4MNB7Q2WERT5YU",
    "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
]


def _substrings(text: str, n: int = 16):
    return {text[i:i + n] for i in range(0, max(1, len(text) - n + 1), 4)}


def _body(raw: bytes) -> tuple[bytes, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return head, json.loads(body)


@pytest.mark.parametrize("secret", LABEL_SECRETS)
async def test_connect_secret_in_hostname_blocked_as_sent(make_proxy, secret):
    p = await make_proxy()
    host = f"{secret}.collector.example.net"
    out = await raw_request(p.port, f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    head, body = _body(out)
    assert head.startswith(b"HTTP/1.1 403"), head
    assert body["blocked"] is True and body["scanner"] == "dlp", body
    assert secret not in out.decode("latin-1")  # never echoed, not even in the excerpt


async def test_connect_lowercase_lookalike_host_is_not_a_secret(make_proxy, upstream):
    # A label that starts like a key prefix but is a word: not a DLP hit.
    host = "akiapartners.example.net"
    p = await make_proxy(routes_for(upstream, host))
    out = await raw_request(p.port, f"CONNECT {host}:{upstream.port} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(),
                            read_timeout=2.0)
    assert out.startswith(b"HTTP/1.1 200"), out[:200]


async def test_forward_inbound_block_does_not_echo_injection(make_proxy, upstream):
    p = await make_proxy(routes_for(upstream))
    out = await raw_request(p.port, f"GET {upstream.url('/inj')} HTTP/1.1\r\nHost: {UP_HOST}\r\n"
                                    "Connection: close\r\n\r\n".encode())
    head, body = _body(out)
    assert head.startswith(b"HTTP/1.1 403")
    assert body["scanner"] == "injection" and body["receipt_id"] and body["message"]
    text = out.decode("utf-8", "replace")
    assert not any(s in text for s in _substrings(INJECTION)), text
    assert all(set(f) == {"scanner", "rule", "severity"} for f in body["findings"])


async def test_fetch_inbound_block_does_not_echo_injection(make_proxy, upstream):
    p = await make_proxy(routes_for(upstream))
    q = urllib.parse.quote(upstream.url("/inj"), safe="")
    out = await raw_request(p.port, f"GET /fetch?url={q} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    "Connection: close\r\n\r\n".encode())
    head, body = _body(out)
    assert head.startswith(b"HTTP/1.1 403") and body["blocked"] is True
    text = out.decode("utf-8", "replace")
    assert not any(s in text for s in _substrings(INJECTION)), text


async def test_fetch_strip_reports_rule_not_stripped_text(make_proxy, upstream):
    cfg = Config.model_validate({"injection": {"action": "strip"}})
    p = await make_proxy(routes_for(upstream), config=cfg)
    q = urllib.parse.quote(upstream.url("/inj"), safe="")
    out = await raw_request(p.port, f"GET /fetch?url={q} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    "Connection: close\r\n\r\n".encode())
    head, body = _body(out)
    assert head.startswith(b"HTTP/1.1 200") and body["verdict"] == "strip", body
    assert "Welcome to the docs" in body["content"]
    text = out.decode("utf-8", "replace")
    assert not any(s in text for s in _substrings(INJECTION)), text
    assert body["findings"] and all("excerpt" not in f for f in body["findings"])
