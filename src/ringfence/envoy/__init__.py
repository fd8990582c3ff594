"""Envoy as the data plane: ext_proc and ext_authz gRPC services over the same engine
(`ringfence envoy serve`) and the bootstrap generator (`ringfence envoy config`).
grpcio and xds-protos (extra `scale`) are imported only here."""
