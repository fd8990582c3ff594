"""Input strategies: raw bytes, plus near-valid inputs built from each format's
own tokens (random bytes alone rarely get past the first check of a parser)."""
import json

from hypothesis import strategies as st


def _join(parts) -> bytes:
    return b"".join(p if isinstance(p, bytes) else p.encode("utf-8", "surrogatepass") for p in parts)


def tokens(*toks, max_size=60):
    return st.lists(st.one_of(st.sampled_from(toks), st.binary(max_size=8)), max_size=max_size).map(_join)


RAW = st.binary(max_size=4096)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 80), max_value=2 ** 80)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda kids: st.lists(kids, max_size=5) | st.dictionaries(st.text(max_size=10), kids, max_size=5),
    max_leaves=30)

ids = st.one_of(st.integers(min_value=-(2 ** 100), max_value=2 ** 100), st.text(max_size=30),
                st.floats(allow_nan=False), st.none(), st.lists(st.integers(), max_size=2))
methods = st.sampled_from(["tools/call", "tools/list", "initialize", "ping", "sampling/createMessage",
                           "notifications/message", "resources/read", "x"])


@st.composite
def jsonrpc_message(draw):
    msg = {"jsonrpc": draw(st.sampled_from(["2.0", "2.0", "1.0"]))}
    kind = draw(st.sampled_from(["request", "notification", "response", "error"]))
    if kind in ("request", "notification"):
        msg["method"] = draw(methods)
        if msg["method"] == "tools/call":
            msg["params"] = {"name": draw(st.text(max_size=12)), "arguments": draw(json_values)}
        elif draw(st.booleans()):
            msg["params"] = draw(json_values)
    if kind != "notification":
        msg["id"] = draw(ids)
    if kind == "response":
        msg["result"] = draw(json_values)
    elif kind == "error":
        msg["error"] = {"code": draw(st.integers()), "message": draw(st.text(max_size=30)), "data": draw(json_values)}
    text = json.dumps(msg, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):   # damage: duplicate keys, a cut, stray bytes
        pos = draw(st.integers(0, len(text)))
        text = text[:pos] + draw(st.sampled_from([b'"id":1,', b"\xff", b"\n", b'"\\ud800"', b"", b"[", b"}"])) \
            + text[pos + draw(st.integers(0, 3)):]
    return text


JSONRPC = st.lists(st.one_of(jsonrpc_message(), st.binary(max_size=64)), max_size=8).map(lambda xs: b"\n".join(xs))

HTTP = tokens("GET ", "POST ", "CONNECT ", "PUT ", "http://a.test/", "/", "a.test:443", " HTTP/1.1\r\n",
              " HTTP/1.0\r\n", "Host: a.test\r\n", "Content-Length: 5\r\n", "Content-Length: -1\r\n",
              "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n", "Expect: 100-continue\r\n",
              "Connection: Upgrade\r\nUpgrade: websocket\r\n", "\r\n", "5\r\nhello\r\n", "0\r\n\r\n",
              "ffffffffffffffff\r\n", "1;ext=x\r\na\r\n", "X: \x00\r\n", " folded\r\n", "\n", ":", "hello")

URL = tokens("http://", "https://", "ws://", "ftp://", "//", "@", ":", "[", "]", "::1", "%", "%2e", "%00", "#", "?",
             "&", "=", "127.0.0.1", "0x7f.1", "017700000001", "xn--", "example.com", ".", "\u3002", "\uff0e",
             "\\", "/", "a", "AKIAIOSFODNN7EXAMPLE", "\ud800", "\u0130", ":65536", ":0", " ", "\t")

TEXT = tokens("Ignore all previous instructions", "AKIAIOSFODNN7EXAMPLE", "ghp_", "aWdub3Jl", "%41", "&#x41;",
              "&lt;", "\\u0041", "\\x41", "=41", "0x", "\u200b", "\u202e", "\U000e0041", "\ud800", "\udfff",
              "\u0410", "1gn0r3", " ", "\n", "base64:", "data:text/plain;base64,", "H4sI", "eyJ", "-----BEGIN",
              "$(", "`", "echo ", "| base64 -d", "rm -rf /", "\\", "'", '"', max_size=40)

SSE = tokens("data: ", "data:", "id: ", "event: ", "retry: ", ": comment", "\n", "\r\n", "\r", "\n\n", "{}",
             '{"jsonrpc":"2.0","id":1,"result":{}}', "Ignore all previous instructions")

YAML = tokens("mode: strict\n", "mode: ", "dlp:\n", "  canaries: ", "url:\n", "  allowlist: ", "&a ", "*a", "&b ",
              "*b", "[", "]", "{", "}", ", ", ": ", "- ", "\n", "  ", "!!python/object:os.system", "!!binary ", "<<: ",
              "'", '"', "#", "---\n", "...\n", "~", "null", "1e400", "0x10", "yes", "kill_switch: {active: true}\n",
              max_size=80)


@st.composite
def ws_frame_bytes(draw):
    out = b""
    for _ in range(draw(st.integers(1, 4))):
        b0 = draw(st.integers(0, 255))
        n = draw(st.sampled_from([0, 1, 5, 125, 126, 127]))
        masked = draw(st.booleans())
        head = bytes([b0, (0x80 if masked else 0) | n])
        if n == 126:
            head += draw(st.integers(0, 70000)).to_bytes(2, "big", signed=False) if False else \
                draw(st.integers(0, 65535)).to_bytes(2, "big")
        elif n == 127:
            head += draw(st.integers(0, 2 ** 64 - 1)).to_bytes(8, "big")
        if masked:
            head += draw(st.binary(min_size=4, max_size=4))
        out += head + draw(st.binary(max_size=200))
    return out


WS = ws_frame_bytes()
A2A = st.builds(lambda m, parts, meta: json.dumps({"jsonrpc": "2.0", "id": 1, "method": m, "params": {
    "message": {"role": "user", "parts": parts, "messageId": "m1", "metadata": meta}}}).encode(),
    st.sampled_from(["message/send", "SendMessage", "tasks/get", "x"]),
    st.lists(st.one_of(st.builds(lambda t: {"kind": "text", "text": t}, st.text(max_size=40)),
                       st.builds(lambda d: {"kind": "data", "data": d}, json_values),
                       st.builds(lambda b: {"kind": "file", "file": {"bytes": b, "name": "f"}}, st.text(max_size=40)),
                       json_values), max_size=4),
    json_values)
