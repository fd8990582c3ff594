"""The gRPC side: Envoy's ExternalProcessor (ext_proc) and Authorization (ext_authz)
services, each a thin adapter over Gate. Needs grpcio and xds-protos (extra `scale`)."""
from __future__ import annotations

import logging

from envoy.config.core.v3 import base_pb2
from envoy.extensions.filters.http.ext_proc.v3 import processing_mode_pb2 as pm
from envoy.service.auth.v3 import external_auth_pb2 as ea
from envoy.service.auth.v3 import external_auth_pb2_grpc as ea_grpc
from envoy.service.ext_proc.v3 import external_processor_pb2 as ep
from envoy.service.ext_proc.v3 import external_processor_pb2_grpc as ep_grpc
from envoy.type.v3 import http_status_pb2
from google.rpc import status_pb2

from .gate import Exchange, Gate, Verdict

log = logging.getLogger("ringfence.envoy")
UPSTREAM_MD = "x-ringfence-upstream"   # set per listener by `ringfence envoy config`
MAX_STREAM_BODY = 64 << 20             # a request body in pieces (BUFFERED_PARTIAL/STREAMED) is capped


def _headers(hm) -> list[tuple[str, str]]:
    return [(h.key.lower(), h.raw_value.decode("latin-1") if h.raw_value else h.value) for h in hm.headers]


def _hvo(k: str, v: str, raw: bool = True) -> base_pb2.HeaderValueOption:
    """ext_proc reads raw_value; ext_authz reads value."""
    hv = base_pb2.HeaderValue(key=k, raw_value=v.encode("latin-1", "replace")) if raw else \
        base_pb2.HeaderValue(key=k, value=v)
    return base_pb2.HeaderValueOption(
        header=hv,
        append_action=base_pb2.HeaderValueOption.OVERWRITE_IF_EXISTS_OR_ADD)


def _immediate(v: Verdict) -> ep.ProcessingResponse:
    top = v.decision.top
    return ep.ProcessingResponse(immediate_response=ep.ImmediateResponse(
        status=http_status_pb2.HttpStatus(code=v.status),
        headers=ep.HeaderMutation(set_headers=[_hvo(k, x) for k, x in v.headers]),
        body=v.body,
        details=f"ringfence_{top.scanner}_{top.rule}" if top else "ringfence_block"))


class ExtProc(ep_grpc.ExternalProcessorServicer):
    def __init__(self, gate: Gate):
        self.gate = gate

    async def Process(self, request_iterator, context):
        gate = self.gate
        md = {k.lower(): v for k, v in (context.invocation_metadata() or ())}
        upstream = md.get(UPSTREAM_MD, "")
        ex = Exchange()
        req_body = bytearray()
        async for req in request_iterator:
            which = req.WhichOneof("request")
            if which == "request_headers":
                rh = req.request_headers
                v = await gate.request_headers(ex, _headers(rh.headers), rh.end_of_stream,
                                               upstream=upstream, resolve=not upstream)
                if v is not None and v.immediate:
                    yield _immediate(v)
                    return
                yield ep.ProcessingResponse(request_headers=ep.HeadersResponse())
            elif which == "request_body":
                rb = req.request_body
                req_body += rb.body
                if len(req_body) > MAX_STREAM_BODY:
                    from ..core import Finding, decide
                    d = decide([Finding("content", "body_too_large", "high", "", "body", "block")])
                    yield _immediate(gate._block(ex, d, "outbound", "request", 413))
                    return
                if not rb.end_of_stream:
                    yield ep.ProcessingResponse(request_body=ep.BodyResponse())
                    continue
                v = await gate.request_body(ex, bytes(req_body))
                if v.immediate:
                    yield _immediate(v)
                    return
                yield ep.ProcessingResponse(request_body=ep.BodyResponse())
            elif which == "response_headers":
                rh = req.response_headers
                sse = gate.response_headers(ex, _headers(rh.headers))
                resp = ep.ProcessingResponse(response_headers=ep.HeadersResponse())
                if sse:
                    # events are released as they are scanned (maybe rewritten, decoded):
                    # the length and encoding of the upstream's body no longer hold
                    resp.response_headers.response.header_mutation.remove_headers.extend(
                        ["content-length", "content-encoding"])
                    resp.mode_override.response_body_mode = pm.ProcessingMode.STREAMED
                if rh.end_of_stream:
                    await gate.finish(ex)
                yield resp
            elif which == "response_body":
                rb = req.response_body
                if ex.sse is not None:
                    out = await gate.response_chunk(ex, rb.body, rb.end_of_stream)
                    yield ep.ProcessingResponse(response_body=ep.BodyResponse(response=ep.CommonResponse(
                        body_mutation=ep.BodyMutation(body=out))))
                    continue
                v = await gate.response_body(ex, rb.body)
                if v.immediate:
                    yield _immediate(v)
                    return
                resp = ep.ProcessingResponse(response_body=ep.BodyResponse())
                if v.replace is not None:
                    cr = resp.response_body.response
                    cr.body_mutation.body = v.replace
                    # a body of another size (and now plain text) needs these gone, or Envoy answers 500
                    cr.header_mutation.remove_headers.extend(["content-length", "content-encoding"])
                    cr.header_mutation.set_headers.append(_hvo("x-ringfence-decision", "strip"))
                    cr.header_mutation.set_headers.append(_hvo("x-ringfence-receipt", v.decision.receipt_id))
                yield resp
            elif which == "request_trailers":
                yield ep.ProcessingResponse(request_trailers=ep.TrailersResponse())
            elif which == "response_trailers":
                yield ep.ProcessingResponse(response_trailers=ep.TrailersResponse())


class Authz(ea_grpc.AuthorizationServicer):
    """ext_authz: CONNECT (the tunnel's host; its bytes are not inspected) and cheap
    decisions on any request: kill switch, domain policy, rate limit and budget."""

    def __init__(self, gate: Gate):
        self.gate = gate

    async def Check(self, request, context):
        http = request.attributes.request.http
        ex = Exchange()
        v = await self.gate.authorize(ex, http.method, http.host, http.path or "/", http.scheme or "")
        if v is None or not v.immediate:
            rid = v.decision.receipt_id if v is not None else ""
            return ea.CheckResponse(status=status_pb2.Status(code=0), ok_response=ea.OkHttpResponse(
                headers=[_hvo("x-ringfence-receipt", rid, raw=False)] if rid else []))
        return ea.CheckResponse(
            status=status_pb2.Status(code=7, message=v.decision.reason[:200]),
            denied_response=ea.DeniedHttpResponse(
                status=http_status_pb2.HttpStatus(code=v.status),
                headers=[_hvo(k, x, raw=False) for k, x in v.headers],
                body=v.body.decode("utf-8", "replace")))


def add_services(server, gate: Gate) -> None:
    ep_grpc.add_ExternalProcessorServicer_to_server(ExtProc(gate), server)
    ea_grpc.add_AuthorizationServicer_to_server(Authz(gate), server)
