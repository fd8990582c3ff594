"""The MCP guard: one object per MCP session that decides, message by message,
what may pass between client and server. Transport-agnostic (sans-io): the
stdio relay and the HTTP proxy feed it raw message bytes and send what it
returns. Allowed messages are returned as the ORIGINAL bytes.

Client -> server
  request       tools/call: tool scanners (policy, DLP on arguments, chains);
                other methods: DLP over every params key and value.
  notification  DLP over params.
  response      (to a server request, e.g. sampling) DLP over result/error.
Server -> client
  response      must answer a request the client made (else dropped);
                tools/list: poisoning + drift (per-session ToolSession);
                tools/call: tool-result scan; everything else and errors:
                prompt-injection scan over every string.
  request       injection scan over params (a blocked one is answered to
                the server with an error, so it does not wait forever).
  notification  injection scan over params; a blocked one is dropped.

JSON-RPC batches (arrays) are rejected with one error per request id: MCP
removed batching in 2025-06-18, and a batch would let one element hide behind
another's verdict. "strip" is enforced as "block" here: ringfence never
rewrites MCP messages, it forwards them byte for byte or not at all.
"""
from __future__ import annotations

import dataclasses
import time
from typing import Any

import orjson

from ..core import exempt
from ..core import Action, Content, Decision, Finding, as_block, decide, fail_closed, record, record_outcome
from ..core.types import MCP_LISTINGS
from . import jsonrpc
from .jsonrpc import JsonRpcError

MAX_PENDING = 10_000

# While the kill switch is on, only these pass (session set-up and liveness);
# every other request gets error -32001 with rule killswitch.
HOUSEKEEPING = frozenset({"initialize", "ping", "notifications/initialized", "notifications/cancelled"})
# Results whose text is written for the agent (server instructions, prompt and resource listings).
_AGENT_FACING = frozenset({"initialize", "prompts/list", "prompts/get", "resources/list", "resources/templates/list"})


def mcp_opt(config: Any, name: str, default: Any) -> Any:
    """A transport setting from config.mcp, with its default when the key is absent."""
    return getattr(config.mcp, name, default)


@dataclasses.dataclass(slots=True)
class Outcome:
    to_server: bytes | None = None
    to_client: bytes | None = None
    decision: Decision | None = None
    request_key: tuple | None = None   # the id this message registered as pending
    message: Any = None                # the parsed message, when it was one
    answers: list[bytes] = dataclasses.field(default_factory=list)  # errors for client requests
                                       # whose answer from the server was dropped


