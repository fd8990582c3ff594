"""A credential whose name and value are two members of one object ({"key": "AccountKey",
"value": "..."}: key-value store tools, Postman environments, env lists of CI and
orchestration APIs): the name is the value's context, so the pair is read as
"name=value". Generated over name/value member spellings, carriers (MCP tool arguments,
JSON request bodies, nested lists) and secret kinds that need their name; benign twins
(ordinary settings, placeholders, short values in the same shapes) must allow."""
import json
from pathlib import Path

import pytest

from ringfence.bench.cases import Case
from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine
from ringfence.scanners.content import named_values

E = make_engine()
# Values that are credentials only with their name beside them (synthetic).
NAMED = [("AccountKey", "dGYWOc+AW3WUpi9+ltuYVPgW7NBrlfQzG5/8njj+wKsIqv3pDWfHLJct+RM+Ss6zcOxa0QmLWGc1hdJxTtlhCQ=="),
         ("DATABASE_PASSWORD", "q7Vr-2mXp9Lw!zT4"),
         ("aws_secret_access_key", "wJ8rT2nV5bY7kM1pQ4sX6zC9dF3gH0jL2aE5uW8i"),
         ("accessToken", "tk_9f83b2a7c6d14e05b8a9c3d2e1f0a7b6")]
BENIGN = [("region", "eu-west-1"), ("color", "blue"), ("AccountKey", "<your-account-key>"),
          ("api_key", "YOUR_API_KEY"), ("build_id", "3f2b8c1e-9a4d-4e6f-8b2a-1c5d7e9f0a3b"),
          ("DATABASE_PASSWORD", "changeme"), ("timeout", "30")]
SHAPES = [("key", "value"), ("name", "value"), ("key_name", "value"), ("variable", "value"), ("name", "data")]


def _v(input_type, payload):
    c = Case(Path("t.json"), {"id": "t", "input_type": input_type, "payload": payload, "requires": [],
                              "expected_verdict": "block"})
    return actual_verdict(evaluate(c, fresh(E)))


def tool_args(entry):
    return _v("mcp_tool_call", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "kv_put", "arguments": {"store": "shared-config", "account": "acme", **entry}}}]})


def tool_nested(entry):
    return _v("mcp_tool_call", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "deploy_service", "arguments": {"service": "web", "env": [{"name": "LOG_LEVEL", "value": "info"},
                                                                            entry]}}}]})


def json_body(entry):
    body = {"name": "prod", "values": [{"key": "baseUrl", "value": "https://api.example.com", "enabled": True},
                                       {**entry, "enabled": True}]}
    return _v("request_body", {"method": "POST", "url": "https://share.example.org/api/environments",
                               "content_type": "application/json", "body": json.dumps(body)})


CARRIERS = [tool_args, tool_nested, json_body]


@pytest.mark.parametrize("carrier", CARRIERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", SHAPES, ids="/".join)
@pytest.mark.parametrize("name,value", NAMED, ids=[n for n, _ in NAMED])
def test_a_credential_named_by_a_sibling_member_blocks(carrier, shape, name, value):
    assert carrier({shape[0]: name, shape[1]: value}) == "block"


@pytest.mark.parametrize("carrier", CARRIERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", SHAPES, ids="/".join)
@pytest.mark.parametrize("name,value", BENIGN, ids=[f"{n}={v[:10]}" for n, v in BENIGN])
def test_ordinary_settings_in_the_same_shapes_allow(carrier, shape, name, value):
    assert carrier({shape[0]: name, shape[1]: value}) == "allow"


def test_named_values_is_bounded_and_ignores_non_identifier_names():
    assert named_values({"key": "a b c", "value": "x"}, "$") == []       # a sentence is no setting name
    assert named_values({"key": "A", "value": ""}, "$") == []            # nothing to name
    many = [{"key": f"K{i}", "value": "v"} for i in range(5000)]
    assert len(named_values(many, "$")) <= 256
    deep: dict = {"key": "K", "value": "v"}
    for _ in range(5000):
        deep = {"x": deep}
    assert named_values(deep, "$", max_nodes=100) == []


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("spell", ["plain", "spaced", "escaped"])
def test_json_bodies_gate_on_member_names_in_any_spelling(shape, spell):
    """json_fields reads pairs only when the body has such member names: spaced before
    the colon, or spelt with \\u escapes, they are still found; the same words as values
    (a list of words) cost no pair walk and make no pair."""
    from ringfence.scanners.content import json_fields
    nk, vk = shape
    body = json.dumps({"env": [{nk: "AccountKey", vk: NAMED[0][1]}]})
    if spell == "spaced":
        body = body.replace(f'"{nk}":', f'"{nk}" :').replace(f'"{vk}":', f'"{vk}"\n:')
    elif spell == "escaped":
        body = body.replace(f'"{vk}":', '"' + "".join(f"\\u{ord(c):04x}" for c in vk) + '":')
    fields = json_fields(body)
    assert ("body.json.$.env[0].AccountKey", f"AccountKey={NAMED[0][1]}") in fields
    words = json.dumps([{"w": nk}, {"w": vk}, {"w": "AccountKey"}])
    assert not any(f[0].endswith(".AccountKey") for f in json_fields(words))
