"""Every error leaves the API as JSON {"error": code, "message": what to fix, "details": ...} with the
status it deserves; bad input is never a 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from maadan.errors import MaadanError

log = logging.getLogger("maadan.api")


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


def install(app: FastAPI) -> None:
    @app.exception_handler(MaadanError)
    async def _maadan(_: Request, exc: MaadanError) -> JSONResponse:
        status = exc.status if exc.status != 500 else 500
        return JSONResponse(exc.to_dict(), status_code=status, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {}
        message = f"{_where(tuple(first.get('loc', ())))}: {first.get('msg', 'invalid')}" if first else "invalid request"
        if first.get("type") == "json_invalid":  # say where the JSON breaks, as a line and column
            errors = [_json_error(first, exc.body)]
            first = errors[0]
            message = f"body: {first['msg']}"
        details = [{"field": _where(tuple(e.get("loc", ()))), "message": e.get("msg"), "type": e.get("type")}
                   for e in errors]
        return JSONResponse({"error": "invalid_input", "message": message, "details": details}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's words for a body its parser gave up on (not UTF-8, say): bad input, as documented
            return JSONResponse({"error": "invalid_input", "message": "body: cannot be read as JSON (is it UTF-8?)"},
                                status_code=422)
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden",
                413: "payload_too_large", 415: "unsupported_media_type", 429: "too_many_requests"}.get(exc.status_code, "error")
        return JSONResponse({"error": code, "message": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # A safety net behind the RejectNul middleware, for text it does not see (multipart form fields):
        # PostgreSQL refuses NUL in text. The unit of work has rolled back, so nothing was written.
        if "NUL" in str(exc.orig):
            return JSONResponse({"error": "invalid_input",
                                 "message": "a field holds a NUL character (U+0000), which text may not contain"},
                                status_code=422)
        return await _unexpected(request, exc)

    @app.exception_handler(UnicodeDecodeError)
    async def _undecodable(request: Request, exc: UnicodeDecodeError) -> JSONResponse:
        # A safety net: every reader decodes what users send and says where it breaks; text that
        # still slips through undecoded is the sender's, not a fault of the server.
        log.warning("undecoded input on %s %s: %s", request.method, request.url.path, exc.reason)
        return JSONResponse({"error": "invalid_input", "message": f"the input is not UTF-8 text "
                                                                  f"(bad byte at offset {exc.start})"}, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:  # a bug, not bad input
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse({"error": "internal", "message": "internal error; it has been logged"}, status_code=500)
