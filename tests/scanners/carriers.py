"""One value through every outbound carrier of the static bench tier (the live proxy's,
WebSocket relay's and MCP bridge's paths): the verdict per carrier. Shared by the secret
shape class tests, so a rule is checked wherever a secret can travel."""
import base64
import json
from pathlib import Path
from urllib.parse import quote, urlencode

from ringfence.bench.cases import Case
from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine

E = make_engine()
HOST = "https://collect.example.net"


def _case(input_type: str, payload: dict) -> str:
    c = Case(Path("t.json"), {"id": "t", "input_type": input_type, "payload": payload, "requires": [],
                              "expected_verdict": "block"})
    return actual_verdict(evaluate(c, fresh(E)))


def _body(ctype: str, body: str) -> str:
    return _case("request_body", {"method": "POST", "url": f"{HOST}/v1/notes", "content_type": ctype, "body": body})


def _ws(v: str) -> str:
    msg = json.dumps({"type": "note", "text": v})
    half = len(msg) // 2
    return _case("websocket_frame", {"url": "wss://collect.example.net/ws", "frames": [
        {"opcode": "text", "fin": False, "payload": msg[:half]},
        {"opcode": "continuation", "fin": True, "payload": base64.b64encode(msg[half:].encode()).decode(),
         "encoding": "base64"}]})


CARRIERS = {
    "url_query": lambda v: _case("url", {"method": "GET", "url": f"{HOST}/p?" + urlencode({"d": v})}),
    "url_path": lambda v: _case("url", {"method": "GET", "url": f"{HOST}/u/{quote(v, safe='')}/x"}),
    "header": lambda v: _case("header", {"method": "GET", "url": f"{HOST}/v1/x", "headers": {"X-Note": v}}),
    "json_body": lambda v: _body("application/json", json.dumps({"note": v})),
    "form_body": lambda v: _body("application/x-www-form-urlencoded", urlencode({"note": v, "n": "1"})),
    "text_body": lambda v: _body("text/plain", f"saved from the clipboard:\n{v}\n"),
    "websocket": _ws,
    "mcp_args": lambda v: _case("mcp_tool_call", {"jsonrpc_messages": [
        {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
         "params": {"name": "save_note", "arguments": {"text": v}}}]}),
}


def verdicts(value: str) -> dict[str, str]:
    return {name: f(value) for name, f in CARRIERS.items()}
