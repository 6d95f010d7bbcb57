"""Every error leaves the app in one place, in the form the client asked for: JSON
{"error": code, "message": what to fix, "details": ...} for API clients, an HTML page for browsers.
Each error keeps the status it deserves; bad input is never a 500.

Which form: an Accept header that prefers text/html over JSON gets the page (every browser sends
one), one that prefers JSON gets JSON; without a preference (no Accept, or */*) a web page asked
for with GET answers with a page and everything else with JSON. The HTML itself is drawn by the renderer an adapter installs
(`install_html_renderer`), so this module knows no templates; without one, a plain page is sent."""

from __future__ import annotations

import html
import logging
from typing import Any, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from maadan.errors import MaadanError
from maadan.http.middleware import request_id

log = logging.getLogger("maadan.api")

# An error as the client will read it: (status, {"error", "message", "details"?}, headers).
HtmlRenderer = Callable[[Request, int, dict[str, Any], dict[str, str] | None], Response]
PAGE_TAG = "pages"  # routers of web pages carry this tag: their errors default to HTML
HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
              429: "too_many_requests"}


def _quality(accept: str, *kinds: str) -> float:
    """The highest q the Accept header gives any of `kinds` when it names one of them exactly; -1 otherwise."""
    best = -1.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        if media.strip().lower() not in kinds:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def _is_page(request: Request) -> bool:
    route = request.scope.get("route")
    return (request.method in ("GET", "HEAD") and route is not None
            and PAGE_TAG in (getattr(route, "tags", None) or ()))


def wants_html(request: Request) -> bool:
    """Whether the client should get the error as an HTML page."""
    accept = request.headers.get("accept", "")
    page = _quality(accept, "text/html", "application/xhtml+xml")
    data = _quality(accept, "application/json", "application/geo+json", "application/problem+json")
    if page > 0 or data > 0:
        return page > data
    return _is_page(request)


def plain_page(status: int, body: dict[str, Any], request_id: str | None = None) -> HTMLResponse:
    """A minimal page for when no adapter installed its own."""
    message = html.escape(str(body.get("message", "")))
    rid = f"<p>Request id: <code>{html.escape(request_id)}</code></p>" if request_id else ""
    return HTMLResponse(f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Error {status}</title>"
                        f"<h1>Error {status}</h1><p>{message}</p>{rid}<p><a href=\"/\">Home</a></p></html>",
                        status_code=status)


def install_html_renderer(app: FastAPI, renderer: HtmlRenderer) -> None:
    app.state.html_errors = renderer


def respond(request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """The error as JSON or as an HTML page, whichever the client asked for."""
    if wants_html(request):
        renderer: HtmlRenderer | None = getattr(request.app.state, "html_errors", None)
        if renderer is not None:
            try:
                return renderer(request, status, body, headers)
            except Exception:  # the page itself failed (e.g. the database is down): the plain page
                log.exception("the error page for %s failed", request.url.path)
        response: Response = plain_page(status, body, request_id(request.scope))
    else:
        response = JSONResponse(body, status_code=status)
    response.headers.update(headers or {})
    return response


def error_response(request: Request, exc: MaadanError) -> Response:
    return respond(request, exc.status, exc.to_dict(), getattr(exc, "headers", None))


def _where(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or ("body" if loc[:1] == ("body",) else "request")


def _json_error(error: dict, doc: object) -> dict:
    pos = next((p for p in error.get("loc", ()) if isinstance(p, int)), 0)
    text = doc.decode("utf-8", "replace") if isinstance(doc, bytes) else str(doc or "")
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    reason = (error.get("ctx") or {}).get("error", "invalid")
    return {"loc": ("body",), "type": "json_invalid",
            "msg": f"not valid JSON at line {line}, column {column} (character {pos}): {reason}"}


_UNAVAILABLE = ("connection", "terminating", "server closed", "shutting down", "could not connect",
                "the database system is", "database is locked", "starting up", "in recovery")


DATABASE_DOWN = {"error": "database_unavailable",
                 "message": "the database is not reachable just now; nothing was written. Try again in a few seconds"}


def log_database_down(method: str, path: str, rid: str | None, exc: Exception) -> None:
    log.warning("database unavailable on %s %s (request %s): %s", method, path, rid,
                " ".join(str(getattr(exc, "orig", exc)).split())[:300])


def database_unavailable(exc: Exception) -> bool:
    """Whether a database error means "not reachable or busy just now" (a 503), not a bug (a 500)."""
    if isinstance(exc, InterfaceError) or getattr(exc, "connection_invalidated", False):
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return any(s in text for s in _UNAVAILABLE)


def install(app: FastAPI) -> None:
    @app.exception_handler(MaadanError)
    async def _maadan(request: Request, exc: MaadanError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {}
        message = f"{_where(tuple(first.get('loc', ())))}: {first.get('msg', 'invalid')}" if first else "invalid request"
        if first.get("type") == "json_invalid":  # say where the JSON breaks, as a line and column
            errors = [_json_error(first, exc.body)]
            first = errors[0]
            message = f"body: {first['msg']}"
        details = [{"field": _where(tuple(e.get("loc", ()))), "message": e.get("msg"), "type": e.get("type")}
                   for e in errors]
        return respond(request, 422, {"error": "invalid_input", "message": message, "details": details})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's words for a body its parser gave up on (not UTF-8, say): bad input, as documented
            return respond(request, 422, {"error": "invalid_input",
                                          "message": "body: cannot be read as JSON (is it UTF-8?)"})
        code = HTTP_CODES.get(exc.status_code, "error")
        return respond(request, exc.status_code, {"error": code, "message": str(exc.detail)},
                       getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        # A safety net behind the RejectNul middleware, for text it does not see (multipart form fields):
        # PostgreSQL refuses NUL in text. The unit of work has rolled back, so nothing was written.
        if "NUL" in str(exc.orig):
            return respond(request, 422, {"error": "invalid_input",
                                          "message": "a field holds a NUL character (U+0000), which text may not contain"})
        return await _unexpected(request, exc)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_down(request: Request, exc: Exception) -> Response:
        # The database went away (a restart, a failover, a lost connection) or is busy: the unit of work
        # rolled back, nothing was written, and the same request will work again shortly.
        if not database_unavailable(exc):
            return await _unexpected(request, exc)
        rid = request_id(request.scope)
        log_database_down(request.method, request.url.path, rid, exc)
        return respond(request, 503, dict(DATABASE_DOWN),  # a copy: an error page may add to its body
                       {"Retry-After": "5", **({"X-Request-ID": rid} if rid else {})})

    @app.exception_handler(UnicodeDecodeError)
    async def _undecodable(request: Request, exc: UnicodeDecodeError) -> Response:
        # A safety net: every reader decodes what users send and says where it breaks; text that
        # still slips through undecoded is the sender's, not a fault of the server.
        log.warning("undecoded input on %s %s: %s", request.method, request.url.path, exc.reason)
        return respond(request, 422, {"error": "invalid_input", "message": f"the input is not UTF-8 text "
                                                                           f"(bad byte at offset {exc.start})"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:  # a bug, not bad input
        if isinstance(exc, (OperationalError, InterfaceError)) and database_unavailable(exc):
            return await _database_down(request, exc)  # raised in a middleware
        rid = request_id(request.scope)
        log.exception("internal error on %s %s (request %s)", request.method, request.url.path, rid)
        # answered outside the middleware (Starlette's outermost error handler): the id header is set here
        return respond(request, 500, {"error": "internal",
                                      "message": f"internal error; it has been logged as request {rid}"},
                       {"X-Request-ID": rid} if rid else None)
