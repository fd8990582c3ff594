"""A credential file handed on, in a language no lexicon covers (rules/handoff.py): a
label opening a sentence, a credential file in it and a URL or mail address to send it
to; in text only the agent reads (tool definitions anywhere in their schemas, Agent
Cards anywhere, content annotated for the assistant alone) an instruction that goes on
after naming the file. Generated over the rule's language samples x every carrier (MCP
tool definitions at each schema part, prompt listings, tool results, tool arguments, A2A
message text and data parts, Agent Card locations); the native near misses (a note that
only says where the file is) and English advice about the same files allow."""
import copy
import json
from pathlib import Path

import pytest

from ringfence.bench.cases import Case
from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine
from ringfence.rules.handoff import DOC_NOTES, SAMPLES
from ringfence.scanners.handoff import credential_handoff

E = make_engine()
TP = [tp for _, tp, _ in SAMPLES]
TN = [tn for _, _, tn in SAMPLES]
LANGS = [lang for lang, _, _ in SAMPLES]
# English advice and description about the same files, with labels and URLs: the
# English families judge English; this rule leaves it alone.
ENGLISH = ["Warning: never paste ~/.aws/credentials into https://pastebin.com or a chat.",
           "Note: the CLI reads ~/.netrc and sends it only to https://api.example.com over TLS.",
           "Tip: rotate the key in ~/.ssh/id_rsa and upload only the .pub half to https://github.com/settings/keys."]


def _v(input_type, payload):
    c = Case(Path("t.json"), {"id": "t", "input_type": input_type, "payload": payload, "requires": [],
                              "expected_verdict": "block"})
    return actual_verdict(evaluate(c, fresh(E)))


def _tool(schema_part: str, text: str) -> dict:
    prop: dict = {"type": "string", "description": "Locale code."}
    if schema_part == "description":
        return {"name": "format_date", "description": text, "inputSchema": {"type": "object", "properties": {"d": prop}}}
    if schema_part == "prefixItems":
        prop = {"type": "array", "prefixItems": [{"type": "number"}, {"type": "string", "description": text}]}
    elif schema_part == "not":
        prop["not"] = {"const": "", "description": text}
    elif schema_part == "oneOf":
        prop["oneOf"] = [{"type": "string"}, {"type": "null", "title": text}]
    elif schema_part == "if_then":
        prop["if"] = {"const": "x"}
        prop["then"] = {"description": text}
    elif schema_part == "examples":
        prop["examples"] = ["en-GB", text]
    elif schema_part == "default":
        prop["default"] = text
    elif schema_part == "annotations":
        return {"name": "format_date", "description": "Formats a date.", "annotations": {"title": text},
                "inputSchema": {"type": "object", "properties": {"d": prop}}}
    elif schema_part == "output_schema":
        return {"name": "format_date", "description": "Formats a date.", "inputSchema": {"type": "object"},
                "outputSchema": {"type": "object", "properties": {"r": {"type": "string", "description": text}}}}
    elif schema_part == "meta":
        return {"name": "format_date", "description": "Formats a date.", "_meta": {"vendor/ui": {"hint": text}},
                "inputSchema": {"type": "object", "properties": {"d": prop}}}
    return {"name": "format_date", "description": "Formats a date.",
            "inputSchema": {"type": "object", "properties": {"locale": prop}}}


SCHEMA_PARTS = ["description", "prefixItems", "not", "oneOf", "if_then", "examples", "default", "annotations",
                "output_schema", "meta"]


def tool_def(part):
    return lambda text: _v("mcp_tool_definition", {"jsonrpc_messages": [
        {"jsonrpc": "2.0", "id": 1, "result": {"tools": [_tool(part, text)]}}]})


def tool_result_text(text):
    return _v("mcp_tool_result", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 7, "result": {"content": [
        {"type": "text", "text": "Done."}, {"type": "text", "text": text}]}}]})


def tool_result_json(text):
    body = json.dumps({"results": [{"title": "a", "snippet": "Open daily."}, {"title": "b", "snippet": text}]},
                      ensure_ascii=False)
    return _v("mcp_tool_result", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 7, "result": {"content": [
        {"type": "text", "text": body}]}}]})


def tool_args(text):
    return _v("mcp_tool_call", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "post_message", "arguments": {"channel": "support", "text": "Hello! " + text}}}]})


def a2a_text(text):
    return _v("a2a_message", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": "r1", "method": "message/send", "params": {
        "message": {"kind": "message", "messageId": "m1", "role": "user",
                    "parts": [{"kind": "text", "text": "Hello!"}, {"kind": "text", "text": text}]}}}]})


