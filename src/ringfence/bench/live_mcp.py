"""Live MCP cases: `ringfence mcp proxy` wrapping a mock stdio server (one fresh
session per case), or in front of the fixture's Streamable-HTTP endpoint."""
from __future__ import annotations

import http.client
import json
import queue
import socket
import subprocess
import sys
import threading
import time
from typing import Any

POLICY_CODE = -32001


def _policy_error(msg: dict) -> dict | None:
    err = msg.get("error") if isinstance(msg, dict) else None
    if isinstance(err, dict) and err.get("code") == POLICY_CODE and isinstance(err.get("data"), dict):
        return err
    return None


def _block(err: dict, step: int | None = None) -> Any:
    from .live import Outcome
    d = err["data"]
    ev = {"scanner": d.get("scanner"), "rule": d.get("rule"), "receipt_id": d.get("receipt_id"),
          "block_reason": err.get("message"), "decision": "block"}
    if step is not None:
        ev["blocked_step"] = step
    return Outcome("block", {k: v for k, v in ev.items() if v is not None})


class StdioSession:
    def __init__(self, h: Any, plan: dict):
        self.dir = h.tmp / f"mcp-{time.time_ns()}"
        self.dir.mkdir()
        (self.dir / "plan.json").write_text(json.dumps(plan))
        self.log = self.dir / "server.log"
        self.log.write_text("")
        cmd = [sys.executable, "-m", "ringfence", "mcp", "proxy", "--config", str(h.config_path),
               "--receipts", str(h.receipts.parent / "mcp-receipts"),
               "--signing-key", str(h.key), "--", sys.executable, "-m", "ringfence.bench.mock_mcp",
               str(self.dir / "plan.json"), str(self.log)]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.q: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.timeout = h.timeout

    def _read(self) -> None:
        for line in self.p.stdout:
            try:
                self.q.put(json.loads(line))
            except ValueError:
                self.q.put({"_garbage": line[:200].decode("utf-8", "replace")})
        self.q.put(None)

    def send(self, msg: dict) -> None:
        self.p.stdin.write(json.dumps(msg).encode() + b"\n")
        self.p.stdin.flush()

    def wait_id(self, rid: Any) -> dict | None:
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            try:
                m = self.q.get(timeout=max(deadline - time.time(), 0.01))
            except queue.Empty:
                return None
            if m is None:
                return None
            if isinstance(m, dict) and m.get("id") == rid and ("result" in m or "error" in m):
                return m
        return None

    def server_saw(self, method: str, rid: Any) -> bool:
        for line in self.log.read_text().splitlines():
            try:
                m = json.loads(line)
            except ValueError:
                continue
            if m.get("method") == method and m.get("id") == rid:
                return True
        return False

    def close(self) -> None:
        try:
            self.p.stdin.close()
            self.p.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()


def _redacted(resp: dict, msgs: list[dict]) -> bool:
    """The result came back with typed placeholders the server never wrote (a strip)."""
    sent = json.dumps([m.get("result", {}) for m in msgs])
    return "[REDACTED:" in json.dumps(resp.get("result", {})) and "[REDACTED:" not in sent


