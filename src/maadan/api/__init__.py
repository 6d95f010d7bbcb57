"""The REST API under /api: one module per concept, each declaring its `router`, and the API's
documentation page at /docs (Swagger UI from vendored assets, no CDN)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from maadan.registry import collect

# Swagger UI from vendored files, started by a script file (no inline script: http/security_headers.py).
API_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Maadan API</title><link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script></body></html>
"""


# Matched before the other modules' routes (http/app.py `ADAPTERS`): /api/ping, the endpoint with no
# database that benchmarks take as the ceiling (and a load balancer may poll), then the cadastre's.
FIRST = ("maadan.api.ping", "maadan.api.cadastre")


def _place(module_name: str) -> int:
    return FIRST.index(module_name) if module_name in FIRST else len(FIRST)


def install(app: FastAPI) -> None:
    for _, router in sorted(collect(__name__, "router"), key=lambda found: _place(found[0].__name__)):  # stable
        app.include_router(router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS)
