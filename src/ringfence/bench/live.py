"""The live tier: every case over its real transport, through a real ringfence.

Rules (docs/bench-runner-contract.md section 7): a verdict comes only from an
explicit ringfence decision (403 with the block marker, a JSON-RPC -32001 policy
error, a WebSocket close 1008, a receipt); an upstream failure or timeout is an
`error`, never a `block`; `allow` needs proof that the fixture received the
payload. Everything stays on 127.0.0.1; `ringfence run --resolve` keeps each
case's hostname for policy while the socket goes to the local fixture.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from .cases import SCAN_ERROR_NOTE, Case, bench_config_data, not_applicable_reason, result_line, scan_error_block
from .fixtures import Fixture, Plan
from .static import _benign_twin, _infer_ctype

FIX_HOST = "127.0.0.1"
A2A_AGENT = "a2a-agent.bench.test"


class HarnessError(Exception):
    pass


def _is_ip(host: str) -> bool:
    try:
        socket.inet_aton(host)
        return True
    except OSError:
        return ":" in host or host.isdigit()


def _public_literal(host: str) -> str | None:
    """A literal IP that ringfence itself judges public, in canonical form. Such a
    URL is allowed and dialed as written; mapping it to the fixture proves delivery
    offline. Literals ringfence judges internal are never mapped: if ringfence let
    one through, the connect would fail (error), never count as an allow."""
    from ..engine import public_ip_literal
    return public_ip_literal(host)


def _hosts(cases: list[Case]) -> set[str]:
    out = {A2A_AGENT}
    for c in cases:
        p = c.payload
        urls = [p.get("url", "")]
        card = p.get("agent_card")
        if isinstance(card, dict):
            urls.append(str(card.get("url", "")))
        for u in urls:
            try:
                h = urllib.parse.urlsplit(u).hostname
            except ValueError:
                continue
            if h and not _is_ip(h):
                out.add(h.lower())
            elif h and (lit := _public_literal(h)):
                out.add(f"[{lit}]" if ":" in lit else lit)
    return out


def _extra_ports(cases: list[Case]) -> dict[int, bool]:
    """Explicit ports other than 80/443 in case URLs: port -> served over TLS."""
    out: dict[int, bool] = {}
    for c in cases:
        p = c.payload
        card = p.get("agent_card")
        for u in (p.get("url", ""), str(card.get("url", "")) if isinstance(card, dict) else ""):
            try:
                sp = urllib.parse.urlsplit(str(u))
                port = sp.port
            except ValueError:
                continue
            if port and port not in (80, 443) and 0 < port < 65536:
                out.setdefault(port, sp.scheme in ("https", "wss"))
    return out


class Outcome:
    def __init__(self, verdict: str, evidence: dict | None = None, notes: str = ""):
        self.verdict, self.evidence, self.notes = verdict, evidence or {}, notes


def _block_from_json(status: int, headers: dict, body: bytes) -> Outcome | None:
    """ringfence's explicit HTTP block marker, or None."""
    h = {k.lower(): v for k, v in headers.items()}
    data: Any = None
    try:
        data = json.loads(body) if body[:1] == b"{" else None
    except ValueError:
        pass
    marked = h.get("x-ringfence-decision") == "block" or (isinstance(data, dict) and data.get("blocked") is True)
    if status in (403, 503) and marked:
        d = data if isinstance(data, dict) else {}
        ev = {"scanner": d.get("scanner"), "rule": d.get("rule"),
              "block_reason": d.get("reason") or f"{d.get('scanner')}:{d.get('rule')}",
              "receipt_id": d.get("receipt_id") or h.get("x-ringfence-receipt"), "decision": "block",
              "http_status": status}
        return Outcome("block", {k: v for k, v in ev.items() if v is not None})
    return None


