"""Every allowed forward request has its intent (the outbound decision) and exactly one
outcome after it, whichever way the response goes: buffered, streamed binary, SSE, HEAD,
an unreachable upstream; a blocked one has neither."""
from __future__ import annotations

import json
import socket

import pytest

from rfproxy_util import AWS_KEY, routes_for
from test_fastpath import get_req, open_conn, read_response

pytestmark = pytest.mark.timeout(60)


def _recs(p):
    return [json.loads(x)["detail"]["action_record"] for x in p.receipts_text().splitlines()
            if '"type":"action_receipt"' in x]


async def test_each_response_kind_closes_its_intent(upstream, make_proxy):
    p = await make_proxy(routes_for(upstream))
    r, w = await open_conn(p)
    try:
        for path, method in (("/clean", "GET"), ("/bin", "GET"), ("/sse/clean", "GET"), ("/clean", "HEAD")):
            w.write(get_req(upstream, path, method))
            st, h, _ = await read_response(r, head_only=method == "HEAD")
            assert st == 200, path
        w.write(get_req(upstream, f"/echo?k={AWS_KEY}"))
        st, h, _ = await read_response(r)
        assert st == 403
    finally:
        w.close()
    recs = _recs(p)
    intents = [x for x in recs if x.get("intent", "").startswith("egress-intent")]
    outcomes = [x for x in recs if x.get("layer") == "outcome"]
    assert len(intents) == 4 and len(outcomes) == 4
    for i in intents:
        mine = [o for o in outcomes if o["request_id"] == i["action_id"]]
        assert len(mine) == 1 and recs.index(i) < recs.index(mine[0])
        assert mine[0]["pattern"].startswith("status=200"), mine[0]["pattern"]
    blocked = [x for x in recs if x["verdict"] == "block"]
    assert len(blocked) == 1 and not blocked[0].get("intent", "").startswith("egress-intent")


async def test_unreachable_upstream_502_names_the_intent_and_its_failure(make_proxy):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    p = await make_proxy({("dead.test", dead): "127.0.0.1"})
    r, w = await open_conn(p)
    try:
        w.write(f"GET http://dead.test:{dead}/x HTTP/1.1\r\nHost: dead.test:{dead}\r\n\r\n".encode())
        st, h, body = await read_response(r)
    finally:
        w.close()
    assert st == 502 and json.loads(body)["receipt_id"] == h["x-ringfence-receipt"]
    recs = _recs(p)
    intent = next(x for x in recs if x["action_id"] == h["x-ringfence-receipt"])
    assert intent["intent"].startswith("egress-intent") and intent["verdict"] == "allow"
    out = [x for x in recs if x.get("layer") == "outcome"]
    assert len(out) == 1 and out[0]["request_id"] == intent["action_id"]
    assert out[0]["pattern"] == "error=upstream_unreachable"
