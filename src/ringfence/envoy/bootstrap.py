"""`ringfence envoy config`: an Envoy bootstrap for the common layouts.

- one reverse listener per upstream API (NAME=URL): agents use Envoy's address as the
  API's base URL, Envoy opens TLS to the upstream itself, so ringfence (ext_proc) sees
  and scans every request and response body;
- optionally a forward listener (HTTP_PROXY): plain-HTTP requests are scanned in full;
  CONNECT tunnels get an ext_authz decision on their host only: their bodies are NOT
  inspected in this mode (use reverse listeners, or `ringfence run --intercept`).

Fail closed: failure_mode_allow false on both filters, a message timeout that fits the
scan limits, and a JSON body instead of Envoy's empty 500 when ringfence cannot answer."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import yaml

EXT_PROC = "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor"
EXT_PROC_ROUTE = "type.googleapis.com/envoy.extensions.filters.http.ext_proc.v3.ExtProcPerRoute"
EXT_AUTHZ = "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"
EXT_AUTHZ_ROUTE = "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute"
HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
DFP_FILTER = "type.googleapis.com/envoy.extensions.filters.http.dynamic_forward_proxy.v3.FilterConfig"
DFP_CLUSTER = "type.googleapis.com/envoy.extensions.clusters.dynamic_forward_proxy.v3.ClusterConfig"
TLS_UP = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"
H2_OPTS = "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"  # Debian/Ubuntu/Alpine (ca-certificates)


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Upstream:
    name: str
    url: str
    scheme: str
    host: str
    port: int


def parse_hostport(s: str, what: str) -> tuple[str, int]:
    host, sep, port = s.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{what} expects HOST:PORT, got {s!r}")
    return host.strip("[]"), int(port)


def parse_upstream(s: str) -> Upstream:
    name, sep, url = s.partition("=")
    if not sep or not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ConfigError(f"--upstream expects NAME=URL (NAME: letters, digits, _ -), got {s!r}")
    u = urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ConfigError(f"--upstream {name}: URL must be http:// or https:// with a host, got {url!r}")
    if u.path not in ("", "/") or u.query:
        raise ConfigError(f"--upstream {name}: give the origin only (scheme://host[:port]), got {url!r}")
    port = u.port or (443 if u.scheme == "https" else 80)
    return Upstream(name, f"{u.scheme}://{u.netloc}", u.scheme, u.hostname, port)


def message_timeout_s(max_body_bytes: int) -> float:
    """Time for ringfence to scan one message: 1 s plus 1 s per MiB of the body cap
    (a scan runs well above 1 MiB/s on one core), at most 60 s."""
    return float(min(60, 1 + -(-max_body_bytes // (1 << 20))))


def _addr(host: str, port: int) -> dict:
    return {"socket_address": {"address": host, "port_value": port}}


def _ext_proc(max_body: int, upstream: str = "") -> dict:
    gs: dict = {"envoy_grpc": {"cluster_name": "ringfence"}}
    if upstream:
        gs["initial_metadata"] = [{"key": "x-ringfence-upstream", "value": upstream}]
    t = message_timeout_s(max_body)
    return {"name": "envoy.filters.http.ext_proc", "typed_config": {
        "@type": EXT_PROC,
        "grpc_service": gs,
        "failure_mode_allow": False,
        "allow_mode_override": True,          # event streams switch to STREAMED, scanned per event
        "message_timeout": f"{t:g}s",
        "max_message_timeout": f"{max(t, 60):g}s",
        "processing_mode": {
            "request_header_mode": "SEND", "response_header_mode": "SEND",
            "request_body_mode": "BUFFERED", "response_body_mode": "BUFFERED",
            "request_trailer_mode": "SKIP", "response_trailer_mode": "SKIP"},
    }}


def _ext_authz() -> dict:
    return {"name": "envoy.filters.http.ext_authz", "typed_config": {
        "@type": EXT_AUTHZ,
        "grpc_service": {"envoy_grpc": {"cluster_name": "ringfence"}, "timeout": "2s"},
        "transport_api_version": "V3",
        "failure_mode_allow": False,
        "status_on_error": {"code": 500},   # mapped to the JSON error body below
    }}


def _local_reply() -> dict:
    """Envoy's own 500 (ringfence unreachable, too slow, or broken) becomes JSON."""
    return {"mappers": [{
        "filter": {"status_code_filter": {"comparison": {"op": "EQ", "value": {
            "default_value": 500, "runtime_key": "ringfence.local_reply_500"}}}},
        "body_format_override": {"json_format": {
            "blocked": True, "error": "ringfence_unavailable",
            "message": "ringfence could not scan this request (fail closed): %LOCAL_REPLY_BODY%",
            "scanner": "envoy", "rule": "ext_proc_unavailable", "receipt_id": ""}},
    }]}