class LiveHarness:
    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout
        self.tmp = Path(tempfile.mkdtemp(prefix="rf-bench-"))
        self.proc: subprocess.Popen | None = None
        self.fixture: Fixture | None = None

    # -- setup -------------------------------------------------------------
    def start(self, cases: list[Case]) -> None:
        try:
            literals = tuple(h for h in _hosts(cases) if _is_ip(h.strip("[]")))
            self.fixture = Fixture(FIX_HOST, 80, 443, default_names=literals,
                                   extra_ports=_extra_ports(cases)).start()
        except OSError as e:
            raise HarnessError(
                f"the live tier serves its fixtures on {FIX_HOST}:80 and :443 so case URLs keep their ports, "
                f"and could not bind them ({e.strerror or e}). Run as root (as CI does), or set "
                "net.ipv4.ip_unprivileged_port_start=0, or use --tier static") from None
        from ..receipts import write_keypair
        self.key = self.tmp / "receipt.key"
        write_keypair(str(self.key))
        self.receipts = self.tmp / "receipts"
        ca_dir = self.tmp / "ca"
        rf = [sys.executable, "-m", "ringfence"]
        r = subprocess.run(rf + ["tls", "init", "--dir", str(ca_dir)], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise HarnessError(f"ringfence tls init failed: {r.stderr.strip()[:300]}")
        self.ringfence_ca = str(ca_dir / "ca.pem")
        cfg = self.config_path = self.tmp / "ringfence.yaml"
        blocklist = "".join(f"\n    - {json.dumps(h)}" for h in bench_config_data()["url"]["blocklist"])
        cfg.write_text(f"tls:\n  intercept: true\n  ca_dir: {ca_dir}\nurl:\n  blocklist:{blocklist}\n")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        args = rf + ["run", "--config", str(cfg), "--listen", f"127.0.0.1:{self.port}",
                     "--receipts", str(self.receipts), "--signing-key", str(self.key),
                     "--upstream-ca", self.fixture.ca.ca_path]
        for h in sorted(_hosts(cases)):
            args += ["--resolve", f"{h}:80:{FIX_HOST}", "--resolve", f"{h}:443:{FIX_HOST}"]
            for port in self.fixture.bound_extra:
                args += ["--resolve", f"{h}:{port}:{FIX_HOST}"]
        self._args = args
        self.proxy_log = open(self.tmp / "proxy.log", "ab")
        self._launch()

    def _launch(self) -> None:
        self.proc = subprocess.Popen(self._args, stdout=self.proxy_log, stderr=subprocess.STDOUT)
        # A cold machine compiles the pattern databases first (cached afterwards).
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"ringfence run exited early: {(self.tmp / 'proxy.log').read_text()[-500:]}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise HarnessError("ringfence run did not become healthy in 180 s")

    def _terminate(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def restart_proxy(self) -> None:
        """Fresh proxy state (Agent Card drift memory) for a case that needs it."""
        self._terminate()
        self._launch()

    def stop(self) -> None:
        self._terminate()
        if self.fixture:
            self.fixture.stop()

    # -- dispatch ----------------------------------------------------------
    def run_case(self, case: Case) -> Outcome:
        self.fixture.reset()
        t, it = case.transport, case.input_type
        if t in ("mcp_stdio", "mcp_http"):
            from .live_mcp import run_mcp_case
            return run_mcp_case(self, case)
        if t == "websocket":
            return self._websocket(case)
        if t == "a2a":
            return self._a2a(case)
        if it == "response_content":
            plan = Plan()
            plan.response_body = case.payload["response_body"]
            plan.content_type = _infer_ctype(plan.response_body)
            self.fixture.reset(plan)
        if t == "fetch_proxy":
            return self._fetch(case)
        return self._http_proxy(case)

    # -- HTTP ----------------------------------------------------------------
    def _req_parts(self, case: Case) -> tuple[str, str, dict, bytes]:
        p = case.payload
        headers = dict(p.get("headers", {}))
        body = p.get("body", "").encode()
        if body:
            headers.setdefault("Content-Type", p.get("content_type", "application/octet-stream"))
        return p.get("method", "GET"), p["url"], headers, body

    def _fetch(self, case: Case) -> Outcome:
        method, url, headers, body = self._req_parts(case)
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        c.request(method, "/fetch?url=" + urllib.parse.quote(url, safe=""), body=body or None, headers=headers)
        r = c.getresponse()
        data = r.read()
        return self._judge_http(case, r.status, dict(r.getheaders()), data)

    def _http_proxy(self, case: Case) -> Outcome:
        method, url, headers, body = self._req_parts(case)
        u = urllib.parse.urlsplit(url)
        if u.scheme == "http":
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            c.request(method, url, body=body or None, headers=headers)
            r = c.getresponse()
            return self._judge_http(case, r.status, dict(r.getheaders()), r.read())
        host, port = u.hostname or "", u.port or 443
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        try:
            hp = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            sock.sendall(f"CONNECT {hp} HTTP/1.1\r\nHost: {hp}\r\n\r\n".encode())
            resp = http.client.HTTPResponse(sock, method="CONNECT")
            resp.begin()
            if resp.status != 200:
                data = resp.read() if resp.length else b""
                return self._judge_http(case, resp.status, dict(resp.getheaders()), data, delivered_check=False)
            ctx = ssl.create_default_context(cafile=self.ringfence_ca)
            tls = ctx.wrap_socket(sock, server_hostname=host)
            path = u.path or "/"
            if u.query:
                path += "?" + u.query
            lines = [f"{method} {path} HTTP/1.1", f"Host: {u.netloc}", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            if body:
                lines.append(f"Content-Length: {len(body)}")
            tls.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            r = http.client.HTTPResponse(tls, method=method)
            r.begin()
            return self._judge_http(case, r.status, dict(r.getheaders()), r.read())
        finally:
            sock.close()

    def _judge_http(self, case: Case, status: int, headers: dict, body: bytes,
                    delivered_check: bool = True) -> Outcome:
        blocked = _block_from_json(status, headers, body)
        if blocked:
            return blocked
        h = {k.lower(): v for k, v in headers.items()}
        ev = {"http_status": status, "decision": h.get("x-ringfence-decision", ""),
              "receipt_id": h.get("x-ringfence-receipt", "")}
        if not (200 <= status < 400):
            return Outcome("error", {**ev, "error_message": f"HTTP {status} without a ringfence block marker: "
                                                            f"{body[:200].decode('utf-8', 'replace')}"})
        if ev["decision"] == "strip":
            # The offending content was removed before the agent saw it: contained.
            return Outcome("block", {**ev, "scanner": "injection", "block_reason": "stripped"},
                           "strip counted as block: the injected span never reached the client")
        if case.input_type == "response_content":
            return Outcome("allow", ev)
        if delivered_check and not self.fixture.log:
            return Outcome("error", {**ev, "error_message": "allowed, but the fixture never received the request"})
        return Outcome("allow", ev)

    # -- A2A ---------------------------------------------------------------
    def _a2a(self, case: Case) -> Outcome:
        p = case.payload
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        if case.input_type == "a2a_agent_card":
            self.restart_proxy()  # fresh state per case: no card-drift memory from earlier cases
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            card = p["agent_card"]
            plan = Plan()
            plan.agent_card = card
            self.fixture.reset(plan)
            host = urllib.parse.urlsplit(str(card.get("url", ""))).hostname or A2A_AGENT
            if _is_ip(host):
                host = A2A_AGENT
            c.request("GET", f"http://{host}/.well-known/agent-card.json")
            r = c.getresponse()
            return self._judge_http(case, r.status, dict(r.getheaders()), r.read())
        last = None
        for m in p.get("jsonrpc_messages", []):
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            c.request("POST", f"http://{A2A_AGENT}/", body=json.dumps(m).encode(),
                      headers={"Content-Type": "application/json",
                               "Accept": "application/json, text/event-stream"})
            r = c.getresponse()
            last = self._judge_http(case, r.status, dict(r.getheaders()), r.read())
            if last.verdict != "allow":
                return last
        return last or Outcome("error", {"error_message": "no messages in case"})

    # -- WebSocket -----------------------------------------------------------
    def _websocket(self, case: Case) -> Outcome:
        from .wsraw import run_ws_case
        return run_ws_case(self, case)


def run_live(cases: list[Case], profile: dict, timeout: float = 10.0, progress: Any = None) -> list[dict]:
    results: list[dict] = []
    todo = []
    for case in cases:
        reason = not_applicable_reason(case, profile)
        if reason:
            results.append(result_line(case, profile, "not_applicable", {}, f"not applicable: {reason}"))
            if progress:
                progress.step(case.id)
        else:
            todo.append(case)
    h = LiveHarness(timeout)
    setup_error = ""
    try:
        if todo:
            try:
                h.start(todo)
            except HarnessError as e:
                setup_error = str(e)
                print(f"ringfence bench: {e}", file=sys.stderr)
        for case in todo:
            try:
                if setup_error:
                    raise HarnessError(f"harness setup failed: {setup_error}")
                o = h.run_case(case)
            except (OSError, http.client.HTTPException, TimeoutError) as e:
                o = Outcome("error", {"error_message": f"{type(e).__name__}: {e}"[:300]})
            except HarnessError as e:
                o = Outcome("error", {"error_message": str(e)[:300]})
            o.evidence.setdefault("tier", "live")
            o.evidence.setdefault("transport", case.transport)
            if o.verdict == "block" and scan_error_block(o.evidence):
                o = Outcome("error", {**o.evidence, "error_message": SCAN_ERROR_NOTE}, SCAN_ERROR_NOTE)
            results.append(result_line(case, profile, o.verdict, o.evidence, o.notes))
            if progress:
                progress.step(case.id)
    finally:
        h.stop()
    order = {c.id: i for i, c in enumerate(cases)}
    results.sort(key=lambda r: order[r["case_id"]])
    return results