class Guard:
    def __init__(self, engine: Any, writer: Any, transport: str, session_id: str = "",
                 server: str = "", max_pending: int = MAX_PENDING):
        self.engine = engine
        self.config = engine.config
        self.writer = writer
        self.transport = transport
        self.session_id = session_id
        self.server = server
        self.max_bytes = self.config.mcp.max_message_bytes
        self.max_pending = max_pending
        self.pending: dict[tuple, tuple[str, str]] = {}      # client request id -> (method, target)
        self.paged: set[tuple] = set()  # tools/list requests with a cursor (later pages)
        self.server_pending: dict[tuple, str] = {}           # server request id -> method
        self.intents: dict[tuple, str] = {}   # tools/call id -> its intent receipt, until the outcome
        self._tools_session = None
        self.stats = {"allow": 0, "warn": 0, "block": 0}
        self.kill: Any = None   # () -> reason or None: the kill switch, set by the transport

    def kill_reason(self) -> str | None:
        if self.kill is None:
            return None
        try:
            return self.kill()
        except Exception as e:  # fail closed: a broken kill switch denies
            return f"kill switch error: {type(e).__name__}"

    def _killed(self, reason: str, direction: str, target: str, method: str, kind: str,
                msg_id: Any = None) -> Decision:
        f = Finding("killswitch", "killswitch", "critical", reason[:80], "transport", "block")
        return self._record(Decision("block", (f,), "killswitch:killswitch"), direction, target, method, kind, msg_id)

    def kill_pending(self, reason: str, keys: list[tuple] | None = None) -> list[bytes]:
        """The kill switch went on: every request still waiting (but housekeeping)
        is answered now with error -32001, a receipt each; a late answer is dropped."""
        out = []
        for key in list(self.pending) if keys is None else keys:
            method, target = self.pending.get(key, ("", ""))
            if not method or method in HOUSEKEEPING:
                continue
            self.pending.pop(key, None)
            self.paged.discard(key)
            d = self._killed(reason, "inbound", target, method, "error", key[1])
            self._outcome(key, "aborted=killswitch")
            out.append(self._block_error(key[1], d))
        return out

    # -- helpers ---------------------------------------------------------
    @property
    def tool_session(self):
        if self._tools_session is None:
            self._tools_session = self.engine.tool_session(self.server)
        return self._tools_session

    def _record(self, decision: Decision, direction: str, target: str, method: str, kind: str,
                request_id: Any = None, meta: dict | None = None) -> Decision:
        action = Action(self.transport, direction, target or method or "mcp", method,
                        self.session_id, jsonrpc.id_text(request_id), kind, meta or {})
        if decision.verdict != "allow" and target:   # findings the bridge joined after inspect()
            decision = exempt.apply(decision, self.config, tool=target)
        decision = record(self.writer, action, decision)  # no receipt, no pass
        self.stats[decision.verdict if decision.verdict in self.stats else "block"] += 1
        return decision

    def _block_error(self, msg_id: Any, d: Decision, code: int = jsonrpc.BLOCKED) -> bytes:
        top = d.top
        scanner, rule = (top.scanner, top.rule) if top else ("mcp", "blocked")
        return jsonrpc.error_bytes(msg_id, code, f"ringfence: blocked by {scanner}:{rule}",
                                   {"scanner": scanner, "rule": rule, **({"receipt_id": d.receipt_id} if d.receipt_id else {})})

    def _reject(self, e: JsonRpcError, direction: str, msg_id: Any = None) -> tuple[Decision, bytes]:
        f = Finding("mcp", e.rule, "high", str(e)[:80], "message", "block")
        d = self._record(Decision("block", (f,), f"mcp:{e.rule}"), direction, "", "", "message", msg_id)
        return d, self._block_error(msg_id, d, e.code)

    def _scan_out(self, value: Any, where: str) -> Decision:
        fields = jsonrpc.leaves(value, where)
        if not fields:
            return Decision("allow")
        return as_block(self.engine.scan_fields(fields, "outbound"))

    def _scan_in(self, value: Any, where: str, agent: bool = False) -> Decision:
        """`agent`: a result only the agent reads (server instructions, prompt and resource
        listings), so an instruction in it needs no addressee to count."""
        fields = jsonrpc.leaves(value, where)
        if not fields:
            return Decision("allow")
        text = "\n".join(v for _, v in fields)
        d = as_block(self.engine.scan_text(text, "inbound", where, kind="tool_result"))
        if agent and not d.blocked:
            d2 = as_block(self.engine.scan_fields([(where, text)], "inbound", audience="agent"))
            if d2.blocked:
                return d2
        return d

    def _decide(self, findings: list[Finding], started: float) -> Decision:
        return as_block(decide(findings, enforce=self.config.enforce, started=started))

    def _frame(self, line: Any, direction: str) -> tuple[Any, Outcome | None]:
        """Size and JSON checks shared by both directions."""
        if isinstance(line, jsonrpc.Oversize) or len(line) > self.max_bytes + 2:
            ids = line.ids if isinstance(line, jsonrpc.Oversize) else jsonrpc.sniff_ids(line)
            e = JsonRpcError("oversize", f"message larger than {self.max_bytes} bytes")
            return None, self._refused(e, direction, ids)
        body = line.strip()
        if not body:
            return None, Outcome()
        try:
            return jsonrpc.parse(body), None
        except JsonRpcError as e:
            return None, self._refused(e, direction, jsonrpc.sniff_ids(body))

    def _refused(self, e: JsonRpcError, direction: str, ids: list[Any]) -> Outcome:
        """A message that could not be read. From the client: answered with the
        error (under its id when one could be found). From the server: dropped,
        and the client requests it may have answered get the error instead."""
        if direction == "outbound":
            mid = ids[0] if len(ids) == 1 else None
            d, err = self._reject(e, direction, mid)
            return Outcome(to_client=err, decision=d)
        d, _ = self._reject(e, direction)
        return Outcome(decision=d, answers=self._answer_dropped(ids, e.rule))

    def _answer_dropped(self, ids: list[Any], rule: str) -> list[bytes]:
        keys = [k for k in (jsonrpc.id_key(i) for i in ids) if k is not None and k in self.pending]
        if not keys:
            return []
        return self.fail_pending(rule, f"the MCP server's answer was refused ({rule})", keys,
                                 code=jsonrpc.BLOCKED)

    def _internal_error(self, e: BaseException, direction: str) -> Outcome:
        """Last line of defence: an unexpected error blocks the message (fail closed)
        and never ends the session."""
        d = fail_closed(e)
        try:
            d = self._record(d, direction, "", "", "message")
        except Exception:
            pass
        if direction == "outbound":
            return Outcome(to_client=self._block_error(None, d, jsonrpc.INVALID_REQUEST), decision=d)
        return Outcome(decision=d)

    # -- client -> server --------------------------------------------------
    def from_client(self, line: Any) -> Outcome:
        try:
            return self._from_client(line)
        except Exception as e:
            return self._internal_error(e, "outbound")

    def _from_client(self, line: Any) -> Outcome:
        msg, early = self._frame(line, "outbound")
        if early is not None:
            return early
        if isinstance(msg, list):
            return self._reject_batch(msg, "outbound")
        try:
            kind = jsonrpc.kind_of(msg)
        except JsonRpcError as e:
            mid = msg.get("id") if isinstance(msg, dict) and jsonrpc.id_key(msg.get("id")) else None
            d, err = self._reject(e, "outbound", mid)
            return Outcome(to_client=err, decision=d)
        started = time.perf_counter()
        reason = self.kill_reason()
        if reason is not None and msg.get("method") not in HOUSEKEEPING:
            return self._client_killed(msg, kind, reason)
        if kind == "request":
            o = self._client_request(msg, line, started)
            o.message = msg
            return o
        if kind == "notification":
            method = msg["method"]
            try:
                d = self._scan_out(msg.get("params"), "params")
            except Exception as e:
                d = fail_closed(e, started)
            d = self._record(d, "outbound", method, method, "notification")
            return Outcome(decision=d) if d.blocked else Outcome(to_server=line, decision=d, message=msg)
        # a response to a server-initiated request (sampling, roots, elicitation)
        key = jsonrpc.id_key(msg.get("id"))
        method = self.server_pending.pop(key, None) if key else None
        if method is None:
            f = Finding("mcp", "unsolicited_response", "high", jsonrpc.id_text(msg.get("id"), 40), "id", "block")
            d = self._record(Decision("block", (f,), "mcp:unsolicited_response"), "outbound", "", "",
                             "response", msg.get("id"))
            return Outcome(decision=d)
        try:
            d = self._scan_out(msg.get("result", msg.get("error")), "result")
        except Exception as e:
            d = fail_closed(e, started)
        d = self._record(d, "outbound", method, method, "response", msg["id"])
        if d.blocked:  # the server still gets an answer, so it does not wait
            return Outcome(to_server=self._block_error(msg["id"], d), decision=d)
        return Outcome(to_server=line, decision=d)

    def _client_killed(self, msg: dict, kind: str, reason: str) -> Outcome:
        method = msg.get("method") or ""
        target = method
        if method == "tools/call" and isinstance(msg.get("params"), dict) and isinstance(msg["params"].get("name"), str):
            target = msg["params"]["name"]
        if kind == "request":
            d = self._killed(reason, "outbound", target, method, "request", msg["id"])
            return Outcome(to_client=self._block_error(msg["id"], d), decision=d)
        if kind == "notification":
            return Outcome(decision=self._killed(reason, "outbound", method, method, "notification"))
        # a response to a server request: the server gets an error instead
        key = jsonrpc.id_key(msg.get("id"))
        smethod = self.server_pending.pop(key, "") if key else ""
        d = self._killed(reason, "outbound", smethod, smethod, "response", msg.get("id"))
        return Outcome(to_server=self._block_error(msg["id"], d) if smethod else None, decision=d)

    def _client_request(self, msg: dict, line: bytes, started: float) -> Outcome:
        method, mid = msg["method"], msg["id"]
        key = jsonrpc.id_key(mid)
        params = msg.get("params")
        target, kind = method, "request"
        try:
            if key in self.pending:
                raise JsonRpcError("duplicate_id", "a request with this id is already in flight")
            if len(self.pending) >= self.max_pending:
                raise JsonRpcError("too_many_pending", "too many requests in flight")
            if method == "tools/call":
                kind = "tool_call"
                p = params if isinstance(params, dict) else {}
                name = p.get("name")
                args = p.get("arguments", {})
                if not isinstance(name, str) or not isinstance(args, (dict, type(None))):
                    raise JsonRpcError("invalid_params", "tools/call needs a string name and object arguments")
                target = name
                d = as_block(self.engine.inspect(
                    Action(self.transport, "outbound", name, method, self.session_id, kind="tool_call"),
                    Content("tool_call", (name, args or {}), session=self.tool_session)))
                findings = list(d.findings)
                rest = {k: v for k, v in p.items() if k not in ("name", "arguments")}
                if rest and not d.blocked:
                    d2 = self._scan_out(rest, "params")
                    if d2.verdict != "allow":
                        d = self._decide(findings + list(d2.findings), started)
            else:
                d = self._scan_out(params, "params")
        except JsonRpcError as e:
            f = Finding("mcp", e.rule, "high", str(e)[:80], "message", "block")
            d = Decision("block", (f,), f"mcp:{e.rule}")
        except Exception as e:
            d = fail_closed(e, started)
        # A tools/call that passes is sent next: its receipt is the durable intent (core.record).
        d = self._record(d, "outbound", target, method, kind, mid, {"egress": True} if kind == "tool_call" else None)
        if d.blocked:
            return Outcome(to_client=self._block_error(mid, d), decision=d)
        if kind == "tool_call" and d.receipt_id:
            self.intents[key] = d.receipt_id
        # A tools/list with a cursor asks for a later page: its tools join the baseline.
        if (method == "tools/list" or method in MCP_LISTINGS) and isinstance(params, dict) \
                and params.get("cursor") is not None:
            self.paged.add(key)
        self.pending[key] = (method, target)
        return Outcome(to_server=line, decision=d, request_key=key)

    def _reject_batch(self, items: list, direction: str) -> Outcome:
        e = JsonRpcError("batch_unsupported", "JSON-RPC batches are not relayed")
        d, _ = self._reject(e, direction)
        errs = [self._block_error(m["id"], d, jsonrpc.INVALID_REQUEST) for m in items[:1000]
                if isinstance(m, dict) and "method" in m and jsonrpc.id_key(m.get("id"))]
        if direction == "outbound":
            body = b"[" + b",".join(x.rstrip(b"\n") for x in errs) + b"]\n" if errs else \
                self._block_error(None, d, jsonrpc.INVALID_REQUEST)
            return Outcome(to_client=body, decision=d)
        # A batch from the server is dropped; the requests it answered get an error.
        ids = [m["id"] for m in items[:1000] if isinstance(m, dict) and "id" in m and "method" not in m]
        return Outcome(decision=d, answers=self._answer_dropped(ids, "batch_unsupported"))

    # -- server -> client --------------------------------------------------
    def from_server(self, line: Any, stream: Any = None) -> Outcome:
        """`stream`: a CrossEventScan when `line` is one event of an SSE stream
        (its cross-event findings join this message's decision)."""
        try:
            return self._from_server(line, stream)
        except Exception as e:
            return self._internal_error(e, "inbound")

    def _from_server(self, line: Any, stream: Any = None) -> Outcome:
        msg, early = self._frame(line, "inbound")
        if early is not None:
            early.to_client = None   # server garbage: dropped, with a receipt
            return early
        if isinstance(msg, list):
            return self._reject_batch(msg, "inbound")
        try:
            kind = jsonrpc.kind_of(msg)
        except JsonRpcError as e:
            d, _ = self._reject(e, "inbound")
            ids = [msg["id"]] if isinstance(msg, dict) and "id" in msg and "method" not in msg else []
            return Outcome(decision=d, answers=self._answer_dropped(ids, e.rule))
        started = time.perf_counter()
        reason = self.kill_reason()
        if reason is not None:
            o = self._server_killed(msg, kind, reason)
            if o is not None:
                return o
        if kind == "response":
            return self._server_response(msg, line, started, stream)
        method = msg["method"]
        try:
            d = self._with_stream(self._scan_in(msg.get("params"), "params"), msg, stream, started)
        except Exception as e:
            d = fail_closed(e, started)
        if kind == "notification":
            d = self._record(d, "inbound", method, method, "notification")
            return Outcome(decision=d) if d.blocked else Outcome(to_client=line, decision=d)
        mid = msg["id"]
        d = self._record(d, "inbound", method, method, "server_request", mid)
        if d.blocked:
            return Outcome(to_server=self._block_error(mid, d), decision=d)
        key = jsonrpc.id_key(mid)
        if len(self.server_pending) >= self.max_pending:
            self.server_pending.pop(next(iter(self.server_pending)))
        self.server_pending[key] = method
        return Outcome(to_client=line, decision=d)

    def _server_killed(self, msg: dict, kind: str, reason: str) -> Outcome | None:
        """None when the message is housekeeping and passes."""
        if kind == "response":
            key = jsonrpc.id_key(msg.get("id"))
            entry = self.pending.get(key) if key else None
            if entry is None or entry[0] in HOUSEKEEPING:
                return None   # unsolicited (dropped as usual) or housekeeping
            self.pending.pop(key, None)
            self.paged.discard(key)
            d = self._killed(reason, "inbound", entry[1], entry[0], "response", msg["id"])
            self._outcome(key, "response=withheld verdict=block")  # the server answered; the kill switch held it
            return Outcome(to_client=self._block_error(msg["id"], d), decision=d)
        method = msg["method"]
        if method in HOUSEKEEPING:
            return None
        if kind == "notification":
            return Outcome(decision=self._killed(reason, "inbound", method, method, "notification"))
        d = self._killed(reason, "inbound", method, method, "server_request", msg["id"])
        return Outcome(to_server=self._block_error(msg["id"], d), decision=d)

    def _with_stream(self, d: Decision, msg: Any, stream: Any, started: float) -> Decision:
        if stream is None:
            return d
        extra = stream.check(msg)
        return self._decide(list(d.findings) + extra, started) if extra else d

    def _scan_error(self, err: dict) -> Decision:
        """error.message and error.data are scanned each on its own: one cannot
        dilute or hide behind the other's context."""
        findings: list[Finding] = []
        rest = {k: v for k, v in err.items() if k not in ("message", "data", "code")}
        for where, value in (("error.message", err.get("message")), ("error.data", err.get("data")),
                             ("error", rest or None)):
            if value is not None:
                findings += self._scan_in(value, where).findings
        if not findings:
            return Decision("allow")
        return self._decide(findings, time.perf_counter())

    def _server_response(self, msg: dict, line: bytes, started: float, stream: Any = None) -> Outcome:
        mid = msg.get("id")
        key = jsonrpc.id_key(mid)
        entry = self.pending.pop(key, None) if key else None
        if entry is None:
            f = Finding("mcp", "unsolicited_response", "high", jsonrpc.id_text(mid, 40), "id", "block")
            d = self._record(Decision("block", (f,), "mcp:unsolicited_response"), "inbound", "", "",
                             "response", mid)
            return Outcome(decision=d)
        method, target = entry
        kind = "response"
        paged = key in self.paged
        self.paged.discard(key)
        try:
            if "error" in msg:
                kind = "error"
                d = self._scan_error(msg["error"])
            else:
                result = msg["result"]
                if method == "tools/list" and isinstance(result, dict) and isinstance(result.get("tools"), list):
                    kind = "tools_list"
                    findings = list(self.engine.inspect(
                        Action(self.transport, "inbound", method, method, self.session_id, kind="tools_list"),
                        Content("tools_list", (result["tools"], paged), path="tools/list",
                                session=self.tool_session)).findings)
                    rest = {k: v for k, v in result.items() if k != "tools"}
                    if rest:
                        findings += list(self._scan_in(rest, "result").findings)
                    d = self._decide(findings, started)
                elif method in MCP_LISTINGS and isinstance(result, dict) \
                        and isinstance(result.get(MCP_LISTINGS[method]), list):
                    # prompts and resources: the tool-poisoning rules and a rug-pull baseline,
                    # then the whole result as agent-facing text, as before
                    findings = list(self.engine.inspect(
                        Action(self.transport, "inbound", method, method, self.session_id, kind="listing"),
                        Content("listing", (method, result[MCP_LISTINGS[method]], paged), path=method,
                                session=self.tool_session)).findings)
                    findings += list(self._scan_in(result, "result", agent=True).findings)
                    d = self._decide(findings, started)
                elif method == "tools/call" and isinstance(result, dict):
                    kind = "tool_result"
                    d, line = self._tool_result(msg, result, line, target)
                else:
                    d = self._scan_in(result, "result", agent=method in _AGENT_FACING)
            d = self._with_stream(d, msg, stream, started)
        except JsonRpcError as e:
            d = Decision("block", (Finding("mcp", e.rule, "high", str(e)[:80], "result", "block"),), f"mcp:{e.rule}")
        except Exception as e:
            d = fail_closed(e, started)
        d = self._record(d, "inbound", target, method, kind, mid)
        self._outcome(key, f"response={kind} verdict={d.verdict}")
        if d.blocked:
            return Outcome(to_client=self._block_error(mid, d), decision=d)
        return Outcome(to_client=line, decision=d)

    def _tool_result(self, msg: dict, result: dict, line: bytes, tool: str = "") -> tuple[Decision, bytes]:
        """A tools/call result. Credentials in it are stripped by default (typed
        placeholders, mcp.tool_result_credentials); when they cannot be removed with
        certainty, or anything else is found, the result is blocked."""
        d = self.engine.inspect(Action(self.transport, "inbound", tool or "tools/call", "tools/call",
                                       self.session_id, kind="tool_result"),
                                Content("tool_result", result, path="result", session=self.tool_session))
        if d.verdict != "strip":
            return as_block(d), line
        redacted = self.engine.redact_tool_result(result)
        if redacted is None:
            return as_block(d), line
        out = orjson.dumps({**msg, "result": redacted}) + (b"\n" if line.endswith(b"\n") else b"")
        return Decision("strip", d.findings, d.reason, out, d.duration_ms), out

    # -- ends ----------------------------------------------------------------
    def _outcome(self, key: tuple | None, result: str) -> None:
        """The outcome receipt of a tools/call intent, once (never content)."""
        rid = self.intents.pop(key, "") if key is not None else ""
        if rid:
            record_outcome(self.writer, rid, result)

    def forget(self, key: tuple | None, result: str = "ended=no_jsonrpc_answer") -> None:
        if key is not None:
            self.pending.pop(key, None)
            self.paged.discard(key)
            self._outcome(key, result)

    def fail_pending(self, rule: str, message: str, keys: list[tuple] | None = None,
                     code: int = jsonrpc.UPSTREAM_GONE) -> list[bytes]:
        """The server is gone: one JSON-RPC error per request still waiting, with a receipt each."""
        out = []
        for key in list(self.pending) if keys is None else keys:
            entry = self.pending.pop(key, None)
            self.paged.discard(key)
            if entry is None:
                continue
            method, target = entry
            mid = key[1]
            f = Finding("mcp", rule, "high", message[:80], "transport", "block")
            d = self._record(Decision("block", (f,), f"mcp:{rule}"), "inbound", target, method, "error", mid)
            self._outcome(key, f"error={rule}")
            out.append(jsonrpc.error_bytes(mid, code, f"ringfence: {message}",
                                           {"scanner": "mcp", "rule": rule,
                                            **({"receipt_id": d.receipt_id} if d.receipt_id else {})}))
        return out
