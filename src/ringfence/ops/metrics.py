"""Prometheus metrics for the proxy, on the admin port."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("ringfence_requests_total", "Requests handled", ["transport"],
                                registry=self.registry)
        self.decisions = Counter("ringfence_decisions_total", "Decisions by scanner and verdict",
                                 ["transport", "verdict", "scanner"], registry=self.registry)
        self.latency = Histogram("ringfence_decision_seconds", "Time to decide, per event",
                                 ["transport"], buckets=BUCKETS, registry=self.registry)
        self.bytes = Counter("ringfence_bytes_scanned_total", "Bytes scanned", ["transport"],
                             registry=self.registry)
        self.kill_switch_denials = Counter("ringfence_kill_switch_denials_total", "Requests denied by the kill switch",
                                           registry=self.registry)
        self._children: dict[tuple, tuple] = {}
        self.reloads = Counter("ringfence_config_reloads_total", "Config reloads", ["result"],
                               registry=self.registry)
        # For the Grafana dashboard (deploy/grafana): blocks by rule, upstream errors, receipts, kill switch.
        self.blocks = Counter("ringfence_blocks_total", "Blocks by scanner and rule", ["scanner", "rule"],
                              registry=self.registry)
        self.upstream_errors = Counter("ringfence_upstream_errors_total", "Upstream failures (connect, TLS, "
                                       "timeout, protocol)", ["transport", "reason"], registry=self.registry)
        self.receipts_written = Counter("ringfence_receipts_written_total", "Receipts signed and appended",
                                        registry=self.registry)
        self.receipts_failed = Counter("ringfence_receipts_failed_total", "Receipt writes that failed (the "
                                       "decision became a block)", registry=self.registry)
        self.kill_switch_active = Gauge("ringfence_kill_switch_active", "1 while the kill switch denies everything",
                                        registry=self.registry)

    def bind_killswitch(self, ks) -> None:
        """Read the kill switch at scrape time (a broken one reads as active: fail closed)."""
        def state() -> float:
            try:
                return 1.0 if ks.active() else 0.0
            except Exception:
                return 1.0
        self.kill_switch_active.set_function(state)

    def block(self, scanner: str, rule: str) -> None:
        self.blocks.labels(scanner or "none", rule or "none").inc()

    def observe(self, transport: str, verdict: str, scanner: str = "", seconds: float = 0.0,
                bytes_scanned: int = 0) -> None:
        # Label lookups cost more than the increments: resolve each combination once.
        key = (transport, verdict, scanner or "none")
        c = self._children.get(key)
        if c is None:
            c = self._children[key] = (self.requests.labels(transport), self.decisions.labels(*key),
                                       self.latency.labels(transport), self.bytes.labels(transport))
        c[0].inc()
        c[1].inc()
        c[2].observe(seconds)
        if bytes_scanned:
            c[3].inc(bytes_scanned)

    def render(self) -> bytes:
        return generate_latest(self.registry)
