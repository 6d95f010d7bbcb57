"""Prometheus metrics (issue 18 item 4): `/metrics` in the Prometheus text format, for a configured network
or a token. Each app has its own registry (tests build many apps in one process); `maadan serve --workers N`
runs N processes, each with its own figures (scrape each worker, or run one worker per port).

Series (all prefixed `maadan_`):
  http_requests_total{method,route,status}        requests answered, by route template (not the raw path)
  http_request_duration_seconds{method,route}    latency histogram, from the request's arrival to its last byte
  http_requests_in_flight                        requests being answered now
  filings_total                                  applications filed (201 to POST /api/cadastre/applications,
                                                 replays of a stored answer excluded)
  checks_total{ok}                               spatial checks answered (POST /api/cadastre/check)
  idempotency_total{outcome}                     keyed writes: stored, replayed, reused (409), in_use (409),
                                                 malformed (400), not_committed (503)
  spatial_index_state{state}                     1 for the warm-up state now (cold, warming, warm, failed)
  spatial_index_items{jurisdiction}              titles, applications and reserved areas in each index
  spatial_index_updates_total{how}               index updates: built, caught-up (from the change log), compacted
  (added by maadan.ogc, its tile cache's:)
  tiles_served_total{how}                        vector tiles answered from this process's cache (cached) or
                                                 built for the request (built); a 304 counts as cached
  tile_cache_tiles, tile_cache_bytes             tiles kept in the cache now, and their bytes (gzip included)
  tile_cache_dropped_total{why}                  cached tiles dropped: changed (a change touched them) or
                                                 overflow (to stay within the cache's bounds)
  tile_layer_updates_total{how}                  tiled collections brought up to date: built (the in-process
                                                 layer read), caught-up (it, from the change log),
                                                 postgis-caught-up (PostGIS's cached tiles, from the change log)
  db_reads_total{target}                         request reads served by a replica or the primary (only
                                                 counted when MAADAN_READ_DATABASE_URL is set)
  replica_up{replica}, replica_lag_bytes{replica}, replica_lag_seconds{replica}
                                                 each read replica (1, 2, … in MAADAN_READ_DATABASE_URL's
                                                 order), measured when scraped
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maadan.auth.model import Forbidden
from maadan.http.idempotency import ROUTE_KEY
from maadan.http.security import bearer_token, client_address

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
FILING = ("POST", "/api/cadastre/applications")
CHECK = ("POST", "/api/cadastre/check")


class Metrics:
    """The figures of one app."""

    def __init__(self, app: FastAPI):
        self.registry = registry = CollectorRegistry()
        self.requests = Counter("maadan_http_requests", "HTTP requests answered, by route template and status",
                                ["method", "route", "status"], registry=registry)
        self.latency = Histogram("maadan_http_request_duration_seconds", "Time to answer an HTTP request",
                                 ["method", "route"], buckets=BUCKETS, registry=registry)
        self.in_flight = Gauge("maadan_http_requests_in_flight", "HTTP requests being answered now",
                               registry=registry)
        self.filings = Counter("maadan_filings", "Applications filed (replayed answers excluded)", registry=registry)
        self.checks = Counter("maadan_checks", "Spatial checks answered", ["ok"], registry=registry)
        self.idempotency = Counter("maadan_idempotency", "Writes sent with an Idempotency-Key, by outcome",
                                   ["outcome"], registry=registry)
        self.reads = Counter("maadan_db_reads", "Request reads, by where they were served (replica or primary)",
                             ["target"], registry=registry)
        registry.register(_IndexCollector(app))
        registry.register(_ReplicaCollector(app))

    def idempotency_outcome(self, outcome: str) -> None:
        self.idempotency.labels(outcome).inc()


class _IndexCollector:
    """The spatial index's warm-up state and size, read when scraped."""

    def __init__(self, app: FastAPI):
        self.app = app

    def describe(self):
        return []

    def collect(self):
        from maadan.cadastre.caches import CACHES

        state = GaugeMetricFamily("maadan_spatial_index_state", "Warm-up state of the spatial index (1: now)",
                                  labels=["state"])
        now = getattr(self.app.state, "spatial_index", "cold")
        for name in ("cold", "warming", "warm", "failed"):
            state.add_metric([name], 1.0 if name == now else 0.0)
        yield state
        items = GaugeMetricFamily("maadan_spatial_index_items", "Areas in the spatial index", labels=["jurisdiction"])
        engine = getattr(self.app.state, "engine", None)
        key = engine.url.render_as_string(hide_password=True) if engine is not None else None
        for (db, jurisdiction), held in list(CACHES.indexes.items()):
            if db == key:
                items.add_metric([jurisdiction], float(len(held.index)))
        yield items
        updates = CounterMetricFamily("maadan_spatial_index_updates", "Spatial index updates in this process, by "
                                      "how (built from the store, caught up from the change log, compacted)",
                                      labels=["how"])
        for how, n in sorted(CACHES.counts.items()):
            updates.add_metric([how], float(n))
        yield updates


