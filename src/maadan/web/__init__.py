"""The web app: server-rendered pages over the same use cases as the API, a little JavaScript
for the map and the application form, and vendored browser assets (no CDN). Each page module
declares its `router` and its navigation entries (`NAV`); `install` collects them, serves the
static files and draws every error a browser gets as a page."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from maadan.registry import collect

if TYPE_CHECKING:
    from fastapi import FastAPI


def static_dir() -> Path:
    return Path(str(resources.files("maadan") / "web" / "static"))


def install(app: FastAPI) -> None:
    from starlette.routing import Mount

    from maadan.http.errors import install_html_renderer
    from maadan.http.static_files import CompressedStaticFiles
    from maadan.web.templating import error_page

    for _, router in collect(__name__, "router"):
        app.include_router(router)
    static = static_dir()
    if static.is_dir():
        # Matched before every other route (one pattern, ~1 µs for the others): a page's scripts, styles
        # and the map's vendored MapLibre would otherwise be matched after all 170 (~250 µs each).
        app.router.routes.insert(0, Mount("/static", app=CompressedStaticFiles(directory=static), name="static"))
    install_html_renderer(app, error_page)