def _hcm(stat: str, routes: list, filters: list, max_body: int, connect: bool = False) -> dict:
    hcm = {"@type": HCM, "stat_prefix": stat, "codec_type": "AUTO",
           "route_config": {"name": stat, "virtual_hosts": [{"name": stat, "domains": ["*"], "routes": routes}]},
           "http_filters": filters + [{"name": "envoy.filters.http.router", "typed_config": {"@type": ROUTER}}],
           "local_reply_config": _local_reply(),
           "stream_idle_timeout": "300s"}
    if connect:
        hcm["upgrade_configs"] = [{"upgrade_type": "CONNECT"}]
        hcm["http2_protocol_options"] = {"allow_connect": True}
    return {"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}


def _listener(name: str, host: str, port: int, hcm: dict, max_body: int) -> dict:
    return {"name": name, "address": _addr(host, port),
            "per_connection_buffer_limit_bytes": max_body,
            "filter_chains": [{"filters": [hcm]}]}


def build(upstreams: list[Upstream], ringfence: list[tuple[str, int]], listen: tuple[str, int],
          forward: bool = False, admin: tuple[str, int] = ("127.0.0.1", 9901),
          max_body: int = 10 << 20) -> dict:
    if not upstreams and not forward:
        raise ConfigError("nothing to serve: give --upstream NAME=URL (repeatable) and/or --forward")
    if not ringfence:
        raise ConfigError("--ringfence HOST:PORT is required (repeat it once per worker)")
    host, port = listen
    listeners, clusters = [], []
    for i, up in enumerate(upstreams):
        route = {"match": {"prefix": "/"},
                 "route": {"cluster": f"up_{up.name}", "host_rewrite_literal": up.host if up.port in (80, 443)
                           else f"{up.host}:{up.port}", "timeout": "0s"}}
        listeners.append(_listener(f"reverse_{up.name}", host, port + i,
                                   _hcm(f"reverse_{up.name}", [route], [_ext_proc(max_body, up.url)], max_body),
                                   max_body))
        c = {"name": f"up_{up.name}", "type": "LOGICAL_DNS" if not _is_ip(up.host) else "STATIC",
             "connect_timeout": "5s", "dns_lookup_family": "V4_PREFERRED",
             "per_connection_buffer_limit_bytes": max_body,
             "load_assignment": {"cluster_name": f"up_{up.name}", "endpoints": [
                 {"lb_endpoints": [{"endpoint": {"address": _addr(up.host, up.port)}}]}]}}
        if up.scheme == "https":
            c["transport_socket"] = {"name": "envoy.transport_sockets.tls", "typed_config": {
                "@type": TLS_UP, "sni": up.host,
                "common_tls_context": {"validation_context": {
                    "trusted_ca": {"filename": CA_BUNDLE},
                    "match_typed_subject_alt_names": [{"san_type": "DNS", "matcher": {"exact": up.host}}]}}}}
        clusters.append(c)
    if forward:
        dns = {"name": "ringfence_forward", "dns_lookup_family": "V4_PREFERRED"}
        # each request is decided once: CONNECT by ext_authz, plain HTTP by ext_proc (in full)
        no_proc = {"envoy.filters.http.ext_proc": {"@type": EXT_PROC_ROUTE, "disabled": True}}
        no_authz = {"envoy.filters.http.ext_authz": {"@type": EXT_AUTHZ_ROUTE, "disabled": True}}
        routes = [
            # CONNECT: ext_authz decides on the host; the tunnel's bytes are NOT inspected
            {"match": {"connect_matcher": {}}, "route": {"cluster": "forward", "timeout": "0s",
                                                         "upgrade_configs": [{"upgrade_type": "CONNECT",
                                                                              "connect_config": {}}]},
             "typed_per_filter_config": no_proc},
            {"match": {"prefix": "/"}, "route": {"cluster": "forward", "timeout": "0s"},
             "typed_per_filter_config": no_authz},
        ]
        filters = [_ext_authz(), _ext_proc(max_body),
                   {"name": "envoy.filters.http.dynamic_forward_proxy",
                    "typed_config": {"@type": DFP_FILTER, "dns_cache_config": dns}}]
        listeners.append(_listener("forward", host, port + len(upstreams),
                                   _hcm("forward", routes, filters, max_body, connect=True), max_body))
        clusters.append({"name": "forward", "connect_timeout": "5s", "lb_policy": "CLUSTER_PROVIDED",
                         "cluster_type": {"name": "envoy.clusters.dynamic_forward_proxy",
                                          "typed_config": {"@type": DFP_CLUSTER, "dns_cache_config": dns}}})
    # one endpoint per ringfence worker: Envoy keeps one HTTP/2 connection per endpoint,
    # and round-robin spreads the gRPC streams over them
    clusters.append({
        "name": "ringfence", "type": "STRICT_DNS" if not all(_is_ip(h) for h, _ in ringfence) else "STATIC",
        "connect_timeout": "1s", "lb_policy": "ROUND_ROBIN",
        "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
            "@type": H2_OPTS, "explicit_http_config": {"http2_protocol_options": {}}}},
        "load_assignment": {"cluster_name": "ringfence", "endpoints": [
            {"lb_endpoints": [{"endpoint": {"address": _addr(h, p)}} for h, p in ringfence]}]},
    })
    return {"admin": {"address": _addr(*admin)},
            "static_resources": {"listeners": listeners, "clusters": clusters}}


def _is_ip(host: str) -> bool:
    import ipaddress
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def render(doc: dict, args_line: str, upstreams: list[Upstream], listen: tuple[str, int], forward: bool) -> str:
    host, port = listen
    lines = ["# Envoy bootstrap generated by ringfence. Regenerate, do not edit:",
             f"#   {args_line}", "#"]
    for i, up in enumerate(upstreams):
        lines.append(f"# reverse listener {host}:{port + i} -> {up.url}  (agents use http://{host}:{port + i} "
                     f"as the base URL; bodies inspected)")
    if forward:
        lines.append(f"# forward listener {host}:{port + len(upstreams)}  (HTTP_PROXY; plain HTTP inspected in full;")
        lines.append("#   CONNECT tunnels: ext_authz decides on the host, tunnel bodies are NOT inspected)")
    return "\n".join(lines) + "\n" + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)
