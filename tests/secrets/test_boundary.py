"""The pure boundary: placeholder rewriting, inject targets, real values in any
encoding (true positives and near misses), misrouted placeholders, egress rules,
response scrubbing."""
from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from ringfence.config import load_config_text
from ringfence.secrets import boundary_for, placeholder_env
from ringfence.secrets.egress import EgressPolicy

REAL = "Tk-5vW2qR8zY3nB6hJ1x"
PH = "rf-secret-demo"


@pytest.fixture
def cfg(monkeypatch):
    monkeypatch.setenv("RF_B_TOKEN", REAL)
    monkeypatch.setenv("RF_B_OTHER", "Other-Value-9d8f7g6h5j")

    def make(extra: str = "", spec: str = ""):
        return load_config_text(f"""\
secrets:
  demo:
    placeholder: {PH}
    value_from: {{env: RF_B_TOKEN}}
    hosts: [api.example.com, "*.svc.example.org"]
{spec}
  other:
    value_from: {{env: RF_B_OTHER}}
    hosts: [other.example.com]
    paths: ["/v1/*"]
    methods: [POST]
{extra}""")
    return make


def rules(out):
    return [f"{f.scanner}:{f.rule}" for f in out.findings]


def test_placeholder_replaced_in_header_query_and_bodies(cfg):
    b = boundary_for(cfg())
    o = b.outbound("POST", f"https://api.example.com/x?k={quote(PH, safe='')}&j={PH}",
                   [("Authorization", f"Bearer {PH}"), ("Content-Type", "application/json"), ("X-Agent", "bot")],
                   json.dumps({"key": PH}).encode())
    assert not o.findings and o.agent == "bot"
    assert o.url == f"https://api.example.com/x?k={REAL}&j={REAL}"
    assert o.headers == [("Authorization", f"Bearer {REAL}"), ("Content-Type", "application/json")]
    assert json.loads(o.body) == {"key": REAL} and o.injected == [("demo", PH)]
    o = b.outbound("POST", "https://a.svc.example.org/", [("Content-Type", "application/x-www-form-urlencoded")],
                   f"t={quote(PH, safe='')}".encode())
    assert o.body == f"t={REAL}".encode()


def test_placeholder_to_another_host_path_or_method_is_misrouted(cfg):
    b = boundary_for(cfg())
    for method, url in [("GET", "https://evil.example.net/?q=" + PH), ("GET", "https://api.example.com.evil.net/" + PH),
                        ("GET", "https://example.com/" + quote(PH, safe="")),
                        ("POST", "https://other.example.com/v2/x?k=rf-secret://other"),
                        ("GET", "https://other.example.com/v1/x?k=rf-secret://other")]:
        o = b.outbound(method, url, [], b"")
        assert rules(o) == ["secrets:placeholder_misrouted"], url
        assert "may not go to" in o.findings[0].where
    o = b.outbound("POST", "https://other.example.com/v1/x", [("X-Key", "rf-secret://other")], b"")
    assert not o.findings and o.headers == [("X-Key", "Other-Value-9d8f7g6h5j")]
    # hidden in an encoding: still carried to the wrong host
    o = b.outbound("POST", "https://evil.example.net/", [], base64.b64encode(PH.encode() * 2))
    assert rules(o) == ["secrets:placeholder_misrouted"]
    # near miss: not the placeholder
    assert not b.outbound("GET", "https://evil.example.net/?q=rf-secret-dmeo", [], b"").findings


@pytest.mark.parametrize("carrier", [
    lambda v: ("url", f"https://api.example.com/?k={v}"),
    lambda v: ("url", f"https://evil.example.net/{v}/x"),
    lambda v: ("header", f"Bearer {v}"),
    lambda v: ("header", "Basic " + base64.b64encode(f"me:{v}".encode()).decode()),
    lambda v: ("body", quote(v, safe="")),
    lambda v: ("body", "".join(f"%{ord(c):02X}" for c in v)),
    lambda v: ("body", base64.b64encode(v.encode()).decode()),
    lambda v: ("body", base64.urlsafe_b64encode(v.encode()).decode().rstrip("=")),
    lambda v: ("body", v.encode().hex()),
    lambda v: ("body", json.dumps({"x": base64.b64encode(f"token={v}".encode()).decode()})),
])
def test_real_value_in_any_encoding_is_refused(cfg, carrier):
    b = boundary_for(cfg())
    kind, text = carrier(REAL)
    url, headers, body = "https://api.example.com/", [], b""
    if kind == "url":
        url = text
    elif kind == "header":
        headers = [("Authorization", text)]
    else:
        body = text.encode()
    o = b.outbound("POST", url, headers, body)
    assert rules(o)[:1] == ["secrets:real_value"], text
    f = o.findings[0]
    assert REAL not in f.excerpt + f.where and "secret demo (rf-secret-demo)" in f.where


