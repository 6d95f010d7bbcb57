"""Static files compressed once. Starlette's StaticFiles sends a file as it is on disk, and the gzip
middleware then compressed it again on every request: MapLibre's script (973 KB) cost the server
35-50 ms of CPU each time the map page was opened, and its worker (458 KB) 20-25 ms. Here a file
of a compressible type and at least `compression.MINIMUM_SIZE` bytes is compressed on its first
request in the process (per path, size and modification time, so a changed file is compressed
anew) and sent so to clients that accept gzip; the middleware leaves a body that has a
Content-Encoding alone.

What Starlette does stays: the ETag and Last-Modified of the file on disk, If-None-Match and
If-Modified-Since → 304, 404 for a missing file. A Range request and a HEAD get the file as it is
on disk (byte ranges are of the plain file)."""

from __future__ import annotations

import functools
import os
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from maadan.http import compression

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
KEPT_FILES = 64  # compressed files kept per process (the vendored assets and our own)


@functools.lru_cache(maxsize=KEPT_FILES)
def _gzipped(path: str, size: int, mtime_ns: int) -> bytes:
    """The file's bytes compressed once (size and mtime are part of the key: a changed file is new)."""
    with open(path, "rb") as fh:
        return compression.gzip_once(fh.read())


class CompressedStaticFiles(StaticFiles):
    def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        request = Headers(scope=scope)
        if (response.status_code != 200 or scope["method"] != "GET" or "range" in request
                or stat_result.st_size < compression.MINIMUM_SIZE
                or not (response.media_type or "").startswith(COMPRESSIBLE)
                or not compression.accepts_gzip(request.get("accept-encoding"))):
            return response
        body = _gzipped(os.fspath(full_path), stat_result.st_size, stat_result.st_mtime_ns)
        headers = {k: v for k, v in response.headers.items() if k not in ("content-length", "accept-ranges")}
        return Response(body, headers={**headers, "content-encoding": "gzip", "vary": "Accept-Encoding"})
