"""A request target the URL pipeline refuses gets the same verdict on every transport as
`ringfence check --url`: a recorded block (403, the block marker, a receipt), not a bare
400. The classes: URLs parsers disagree on (a backslash or several @ in the authority,
extra slashes after the scheme), invalid IP literals, refused schemes. A target nothing
can read stays a 400."""
import json
from urllib.parse import quote

import pytest

from ringfence.engine import Engine

from rfproxy_util import raw_request

AMBIGUOUS = ["http://127.0.0.1\\@evil.example/x", "http://a@b@evil.example/", "http:///evil.example/x",
             "http://evil.example\\.internal.test/", "http://999.1.1.1/", "http://0x7f.1.1.1.1/"]


def _verdict(out: bytes) -> tuple[int, dict, bytes]:
    head, _, body = out.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    try:
        return status, json.loads(body), head
    except ValueError:
        return status, {}, head


def _check_blocks(url: str) -> bool:
    return Engine().check_url(url, resolve=False)[0].blocked


@pytest.mark.parametrize("url", AMBIGUOUS)
def test_the_pipeline_itself_blocks_each_class(url):
    assert _check_blocks(url), url


# a backslash is not a request-target character: the HTTP parser refuses it first (400, below)
CASES = [(via, url) for via in ("forward", "fetch", "ws") for url in AMBIGUOUS
         if not (via == "forward" and "\\" in url)]


@pytest.mark.parametrize("via,url", CASES)
async def test_every_transport_records_the_same_block(make_proxy, url, via):
    p = await make_proxy()
    if via == "forward":
        req = f"GET {url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1")
    elif via == "fetch":
        req = f"GET /fetch?url={quote(url, safe='')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    else:
        ws = "ws" + url[4:]
        req = (f"GET /ws?url={quote(ws, safe='')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").encode()
    status, body, head = _verdict(await raw_request(p.port, req))
    assert status == 403, (via, url, head, body)
    assert body.get("blocked") is True and body.get("scanner") == "url", body
    assert b"X-Ringfence-Decision: block" in head
    assert body["receipt_id"] and body["receipt_id"] in p.receipts_text()


@pytest.mark.parametrize("target", [b"a@b@evil.example:443", b"999.1.1.1:443", b"a.test:99999"])
async def test_connect_records_the_block(make_proxy, target):
    p = await make_proxy()
    status, body, _ = _verdict(await raw_request(p.port, b"CONNECT " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
    assert status == 403 and body.get("blocked") is True, (target, body)
    assert body["receipt_id"] in p.receipts_text()


@pytest.mark.parametrize("target", [b"GET http://exa mple.com/ HTTP/1.1", b"GET http:/x HTTP/1.1",
                                    b"GET http://127.0.0.1\\@evil.example/ HTTP/1.1",
                                    b"CONNECT 127.0.0.1\\@evil.example:443 HTTP/1.1"])
async def test_unreadable_targets_stay_a_400(make_proxy, target):
    p = await make_proxy()
    out = await raw_request(p.port, target + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400"), out[:200]
