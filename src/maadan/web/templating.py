"""The Jinja2 environment of the web pages (autoescaped, so any text from the database or a user
is escaped), its filters, `render`, which adds what every page needs to its context (the signed-in
user, the navigation collected from the page modules), and the HTML form of every error."""

from __future__ import annotations

import functools
import math
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from maadan import __version__
from maadan.http.security import Identity, identify
from maadan.registry import collect
from maadan.http.middleware import request_id


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


def money(value: Any, currency: str | None = None, digits: int = 2) -> str:
    """1000000, 'PKR' -> 'PKR 1,000,000'; 1234.5 -> 'PKR 1,234.5'; None -> 'unknown'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    return f"{currency} {number(value, digits)}" if currency else number(value, digits)


def area(value: Any, digits: int = 3) -> str:
    """12.3456 -> '12.346 km²'; None -> 'unknown'."""
    return "unknown" if value is None else f"{number(value, digits)} km²"


@functools.cache
def site_timezone() -> str:
    """The time zone pages show times in: the jurisdictions' own when they share one (every bundled
    jurisdiction is in Asia/Karachi), else UTC."""
    from maadan.cadastre.caches import jurisdictions, rules_for

    try:
        zones = {rules_for(j, date.today()).timezone for j in jurisdictions()}
    except Exception:  # no rules in force: times in UTC, still labelled
        return "UTC"
    return zones.pop() if len(zones) == 1 else "UTC"


def when(value: Any, tz: str | None = None) -> str:
    """An ISO time or datetime in the jurisdiction's time zone, the zone named:
    '2026-12-03 21:32 PKT (UTC+05:00)'; a date as 'YYYY-MM-DD'."""
    if value is None:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        local = value.astimezone(ZoneInfo(tz or site_timezone()))
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class NavLink:
    """An entry of the main navigation, declared by the page module it leads to (as `NAV`):
    shown in `order`, to everyone or only to accounts holding one of `roles`."""

    order: int
    href: str
    label: str
    roles: tuple[str, ...] = ()

    def shown_to(self, user: Any) -> bool:
        return not self.roles or (user is not None and user.has_role(*self.roles))


@functools.cache
def navigation() -> tuple[NavLink, ...]:
    """Every page module's NAV entries, in their order."""
    return tuple(sorted((link for _, links in collect("maadan.web", "NAV") for link in links),
                        key=lambda link: link.order))


def section(path: str) -> str:
    """The navigation entry a page belongs to: the longest nav address that is the path or a
    folder of it ('/cadastre/apply' before '/cadastre'), else the path's first segment."""
    own = [link.href for link in navigation() if link.href != "/" and (path == link.href or path.startswith(link.href + "/"))]
    if own:
        return max(own, key=len)
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
    env.filters.update(number=number, when=when, iso=iso, money=money, area=area)
    env.globals.update(version=__version__)
    return env


@functools.cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(env=environment())


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """The template `name` with `context`, plus the signed-in user, the CSRF token for its forms,
    the page path (for the navigation) and the app settings the pages need."""
    ident = _identity(request)
    settings = request.app.state.settings
    ctx: dict[str, Any] = {
        "user": ident.user,
        "nav": [link for link in navigation() if link.shown_to(ident.user)],
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


def _identity(request: Request) -> Identity:
    """Who is asking; the public when the request's own credentials are refused (an error page
    about that refusal must still draw)."""
    try:
        return identify(request)
    except StarletteHTTPException:
        return Identity(None)


ERROR_TITLES = {403: "Not for this account", 404: "Not found", 429: "Too many requests", 500: "Something went wrong",
                503: "The server is busy"}


def error_page(request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """An error as a page ({error, message, details} as the JSON form has it): a browser that must
    sign in first is sent to the sign-in page; otherwise the message, and for an unknown name the
    close names to try."""
    if status == 401:
        return RedirectResponse(f"/login?{urlencode({'next': request.url.path})}", status_code=303)
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    message = str(body.get("message") or "")
    return render(request, "error.html", {
        "title": ERROR_TITLES.get(status, "Cannot do that"), "message": message,
        "suggestions": details.get("suggestions", []) if status == 404 else [],
        "kind": details.get("kind"), "request_id": request_id(request.scope)}, status_code=status, headers=headers)
