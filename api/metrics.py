"""Prometheus metrics with a per-app registry, and the ASGI middleware that records them."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The app's counters and histogram, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "igr_http_requests",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "igr_http_request_duration_seconds",
            "HTTP request latency (to the end of the body) by route template",
            ["route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "igr_answers", "Answers given, by endpoint", ["endpoint"], registry=self.registry
        )
        self.refused = Counter(
            "igr_answers_refused",
            "Answers refused (not supported by the documents), by endpoint",
            ["endpoint"],
            registry=self.registry,
        )
        self.lexical = Gauge(
            "igr_lexical_index_events",
            "This process's work on the lexical index since start: full_builds (from every "
            "stored chunk), syncs (change-log reads), docs_synced (documents re-indexed), merges",
            ["kind"],
            registry=self.registry,
        )

    def record_answer(self, endpoint: str, refused: bool) -> None:
        self.answers.labels(endpoint=endpoint).inc()
        if refused:
            self.refused.labels(endpoint=endpoint).inc()

    def set_lexical(self, stats: dict[str, int]) -> None:
        """Copy the lexical index's counters (`LexicalIndex.stats`) into the gauge."""
        for kind, value in stats.items():
            self.lexical.labels(kind=kind).set(value)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts every HTTP request by its route template (not the raw path) and times it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "<unmatched>"
            self.metrics.requests.labels(
                route=template, method=scope["method"], status=str(status)
            ).inc()
            self.metrics.latency.labels(route=template).observe(time.perf_counter() - start)