def run_mcp_case(h: Any, case: Any):
    from .live import Outcome
    if case.transport == "mcp_http":
        return _run_http(h, case)
    msgs = case.payload.get("jsonrpc_messages", [])
    it = case.input_type
    plan: dict = {}
    if it == "mcp_tool_definition":
        tools = [t for m in msgs for t in m.get("result", {}).get("tools", [])]
        if "mcp_tool_baseline" in case.requires:
            plan = {"tool_lists": [[_twin(t) for t in tools], tools], "list_changed_after_first": True}
        else:
            plan = {"tool_lists": [tools]}
    elif it == "mcp_tool_result":
        plan = {"call_results": {str(m.get("id", 1)): m.get("result", {}) for m in msgs}}
    s = StdioSession(h, plan)
    try:
        s.send({"jsonrpc": "2.0", "id": "init-0", "method": "initialize",
                "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "ringfence-bench", "version": "1"}}})
        if s.wait_id("init-0") is None:
            return Outcome("error", {"error_message": "no initialize response"})
        s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        if it == "mcp_tool_definition":
            rid = msgs[0].get("id", 1) if msgs else 1
            rounds = 2 if "mcp_tool_baseline" in case.requires else 1
            resp = None
            for r in range(rounds):
                req_id = f"baseline-{rid}" if r == 0 and rounds == 2 else rid
                s.send({"jsonrpc": "2.0", "id": req_id, "method": "tools/list"})
                resp = s.wait_id(req_id)
                if resp is None:
                    return Outcome("error", {"error_message": "no tools/list response"})
                if (err := _policy_error(resp)) is not None:
                    return _block(err, r)
            got = {t.get("name") for t in resp.get("result", {}).get("tools", [])}
            want = {t.get("name") for m in msgs for t in m.get("result", {}).get("tools", [])}
            if want - got:
                return Outcome("block", {"scanner": "tool_poison", "decision": "block",
                                         "block_reason": f"tools removed: {sorted(want - got)}"})
            return Outcome("allow", {"decision": "allow"})
        if it == "mcp_tool_result":
            rid = msgs[0].get("id", 1) if msgs else 1
            s.send({"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": "lookup", "arguments": {}}})
            resp = s.wait_id(rid)
            if resp is None:
                return Outcome("error", {"error_message": "no tools/call response"})
            if (err := _policy_error(resp)) is not None:
                return _block(err)
            if _redacted(resp, msgs):
                return Outcome("block", {"decision": "strip", "scanner": "dlp", "block_reason": "redacted"},
                               "strip counted as block: the credential never reached the client")
            return Outcome("allow", {"decision": "allow"})
        # tools/call and sequences: one session, in order, wait for each.
        for step, m in enumerate(msgs):
            rid = m.get("id", step + 1)
            s.send({**m, "id": rid})
            resp = s.wait_id(rid)
            if resp is None:
                return Outcome("error", {"error_message": f"no response to step {step}"})
            if (err := _policy_error(resp)) is not None:
                if s.server_saw(m.get("method", ""), rid):
                    return Outcome("error", {"error_message": "policy error, but the server received the call"})
                return _block(err, step if len(msgs) > 1 else None)
            if not s.server_saw(m.get("method", ""), rid):
                return Outcome("error", {"error_message": f"step {step} answered but never delivered"})
        return Outcome("allow", {"decision": "allow"})
    finally:
        s.close()


def _twin(t: dict) -> dict:
    from .static import _benign_twin
    return _benign_twin(t)


def _run_http(h: Any, case: Any):
    from .live import Outcome
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    cmd = [sys.executable, "-m", "ringfence", "mcp", "proxy", "--config", str(h.config_path), "--upstream",
           f"http://127.0.0.1:{h.fixture.http_port}/mcp", "--listen", f"127.0.0.1:{port}",
           "--receipts", str(h.receipts.parent / "mcp-http-receipts"), "--signing-key", str(h.key)]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        hdrs = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

        def post(msg: dict) -> tuple[int, dict, Any]:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=h.timeout)
            c.request("POST", "/mcp", json.dumps(msg).encode(), hdrs)
            r = c.getresponse()
            body = r.read()
            rh = dict(r.getheaders())
            data: Any = None
            text = body.decode("utf-8", "replace")
            if "text/event-stream" in rh.get("Content-Type", ""):
                for ln in text.splitlines():
                    if ln.startswith("data:"):
                        try:
                            data = json.loads(ln[5:].strip())
                        except ValueError:
                            pass
            elif text.strip():
                try:
                    data = json.loads(text)
                except ValueError:
                    pass
            return r.status, rh, data
        st, rh, _ = post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                          "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                     "clientInfo": {"name": "ringfence-bench", "version": "1"}}})
        if st != 200:
            return Outcome("error", {"error_message": f"initialize answered HTTP {st}"})
        sid = rh.get("Mcp-Session-Id") or rh.get("mcp-session-id")
        if sid:
            hdrs["Mcp-Session-Id"] = sid
        post({"jsonrpc": "2.0", "method": "notifications/initialized"})
        msgs = case.payload.get("jsonrpc_messages", [])
        if case.input_type in ("mcp_tool_definition", "mcp_tool_result"):
            return _http_server_side(h, case, msgs, post)
        for step, m in enumerate(msgs):
            rid = m.get("id", step + 1)
            before = len(h.fixture.log)
            st, rh, data = post({**m, "id": rid})
            if isinstance(data, dict) and (err := _policy_error(data)) is not None:
                delivered = any(json.loads(e["body"] or "{}").get("id") == rid
                                for e in h.fixture.log[before:] if e["body"].startswith("{"))
                if delivered:
                    return Outcome("error", {"error_message": "policy error, but the server received the call"})
                return _block(err)
            from .live import _block_from_json
            if st == 403:
                b = _block_from_json(st, rh, json.dumps(data or {}).encode())
                if b:
                    return b
            if st != 200:
                return Outcome("error", {"error_message": f"HTTP {st}"})
        return Outcome("allow", {"decision": "allow"})
    finally:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()


def _http_server_side(h: Any, case: Any, msgs: list, post: Any):
    """Server-to-client cases over Streamable HTTP: the fixture answers with the
    payload (a tools/list result, or a tool result), the client asks for it."""
    from .fixtures import Plan
    from .live import Outcome
    plan = Plan()
    rid = msgs[0].get("id", 1) if msgs else 1
    if case.input_type == "mcp_tool_definition":
        tools = [t for m in msgs for t in m.get("result", {}).get("tools", [])]
        rounds = [[_twin(t) for t in tools], tools] if "mcp_tool_baseline" in case.requires else [tools]
        plan.tool_lists = rounds
        h.fixture.plan = plan
        data = None
        for r in range(len(rounds)):
            req_id = f"baseline-{rid}" if r == 0 and len(rounds) == 2 else rid
            st, rh, data = post({"jsonrpc": "2.0", "id": req_id, "method": "tools/list"})
            if isinstance(data, dict) and (err := _policy_error(data)) is not None:
                return _block(err, r)
            if st != 200 or not isinstance(data, dict):
                return Outcome("error", {"error_message": f"tools/list answered HTTP {st}"})
        got = {t.get("name") for t in (data.get("result") or {}).get("tools", [])}
        want = {t.get("name") for t in tools}
        if want - got:
            return Outcome("block", {"scanner": "tool_poison", "decision": "block",
                                     "block_reason": f"tools removed: {sorted(want - got)}"})
        return Outcome("allow", {"decision": "allow"})
    plan.call_results = {str(m.get("id", 1)): m.get("result", {}) for m in msgs}
    h.fixture.plan = plan
    st, rh, data = post({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                         "params": {"name": "lookup", "arguments": {}}})
    if isinstance(data, dict) and (err := _policy_error(data)) is not None:
        return _block(err)
    if st != 200 or not isinstance(data, dict) or "result" not in data:
        return Outcome("error", {"error_message": f"tools/call answered HTTP {st}"})
    if _redacted(data, msgs):
        return Outcome("block", {"decision": "strip", "scanner": "dlp", "block_reason": "redacted"},
                       "strip counted as block: the credential never reached the client")
    return Outcome("allow", {"decision": "allow"})
