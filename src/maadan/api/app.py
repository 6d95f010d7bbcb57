"""The FastAPI application: REST under /api, OGC API – Features under /ogc, the web app at /.
Built by `create_app(settings)`; nothing happens at import time."""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from maadan import __version__
from maadan.api import content_types, errors, openapi_doc, warmup
from maadan.api.client_limits import ClientLimits
from maadan.api.middleware import BodyLimit, JsonDepthLimit, RejectNul, RequestLog
from maadan.api.security_headers import SecurityHeaders
from maadan.config import Settings, load_settings
from maadan.store.database import create_db_engine, require_schema

# Routers that are part of the app when their module exists (features land one by one).
OPTIONAL_ROUTERS = ("maadan.api.routes.auth", "maadan.api.ogc.router", "maadan.web.routes", "maadan.web.agreements",
                    "maadan.web.analytics", "maadan.web.news", "maadan.web.competition")


# Swagger UI from vendored files, started by a script file (no inline script: see security_headers).
API_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Maadan API</title><link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script></body></html>
"""


def _static_dir() -> Path:
    return Path(str(resources.files("maadan") / "web" / "static"))


def create_app(settings: Settings | None = None, *, engine=None) -> FastAPI:
    """The app for `settings` (default: from the environment). Refuses to start on a database
    without the current schema."""
    settings = settings or load_settings()
    engine = engine or create_db_engine(settings)
    require_schema(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        warming = warmup.start(app)  # builds the spatial indexes off the request path
        yield
        warming.join()
        engine.dispose()

    app = FastAPI(
        title="Maadan API",
        version=__version__,
        description="Critical minerals, deposits and projects, the mineral-rights cadastre and its register. "
                    "Errors are JSON: {error, message, details}.",
        docs_url=None,  # served below from vendored assets, no CDN
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(content_types.require_known_content_type)],  # 415 for bodies a route cannot read
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.client_limits = ClientLimits(settings.client_rate, settings.expensive_concurrency)
    errors.install(app)
    openapi_doc.install(app)

    from maadan.api.routes import (agreements, analytics, cadastre, competition, health, minerals, news, organisations,
                                   partners, projects)

    for module in (health, minerals, projects, organisations, cadastre, competition, agreements, partners, analytics,
                   news):
        app.include_router(module.router)
    for name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        app.include_router(module.router)

    static = _static_dir()
    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS)

    app.add_middleware(RejectNul)  # inside the body limit: it reads bodies the limit has bounded
    app.add_middleware(JsonDepthLimit)  # likewise; before any parser recurses into the body
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestLog)
    app.add_middleware(SecurityHeaders, settings=settings)  # outermost: every response, errors too
    logging.getLogger("maadan.requests").setLevel(settings.log_level.upper())
    return app