@pytest.mark.parametrize("text", [REAL[:-1], REAL[1:], REAL[:-1] + "y", REAL.upper(),
                                  base64.b64encode(REAL[:-2].encode()).decode()])
def test_near_misses_are_not_the_real_value(cfg, text):
    b = boundary_for(cfg())
    assert not b.outbound("POST", "https://api.example.com/", [("X-Note", text)], text.encode()).findings


@pytest.mark.parametrize("spec,check", [
    ("    inject: {header: Authorization, format: 'Bearer {}'}",
     lambda o: ("Authorization", f"Bearer {REAL}") in o.headers),
    ("    inject: {query: api_key}", lambda o: o.url.endswith(f"?a=1&api_key={REAL}")),
    ("    inject: {basic_auth: bot}",
     lambda o: ("Authorization", "Basic " + base64.b64encode(f"bot:{REAL}".encode()).decode()) in o.headers),
    ("    inject: {json_field: auth.token}", lambda o: json.loads(o.body) == {"q": 1, "auth": {"token": REAL}}),
])
def test_inject_targets(cfg, spec, check):
    b = boundary_for(cfg(spec=spec))
    o = b.outbound("POST", "https://api.example.com/x?a=1", [("Content-Type", "application/json")], b'{"q":1}')
    assert not o.findings and check(o) and o.injected == [("demo", PH)]
    o = b.outbound("POST", "https://elsewhere.example.com/x?a=1", [("Content-Type", "application/json")], b'{"q":1}')
    assert not o.findings and not o.injected and REAL not in o.url + str(o.headers) + o.body.decode()


def test_egress_rules_first_match_agents_and_host_patterns(cfg):
    c = cfg(extra="""egress:
  default: deny
  rules:
    - {action: allow, methods: [GET, HEAD], hosts: ["*.python.org"]}
    - {action: allow, methods: [POST], hosts: ["api.openai.com/v1/*"]}
    - {action: deny, methods: ["*"], hosts: ["*"], agents: [intern-*]}
    - {action: allow, methods: [GET], hosts: [api.example.com], paths: ["/public/*"]}
""")
    pol = EgressPolicy(c.egress)
    assert pol.check("GET", "docs.python.org", "/3/").allowed and pol.check("HEAD", "python.org", "/").allowed
    assert not pol.check("POST", "docs.python.org", "/").allowed
    assert pol.check("POST", "api.openai.com", "/v1/chat").allowed
    assert not pol.check("POST", "api.openai.com", "/v2/chat").allowed
    assert pol.check("GET", "api.example.com", "/public/a?x=1").allowed
    assert not pol.check("GET", "api.example.com", "/public/a", "intern-7").allowed
    assert not pol.check("GET", "api.example.com", "/private").allowed
    b = boundary_for(c)
    o = b.outbound("DELETE", "https://docs.python.org/x", [], b"")
    assert rules(o) == ["egress:denied"] and "default" in o.findings[0].where
    # a blind tunnel: by host only
    assert pol.check_host("docs.python.org").allowed and pol.check_host("api.example.com").allowed
    assert not pol.check_host("example.net").allowed
    assert pol.check_host("docs.python.org", "intern-1").allowed  # the allow rule comes first
    assert not pol.check_host("api.example.com", "intern-1").allowed
    assert pol.check_host("docs.python.org").host_only


def test_scrub_and_env(cfg):
    b = boundary_for(cfg())
    assert b.scrub(f"error: bad key {REAL} / {json.dumps(REAL)}".encode()) == \
        f'error: bad key {PH} / "{PH}"'.encode()
    assert b.scrub(b"nothing here") is None
    assert b.child_env({"A": f"Bearer {PH}", "B": "plain", "C": "rf-secret://other"}) == \
        {"A": f"Bearer {REAL}", "C": "Other-Value-9d8f7g6h5j"}
    assert placeholder_env(cfg()) == {"RF_B_TOKEN": PH, "RF_B_OTHER": "rf-secret://other"}


def test_nothing_configured_means_no_boundary():
    c = load_config_text("mode: balanced\n")
    assert boundary_for(c) is None
    from ringfence.engine import Engine
    assert Engine(c).boundary is None
