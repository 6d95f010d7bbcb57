"""The body media types each write route accepts, and a dependency, installed on the whole app,
that refuses any other with 415 (one rule for every route, including routes added later):
JSON bodies take application/json (or any application/*+json such as application/geo+json),
form routes take application/x-www-form-urlencoded or multipart/form-data, and routes that
declare their bodies in OpenAPI (openapi_extra) take exactly the media types declared there."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.exceptions import HTTPException as StarletteHTTPException

JSON = "application/json"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

_accepted: dict[int, tuple[str, ...] | None] = {}


def accepted(route: Any) -> tuple[str, ...] | None:
    """The media types `route` accepts for its body, or None when it reads no body."""
    key = id(route)
    if key not in _accepted:
        declared = ((getattr(route, "openapi_extra", None) or {}).get("requestBody") or {}).get("content")
        field = getattr(route, "body_field", None)
        if declared:
            kinds: tuple[str, ...] | None = tuple(declared)
        elif field is None:
            kinds = None
        else:
            media = getattr(field.field_info, "media_type", JSON)
            kinds = FORMS if media in FORMS else (JSON,)
        _accepted[key] = kinds
    return _accepted[key]


def _ok(media: str, kinds: tuple[str, ...]) -> bool:
    if media in kinds:
        return True
    return JSON in kinds and media.startswith("application/") and media.endswith("+json")


async def require_known_content_type(request: Request) -> None:
    """415 for a body whose Content-Type the route does not read."""
    if request.method not in BODY_METHODS:
        return
    route = request.scope.get("route")
    kinds = accepted(route) if route is not None else None
    if not kinds:
        return
    header = request.headers.get("content-type")
    if header is None:
        if request.headers.get("content-length") in (None, "0"):
            return  # no body at all: validation says which fields are missing
        raise StarletteHTTPException(415, f"the body has no Content-Type; send it as {' or '.join(kinds)}")
    media = header.split(";", 1)[0].strip().lower()
    if not _ok(media, kinds):
        raise StarletteHTTPException(415, f"Content-Type {media or '(empty)'} is not accepted here; "
                                          f"send the body as {' or '.join(kinds)}")
