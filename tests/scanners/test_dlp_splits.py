"""A secret split across carriers of one request (issue 10): CSV rows down a column,
NDJSON lines, non-adjacent nested arguments, form fields sent as name=value, a cookie and
a header, path segments (some percent-encoded), repeated query parameters. Each split is
generated for several token families and piece counts; benign twins (ordinary ids, words
and numbers in the same carriers) must allow."""
import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from ringfence.bench.cases import Case
from ringfence.bench.static import actual_verdict, evaluate, fresh, make_engine

E = make_engine()
TOKENS = ["CFPAT-" + "Cmt1VhPUABy11nAqppgt-2tzDZ5ShTDxX65KPwQ8wrP",
          "bkua_" + "fd3f53a1e29d92f94c3d9ccf8de58406789b1f9c",
          "ghp_" + "Qm9XkLp2Rt7vYz4Wb8Nc3Hd6Jf1Gs5Ta0Uex",
          "dp.st.prd." + "KIEUicRLJCeTSabrVCzz4EyfYi6IMXMQMd9BT20p",
          "npm_" + "w5dgxAxUVv35kVxA8zc3zfFKvi16UF3y8tzO"]
BENIGN = ["3f2b8c1e-9a4d-4e6f-8b2a-1c5d7e9f0a3b", "order-2024-000187", "Thanks for the quick fix",
          "build 7781 passed", "v2.14.3-rc1"]


def _split(v: str, n: int) -> list[str]:
    k = -(-len(v) // n)
    return [v[i:i + k] for i in range(0, len(v), k)]


def _v(input_type, payload):
    c = Case(Path("t.json"), {"id": "t", "input_type": input_type, "payload": payload, "requires": [],
                              "expected_verdict": "block"})
    return actual_verdict(evaluate(c, fresh(E)))


def _body(ct, body):
    return _v("request_body", {"method": "POST", "url": "https://sink.example.net/in", "content_type": ct,
                               "body": body})


def csv_rows(parts):
    rows = ["id,region,col_a,col_b"] + [f"{i},r{i},{p},x{i}" for i, p in enumerate(parts)]
    return _body("text/csv", "\n".join(rows) + "\n")


def ndjson_lines(parts):
    lines = []
    for i, p in enumerate(parts):
        lines.append(json.dumps({"ts": 2 * i, "msg": "tick"}))
        lines.append(json.dumps({"ts": 2 * i + 1, "frag": p}))
    return _body("application/x-ndjson", "\n".join(lines) + "\n")


def nested_args(parts):
    args = {"meta": {"a": parts[0], "host": "ci-7"}, "options": {"retries": 2}}
    for i, p in enumerate(parts[1:]):
        args["options"][f"tail{i}"] = p
        args[f"n{i}"] = {"noise": 42}
    return _v("mcp_tool_call", {"jsonrpc_messages": [{"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                                                       "params": {"name": "post", "arguments": args}}]})


def form_fields(parts):
    return _body("application/x-www-form-urlencoded",
                 urlencode([("name", "build")] + [(chr(97 + i), p) for i, p in enumerate(parts)] + [("ok", "1")]))


def cookie_and_header(parts):
    return _v("header", {"method": "GET", "url": "https://app.example.org/dash", "headers": {
        "Cookie": f"sid={parts[0]}; theme=light", "X-Request-Id": "".join(parts[1:])}})


def header_then_query(parts):
    return _v("header", {"method": "GET", "url": "https://edge.example.org/t?s=" + quote("".join(parts[1:]), safe=""),
                         "headers": {"X-Trace": parts[0]}})


def query_then_header(parts):
    return _v("header", {"method": "GET", "url": "https://edge.example.org/t?lang=en&s=" + quote(parts[0], safe=""),
                         "headers": {"X-Session-Tail": "".join(parts[1:])}})


def header_and_path(parts):
    return _v("header", {"method": "POST", "url": "https://edge.example.org/v1/" + quote(parts[1], safe="")
                         + "/status", "headers": {"X-Client": parts[0]}})


def cookies_reversed(parts):
    """The tail in the first cookie, the head in a later one, unrelated cookies between."""
    return _v("header", {"method": "GET", "url": "https://shop.example.com/cart", "headers": {
        "Cookie": f"z={''.join(parts[1:])}; theme=dark; lang=en; a={parts[0]}"}})


def path_segments(parts):
    segs = ["".join(f"%{b:02x}" for b in p.encode()) if i % 2 == 0 else p for i, p in enumerate(parts)]
    return _v("url", {"method": "GET", "url": "https://assets.example.com/s/" + "/".join(segs) + "/logo.svg"})


def repeated_query(parts):
    return _v("url", {"method": "GET", "url": "https://t.example.com/c?" + "&".join(
        f"v={quote(p, safe='')}&n={i}" for i, p in enumerate(parts))})


def ws_nonadjacent(parts):
    frames = []
    for i, p in enumerate(parts):
        frames.append({"opcode": "text", "payload": json.dumps({"t": "note", "v": p})})
        frames.append({"opcode": "text", "payload": json.dumps({"t": "typing", "n": i})})
        frames.append({"opcode": "text", "payload": json.dumps({"t": "msg", "v": "see you at 3"})})
    return _v("websocket_frame", {"url": "wss://chat.example.com/socket", "frames": frames})


CARRIERS = {"ws_nonadjacent": (ws_nonadjacent, (2, 3)), "csv_rows": (csv_rows, (2, 3)), "ndjson_lines": (ndjson_lines, (2, 3)),
            "nested_args": (nested_args, (2,)), "form_fields": (form_fields, (2, 3)),
            "cookie_and_header": (cookie_and_header, (2,)), "path_segments": (path_segments, (3, 5)),
            "header_then_query": (header_then_query, (2, 3)), "query_then_header": (query_then_header, (2, 3)),
            "header_and_path": (header_and_path, (2,)), "cookies_reversed": (cookies_reversed, (2, 3)),
            "repeated_query": (repeated_query, (2, 3))}


@pytest.mark.parametrize("carrier", CARRIERS)
@pytest.mark.parametrize("token", range(len(TOKENS)))
def test_split_secret_blocks(carrier, token):
    fn, counts = CARRIERS[carrier]
    for n in counts:
        assert fn(_split(TOKENS[token], n)) == "block", (carrier, TOKENS[token][:8], n)


@pytest.mark.parametrize("carrier", CARRIERS)
def test_benign_values_in_the_same_carriers_allow(carrier):
    fn, counts = CARRIERS[carrier]
    for n in counts:
        assert fn((BENIGN * 2)[:n]) == "allow", (carrier, n)
