"""The Jinja2 environment of the web pages (autoescaped, so any text from the database or a user
is escaped), its filters, and `render`, which adds what every page needs to its context."""

from __future__ import annotations

import functools
import math
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from maadan import __version__
from maadan.api.security import identify


def templates_dir() -> Path:
    return Path(str(resources.files("maadan") / "web" / "templates"))


def number(value: Any, digits: int = 0) -> str:
    """1234567.8 -> '1,234,568'; None -> 'unknown' (never a zero)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    if digits == 0 and float(value).is_integer():
        return f"{int(value):,}"
    text = f"{float(value):,.{digits or 2}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def when(value: Any) -> str:
    """An ISO time or datetime as 'YYYY-MM-DD HH:MM UTC'; a date as 'YYYY-MM-DD'."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def section(path: str) -> str:
    """The navigation entry a page belongs to: '/', '/map', '/cadastre', '/cadastre/apply'..."""
    for own in ("/cadastre/apply", "/cadastre/queue", "/cadastre/competitions", "/cadastre/notices"):
        if path == own or path.startswith(own + "/"):
            return own
    first = path.strip("/").split("/", 1)[0]
    return "/" + first if first else "/"


def iso(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value or "")


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True, default=True),
        undefined=StrictUndefined,  # a missing variable is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(number=number, when=when, iso=iso)
    env.globals.update(version=__version__)
    return env


@functools.cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(env=environment())


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """The template `name` with `context`, plus the signed-in user, the CSRF token for its forms,
    the page path (for the navigation) and the app settings the pages need."""
    ident = identify(request)
    settings = request.app.state.settings
    ctx: dict[str, Any] = {
        "user": ident.user,
        "csrf_token": ident.csrf_token if ident.via == "session" else None,
        "path": request.url.path,
        "section": section(request.url.path),
        "tile_url": settings.tile_url,
    }
    ctx.update(context or {})
    response = templates().TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)
    # Pages may show a user's own data; never let a shared cache keep them.
    response.headers.setdefault("Cache-Control", "no-store" if ident.user else "no-cache")
    return response


def error_page(request: Request, exc: Any, title: str | None = None) -> HTMLResponse:
    """The error page for a MaadanError: its message, and for a NotFound the close names to try."""
    suggestions = exc.details.get("suggestions", []) if exc.status == 404 else []
    return render(request, "error.html", {"title": title or ("Not found" if exc.status == 404 else "Cannot do that"),
                                          "message": exc.message, "suggestions": suggestions,
                                          "kind": getattr(exc, "kind", None)}, status_code=exc.status)
