"""The FastAPI application: REST under /api, OGC API – Features under /ogc, the web app at /.
Built by `create_app(settings)`; nothing happens at import time. The three adapters are siblings
over this package: each installs its own routes (`install(app)` in its package), none imports another."""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from maadan import __version__
from maadan.config import Settings, load_settings
from maadan.http import content_types, errors, mail_dispatcher, metrics, openapi_doc, warmup
from maadan.http.client_limits import ClientLimits
from maadan.http.compression import Compression
from maadan.http.idempotency import Idempotency
from maadan.http.middleware import BodyLimit, JsonDepthLimit, RejectNul, RequestLog
from maadan.http.replicas import ReadYourWrites
from maadan.http.security_headers import SecurityHeaders
from maadan.store import durability
from maadan.store import loop_reads
from maadan.store.database import create_db_engine, require_schema
from maadan.store.replicas import Replicas

# Installed in this order; each must import. A request is matched against each route's pattern in
# turn (FastAPI 0.165: about 2 µs a route tried), so the OGC API (pages, features, tiles) comes first,
# /api/ping and the cadastre's routes first within the REST API (api/__init__.py `FIRST`), the web pages
# last (their static files are mounted before everything: web/__init__.py). At 170 routes an OGC items
# page had been matched after 90 others (180 µs of its ~2 ms of CPU; 14 µs first).
# No path is answered by a different route for it (tests/integration/api/test_route_order.py).
ADAPTERS = ("maadan.ogc", "maadan.api", "maadan.web")


def create_app(settings: Settings | None = None, *, engine=None) -> FastAPI:
    """The app for `settings` (default: from the environment). Refuses to start on a database
    without the current schema."""
    settings = settings or load_settings()
    engine = engine or create_db_engine(settings)
    require_schema(engine)
    durability.require_durable(engine)  # synchronous_commit on for our sessions; fsync=off warned about
    replicas = Replicas(settings.read_database_urls, settings.sql_echo)  # none unless MAADAN_READ_DATABASE_URL
    # what a coroutine reads on the loop without a trip to the thread pool (the register's size, a
    # jurisdiction's spatial version)
    reads = loop_reads.for_engine(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        warming = warmup.start(app)  # builds the spatial indexes off the request path
        mail = mail_dispatcher.start(app)  # sends the outbox in the background when SMTP is set
        yield
        if mail is not None:
            mail.stop()
        app.state.stopping = True  # the warm-up stops at its next step (the map's tiles: at its next tile)
        warmup.stop(warming)
        if reads is not None:
            await reads.close()
        engine.dispose()
        replicas.dispose()

    app = FastAPI(
        title="Maadan API",
        version=__version__,
        description="Critical minerals, deposits and projects, the mineral-rights cadastre and its register. "
                    "Errors are JSON {error, message, details} (an HTML page for browsers).",
        docs_url=None,  # served by maadan.api from vendored assets, no CDN
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(content_types.require_known_content_type)],  # 415 for bodies a route cannot read
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.replicas = replicas
    app.state.loop_reads = reads
    app.state.client_limits = ClientLimits(settings.client_rate, settings.expensive_concurrency)
    errors.install(app)
    openapi_doc.install(app)
    metrics.install(app)  # /metrics, for MAADAN_METRICS_NETWORKS or MAADAN_METRICS_TOKEN

    for name in ADAPTERS:
        importlib.import_module(name).install(app)

    app.add_middleware(Idempotency, hours=settings.idempotency_hours)  # innermost: sees the answer whole
    app.add_middleware(ReadYourWrites)  # outside it: the write is committed when the answer starts
    app.add_middleware(RejectNul)  # inside the body limit: it reads bodies the limit has bounded
    app.add_middleware(JsonDepthLimit)  # likewise; before any parser recurses into the body
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(metrics.RequestMetrics)  # inside the log: counted by route template
    app.add_middleware(RequestLog)  # gives each request its id
    app.add_middleware(Compression)  # gzip for large bodies, streamed ones too (http/compression.py)
    app.add_middleware(SecurityHeaders, settings=settings)  # outermost: every response, errors too
    logging.getLogger("maadan.requests").setLevel(settings.log_level.upper())
    return app


def create_served_app() -> FastAPI:
    """The app as `maadan serve` runs it, one per worker process for the life of the process: once
    its warm-up has built the spatial index and the map's tiles, the process freezes what it holds
    (`gc.freeze`), so the cyclic garbage collector no longer walks those hundreds of thousands of
    long-lived objects on every full collection (pauses of up to ~100 ms in a dense tile's build at
    100,000 titles); while warm-up builds, automatic collections wait (http/warmup.py). Apps made
    by `create_app` (tests, embedding) leave the collector alone."""
    app = create_app()
    app.state.freeze_after_warmup = True
    return app
