"""The fast path with the receipt signer on its own thread (receipts.queue_max > 0):
the intent is on disk before the upstream sees a byte, the response waits for its
receipt (wait_written), and a receipt that cannot be written blocks (fail closed)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os

import pytest
from aiohttp import web

from ringfence.config import Config
from ringfence.receipts.verify import verify_path
from test_fastpath import open_conn, read_response

pytestmark = pytest.mark.timeout(60)

HOST = "signer.test"


def _records(rdir) -> list[dict]:
    out = []
    for p in sorted(rdir.rglob("*.jsonl")):
        for line in p.read_text().splitlines():
            if '"type":"action_receipt"' in line:
                out.append(json.loads(line)["detail"]["action_record"])
    return out


@contextlib.contextmanager
def _unwritable(fd: int):
    """The receipt log refuses writes (a real EBADF: a read-only file behind its fd)."""
    saved = os.dup(fd)
    ro = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(ro, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(ro)


async def _upstream(rdir_box: list, seen: list):
    """Each request notes whether its intent receipt was already on disk."""
    async def page(req: web.Request):
        want = f"http://{HOST}:{req.url.port or port}{req.path_qs}"
        intents = [r for r in _records(rdir_box[0]) if r["target"] == want
                   and r.get("intent", "").startswith("egress-intent")]
        seen.append((req.path_qs, len(intents)))
        return web.Response(text=f"page {req.path_qs} " + "words " * 200, content_type="text/plain")
    app = web.Application()
    app.router.add_get("/{tail:.*}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, port


def _req(port: int, path: str) -> bytes:
    return f"GET http://{HOST}:{port}{path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()


async def _get(p, port: int, path: str) -> tuple[int, dict, bytes]:
    r, w = await open_conn(p)
    try:
        w.write(_req(port, path))
        return await read_response(r)
    finally:
        w.close()


@pytest.mark.parametrize("wait_written", [True, False])
async def test_concurrent_requests_intent_first_receipts_verify(make_proxy, keyfile, wait_written):
    seen: list = []
    box: list = []
    runner, port = await _upstream(box, seen)
    try:
        cfg = Config.model_validate({"receipts": {"queue_max": 64, "wait_written": wait_written}})
        p = await make_proxy({(HOST, port): "127.0.0.1"}, cfg)
        box.append(p.receipts_dir)
        assert p.writer.tickets is not None  # the signer thread is on

        async def client(k: int) -> list[str]:
            r, w = await open_conn(p)
            rids = []
            try:
                for i in range(6):
                    w.write(_req(port, f"/c{k}/{i}?q={k * 10 + i}"))
                    st, h, body = await read_response(r)
                    assert st == 200 and body.startswith(f"page /c{k}/{i}".encode()), (st, body[:80])
                    rids.append(h["x-ringfence-receipt"])
                    if wait_written:  # the response waited for its receipt
                        assert h["x-ringfence-receipt"] in {x["action_id"] for x in _records(p.receipts_dir)}
            finally:
                w.close()
            return rids
        got = await asyncio.gather(*(client(k) for k in range(8)))
    finally:
        await runner.cleanup()
    assert len(seen) == 48 and all(n == 1 for _, n in seen), [s for s in seen if s[1] != 1]
    p.writer.close()
    recs = _records(p.receipts_dir)
    ids = {x["action_id"] for x in recs}
    assert all(rid in ids for rids in got for rid in rids)
    intents = [x for x in recs if x.get("intent", "").startswith("egress-intent")]
    outcomes = [x for x in recs if x.get("layer") == "outcome"]
    assert len(intents) == 48 and len(outcomes) == 48
    assert [x["chain_seq"] for x in recs] == sorted(x["chain_seq"] for x in recs)
    res = verify_path(str(p.receipts_dir), keyfile.replace(".key", ".pub"))
    assert res.valid and res.sealed, res.error


async def test_unwritable_receipt_blocks_then_recovers(make_proxy):
    seen: list = []
    box: list = []
    runner, port = await _upstream(box, seen)
    try:
        cfg = Config.model_validate({"receipts": {"queue_max": 64}})
        p = await make_proxy({(HOST, port): "127.0.0.1"}, cfg)
        box.append(p.receipts_dir)
        st, _, _ = await _get(p, port, "/ok")
        assert st == 200
        with _unwritable(p.writer.recorder.fd):
            st, _, body = await _get(p, port, "/refused")
            assert st == 403 and json.loads(body)["rule"] == "scan_error", body  # no receipt, no pass
        st, _, _ = await _get(p, port, "/after")  # a waited-for receipt that failed trips nothing
        assert st == 200
    finally:
        await runner.cleanup()
    assert [path for path, _ in seen] == ["/ok", "/after"]  # the refused request never left


async def test_unwaited_receipt_failure_trips_the_writer(make_proxy):
    seen: list = []
    box: list = []
    runner, port = await _upstream(box, seen)
    try:
        cfg = Config.model_validate({"receipts": {"queue_max": 64, "wait_written": False}})
        p = await make_proxy({(HOST, port): "127.0.0.1"}, cfg)
        box.append(p.receipts_dir)
        st, _, _ = await _get(p, port, "/ok")
        assert st == 200
        with _unwritable(p.writer.recorder.fd):
            # The intent waits (and fails closed); once it is refused the writer has no
            # unwaited receipt failed yet, so make one: the response decision.
            p.writer.record(_action("/unwaited"), _allow(), defer="trip")
            for _ in range(200):
                if p.writer._error is not None:
                    break
                await asyncio.sleep(0.01)
        st, _, body = await _get(p, port, "/later")  # tripped: every later action blocks
        assert st == 403 and json.loads(body)["rule"] == "scan_error"
    finally:
        await runner.cleanup()
    assert [path for path, _ in seen] == ["/ok"]
    try:
        p.writer.close()
    except Exception:
        pass


def _action(path: str):
    from ringfence.core import Action
    return Action("forward", "inbound", f"http://{HOST}{path}", "GET", kind="response")


def _allow():
    from ringfence.core import Decision
    return Decision("allow")