class _ReplicaCollector:
    """Each read replica: up, and its lag behind the primary (bytes of WAL, seconds), read when scraped."""

    def __init__(self, app: FastAPI):
        self.app = app

    def describe(self):
        return []

    def collect(self):
        replicas = getattr(self.app.state, "replicas", None)
        if not replicas:
            return
        up = GaugeMetricFamily("maadan_replica_up", "1 when the read replica answers", labels=["replica"])
        lag_b = GaugeMetricFamily("maadan_replica_lag_bytes", "WAL bytes the replica has yet to replay",
                                  labels=["replica"])
        lag_s = GaugeMetricFamily("maadan_replica_lag_seconds", "Seconds since the last replayed transaction "
                                  "while the replica is behind (0 when caught up)", labels=["replica"])
        for i, r in enumerate(replicas.status(self.app.state.engine), 1):
            up.add_metric([str(i)], 1.0 if r["up"] else 0.0)
            if r["lag_bytes"] is not None:
                lag_b.add_metric([str(i)], float(r["lag_bytes"]))
            if r["lag_seconds"] is not None:
                lag_s.add_metric([str(i)], float(r["lag_seconds"]))
        yield from (up, lag_b, lag_s)


def metrics_of(scope: Scope) -> Metrics | None:
    app = scope.get("app")
    return getattr(app.state, "metrics", None) if app is not None else None


class RequestMetrics:
    """ASGI middleware: counts and times every request by its route template."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        metrics = metrics_of(scope) if scope["type"] == "http" else None
        if metrics is None:
            await self.app(scope, receive, send)
            return
        start, status, replayed = time.perf_counter(), 500, False

        async def capture(message: Message) -> None:
            nonlocal status, replayed
            if message["type"] == "http.response.start":
                status = message["status"]
                replayed = any(k == b"idempotent-replayed" for k, _ in message.get("headers", []))
            await send(message)

        metrics.in_flight.inc()
        try:
            await self.app(scope, receive, capture)
        finally:
            metrics.in_flight.dec()
            route = _route_template(scope)
            method = scope["method"]
            metrics.requests.labels(method, route, str(status)).inc()
            metrics.latency.labels(method, route).observe(time.perf_counter() - start)
            if (method, route) == FILING and status == 201 and not replayed:
                metrics.filings.inc()
            elif (method, route) == CHECK and status == 200:
                metrics.checks.labels("true").inc()
            elif (method, route) == CHECK and status in (409, 422):
                metrics.checks.labels("false").inc()


def _route_template(scope: Scope) -> str:
    """The template of the route that answered (for a replayed answer: the one that answered first);
    "unmatched" for an answer given before routing (an unknown address, a 413)."""
    return getattr(scope.get("route"), "path", None) or scope.get(ROUTE_KEY) or "unmatched"


def add(app: FastAPI, collector: object) -> None:
    """Add an adapter's own series to the app's /metrics (a prometheus_client collector: `collect()`
    yields metric families, read when scraped). maadan.ogc adds the vector tile cache's."""
    app.state.metrics.registry.register(collector)


def install(app: FastAPI) -> None:
    """`app.state.metrics` and the `/metrics` route (not in the OpenAPI document)."""
    app.state.metrics = Metrics(app)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        settings = request.app.state.settings
        token = bearer_token(request)
        allowed = bool(settings.metrics_token) and token is not None and \
            hmac.compare_digest(token.encode(), settings.metrics_token.encode())
        if not allowed:
            address = client_address(request)
            try:
                allowed = address is not None and any(ipaddress.ip_address(address) in net
                                                      for net in settings.metrics_networks)
            except ValueError:
                allowed = False
        if not allowed:
            raise Forbidden("/metrics is for the networks in MAADAN_METRICS_NETWORKS or a Bearer MAADAN_METRICS_TOKEN")
        return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
