"""Credentials in tool results across the families (issue 10, deliverable 5), through
the real stdio Guard: every DLP rule's own true-positive examples, wallet keys (WIF of
several coins, extended private keys, mini private keys, card track data), a gh hosts.yml, each inside a tools/call result,
are redacted to a typed placeholder (or the result is refused when that is not certain);
public values a fetched page shows (documentation example keys, addresses, extended
public keys, placeholders) pass untouched."""
import json

import pytest
from conftest import engine_or_skip

from ringfence.core.inspect import rule_examples
from ringfence.mcp.bridge import Guard
from ringfence.receipts import NullWriter
from ringfence.rules.dlp import WIF_TP
from ringfence.rules.dlp_crypto import MINI_TP, TRACK1, TRACK2

DLP_RULES, _ = rule_examples()
# every credential family (addresses, severity low, are public identifiers: see PUBLIC)
TP = [(r.id, i, ex) for r in DLP_RULES if r.severity != "low" for i, ex in enumerate(r.tp)]
ADDRESSES = [ex for r in DLP_RULES if r.severity == "low" for ex in r.tp]
XPRV = next(r for r in DLP_RULES if r.id == "extended_private_key").tp
HOSTS = ("github.com:\n    users:\n        octo:\n            oauth_token: gho_{t}\n    git_protocol: https\n"
         "    user: octo\n")
WALLET = list(WIF_TP) + list(XPRV) + list(MINI_TP) + [TRACK1, TRACK2] + [HOSTS.format(t="Zq8Lr2Vx5Nc7Tb1Ym4Kd9Hs3Fw6Pj0Ga2Ue")]


def _result(text: str):
    g = Guard(engine_or_skip(), NullWriter(), "mcp_stdio")
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "fetch_page", "arguments": {}}}
    assert g.from_client(json.dumps(call).encode() + b"\n").to_server
    res = {"jsonrpc": "2.0", "id": 1, "result": {"content": [{"type": "text", "text": f"Output:\n{text}\nEnd."}]}}
    return g.from_server(json.dumps(res).encode() + b"\n")


@pytest.mark.parametrize("rule,i,example", TP, ids=[f"{r}-{i}" for r, i, _ in TP])
def test_every_dlp_family_is_redacted_or_refused_in_a_tool_result(rule, i, example):
    out = _result(example)
    assert out.decision.verdict in ("strip", "block"), (rule, out.decision)
    if out.decision.verdict == "strip":
        assert "[REDACTED:" in out.to_client.decode()


@pytest.mark.parametrize("value", WALLET, ids=range(len(WALLET)))
def test_wallet_keys_and_a_gh_hosts_file_are_redacted(value):
    out = _result(value)
    assert out.decision.verdict == "strip", out.decision
    text = out.to_client.decode()
    secret = value.split("oauth_token: ")[-1].split()[0] if "oauth_token" in value else value
    assert "[REDACTED:dlp:" in text and secret[-12:] not in text


PUBLIC = ["Donate: 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
          "Watch-only: xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
          "Set GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx in your shell.",
          "Contract 0x52908400098527886E0F7030069857D2E4169EE7 on mainnet.",
          "export OPENAI_API_KEY=<your-api-key>"]


@pytest.mark.parametrize("text", PUBLIC + ADDRESSES, ids=range(len(PUBLIC + ADDRESSES)))
def test_public_values_in_fetched_content_pass(text):
    out = _result(text)
    assert out.decision.verdict == "allow", out.decision.findings
