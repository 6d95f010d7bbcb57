"""Gzip for large bodies: Starlette's GZipMiddleware (pure ASGI: it compresses streamed bodies chunk
by chunk too), for clients that send `Accept-Encoding: gzip`, on bodies of at least `MINIMUM_SIZE`
bytes (smaller ones cost more to compress than they save). Installed by http/app.py outside the
routes, inside the security headers."""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

MINIMUM_SIZE = 1024
LEVEL = 5  # near zlib's best ratio on GeoJSON at a third of level 9's time


class Compression(GZipMiddleware):
    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)
