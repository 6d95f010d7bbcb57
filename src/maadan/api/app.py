"""The FastAPI application: REST under /api, OGC API – Features under /ogc, the web app at /.
Built by `create_app(settings)`; nothing happens at import time."""

from __future__ import annotations

import importlib
import logging
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from maadan import __version__
from maadan.api import content_types, errors, openapi_doc, warmup
from maadan.api.middleware import BodyLimit, RejectNul, RequestLog
from maadan.config import Settings, load_settings
from maadan.store.database import create_db_engine, require_schema

# Routers that are part of the app when their module exists (features land one by one).
OPTIONAL_ROUTERS = ("maadan.api.routes.auth", "maadan.api.ogc.router", "maadan.web.routes", "maadan.web.agreements",
                    "maadan.web.analytics", "maadan.web.news", "maadan.web.competition")


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
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Maadan API",
                                   swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    app.add_middleware(RejectNul)  # inside the body limit: it reads bodies the limit has bounded
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestLog)
    logging.getLogger("maadan.requests").setLevel(settings.log_level.upper())
    return app