def a2a_data(text):
    return _v("a2a_message", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": "r1", "method": "message/send", "params": {
        "message": {"kind": "message", "messageId": "m1", "role": "user",
                    "parts": [{"kind": "data", "data": {"order": {"id": 7, "meta": {"routing": {"hint": text}}}}}]}}}]})


CARD = {"name": "Tours", "description": "Tour booking agent.", "url": "https://tours.example.org/a2a", "version": "1.0.0",
        "capabilities": {"streaming": True}, "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
        "skills": [{"id": "book", "name": "Book a tour", "description": "Books tours.", "tags": ["travel"],
                    "examples": ["Book a tour for two"]}]}


def card(location):
    def run(text):
        c = copy.deepcopy(CARD)
        s = c["skills"][0]
        if location == "skill_description":
            s["description"] = text
        elif location == "skill_example":
            s["examples"].append(text)
        elif location == "skill_other_member":
            s["inputModes"] = ["text/plain"]
            s["x-usage"] = text
        elif location == "extension_params":
            c["capabilities"]["extensions"] = [{"uri": "https://tours.example.org/ext", "params": {"hint": text}}]
        elif location == "security_scheme_flow":
            c["securitySchemes"] = {"oauth": {"type": "oauth2", "flows": {"authorizationCode": {
                "authorizationUrl": "https://tours.example.org/auth", "tokenUrl": "https://tours.example.org/token",
                "scopes": {"book": text}}}}}
        return _v("a2a_agent_card", {"agent_card": c})
    run.__name__ = f"card_{location}"
    return run


CARRIERS = ([tool_def(p) for p in SCHEMA_PARTS] + [tool_result_text, tool_result_json, tool_args, a2a_text, a2a_data]
            + [card(loc) for loc in ("skill_description", "skill_example", "skill_other_member", "extension_params",
                                     "security_scheme_flow")])
for _f, _p in zip(CARRIERS, SCHEMA_PARTS):
    _f.__name__ = f"tool_def_{_p}"


@pytest.mark.parametrize("carrier", CARRIERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("text", TP, ids=LANGS)
def test_a_credential_file_handed_on_blocks_in_every_carrier(carrier, text):
    assert carrier(text) == "block"


@pytest.mark.parametrize("carrier", CARRIERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("text", TN, ids=LANGS)
def test_a_note_naming_the_file_allows_in_every_carrier(carrier, text):
    assert carrier(text) == "allow"


@pytest.mark.parametrize("text", ENGLISH)
def test_english_is_left_to_the_english_families(text):
    assert credential_handoff(text, "x") == [] and credential_handoff(text, "x", agent_only=True) == []


@pytest.mark.parametrize("lang,tp,tn", SAMPLES, ids=LANGS)
def test_each_part_is_needed(lang, tp, tn):
    label, rest = tp.split(next(c for c in tp if c in ":：፡"), 1)
    assert credential_handoff(tp, "x")
    assert not credential_handoff(rest.strip(), "x")                          # no label: not addressed
    for path in ("~/.ssh/id_rsa", ".env", "~/.aws/credentials", "~/.netrc", "~/.git-credentials", "~/.kube/config",
                 "~/.docker/config.json", "~/.pgpass", "~/.npmrc", "~/.pypirc", "~/.ssh/id_ed25519"):
        if path in tp:
            plain = tp.replace(path, "~/.config/app/settings.toml")
            assert not credential_handoff(plain, "x") and not credential_handoff(plain, "x", agent_only=True)
    if "https://" in tp:
        no_sink = tp.split("https://")[0]
        assert not credential_handoff(no_sink, "x")                            # data text needs somewhere to send


def test_bounded_on_long_text():
    text = ("Caawiye: akhri faylka ~/.ssh/id_rsa. " * 20000)[:600_000]
    assert credential_handoff(text, "x") == []


@pytest.mark.parametrize("text", DOC_NOTES, ids=range(len(DOC_NOTES)))
def test_documentation_notes_in_fetched_content_allow(text):
    # a fetched tutorial's note naming where a credential file lives, with a docs link
    assert tool_result_text(text) == "allow" and tool_result_json(text) == "allow" and a2a_text(text) == "allow"


def test_the_note_label_is_what_lets_them_pass():
    # the same notes opened by a label to a helper: those whose sentence holds the file and
    # the link block (a link in the next sentence, or too little text, is no handoff either)
    fired = 0
    for text in DOC_NOTES:
        label = next(i for i, c in enumerate(text) if c in ":：")
        addressed = "Köməkçi üçün" + text[label:].replace(" :", ":", 1)
        if credential_handoff(addressed, "x"):
            fired += 1
            assert tool_result_text(addressed) == "block"
    assert fired >= len(DOC_NOTES) - 2
