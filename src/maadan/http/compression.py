"""Gzip, two ways. Large bodies a route builds per request are compressed on the way out by
Starlette's GZipMiddleware (pure ASGI: streamed bodies chunk by chunk too), for clients that send
`Accept-Encoding: gzip`, on bodies of at least `MINIMUM_SIZE` bytes (smaller ones cost more to
compress than they save); installed by http/app.py outside the routes, inside the security headers.
Bodies a process keeps and serves many times (vector tiles, the available ground) are compressed
once instead (`gzip_once`, `cached_gzip`) and sent by `encoded` to clients whose Accept-Encoding
admits gzip (`accepts_gzip`, q-values included); the middleware leaves a body that already has a
Content-Encoding alone.

Both compress with zlib-ng (`zlib-ng` on PyPI), zlib's format at about half its time for the same
ratio (the densest z8 tile, 610 KiB: 13.7 ms with zlib at level 5, 7.1 ms with zlib-ng, 157 and 155
KiB out)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from zlib_ng import gzip_ng, zlib_ng

MINIMUM_SIZE = 1024
LEVEL = 5  # near zlib's best ratio on GeoJSON at a third of level 9's time
KEPT_BODIES = 4  # cached_gzip: compressed copies kept (bodies of tens of MB: the available ground)


class Compression(GZipMiddleware):
    """Starlette's middleware, but it asks `accepts_gzip` (q-values) whether the client wants gzip,
    where Starlette looks for the letters "gzip" anywhere in the header (so `gzip;q=0` got gzip)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app, minimum_size=MINIMUM_SIZE, compresslevel=LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responder: ASGIApp
        if accepts_gzip(Headers(scope=scope).get("accept-encoding")):
            responder = _FastGZipResponder(self.app, self.minimum_size, compresslevel=self.compresslevel,
                                      thread_minimum_size=self.thread_minimum_size,
                                      exclude_content_types=self.exclude_content_types)
        else:
            responder = IdentityResponder(self.app, self.minimum_size, exclude_content_types=self.exclude_content_types)

        async def send_one_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = one_vary(message.get("headers", []))
            await send(message)

        await responder(scope, receive, send_one_vary)


def one_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Raw ASGI headers with each field named once in `Vary`: Starlette's responders append
    `Accept-Encoding` to a Vary that a route (http/conditional.py) already gave in full."""
    i = next((k for k, (name, _) in enumerate(headers) if name.lower() == b"vary"), None)
    if i is None:
        return headers
    fields: dict[bytes, bytes] = {}
    for name, value in headers:
        if name.lower() == b"vary":
            for f in value.split(b","):
                if f.strip():
                    fields.setdefault(f.strip().lower(), f.strip())
    rest = [(n, v) for k, (n, v) in enumerate(headers) if k == i or n.lower() != b"vary"]
    rest[i] = (headers[i][0], b", ".join(fields.values()))
    return rest


class _FastGZipResponder(GZipResponder):
    """Starlette's responder with zlib-ng's compressor in place of zlib's (same stream format)."""

    @property
    def compressor(self):  # noqa: ANN201 (zlib-ng's compress object)
        if self._compressor is None:
            self._compressor = zlib_ng.compressobj(self.compresslevel, zlib_ng.DEFLATED, 16 + zlib_ng.MAX_WBITS)
        return self._compressor


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header (RFC 9110 §12.5.3) admits gzip: `gzip` or `x-gzip` listed
    with a weight above 0, or, when neither is listed, `*` with a weight above 0. A weight that is not
    a number counts as 0 (refused), so a garbled header gets the plain body."""
    named: float | None = None
    star: float | None = None
    for item in (accept_encoding or "").split(","):
        coding, *params = [p.strip() for p in item.split(";")]
        coding = coding.lower()
        if coding not in ("gzip", "x-gzip", "*"):
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0
                if not 0.0 <= weight <= 1.0:
                    weight = 0.0
        if coding == "*":
            star = weight
        else:
            named = weight if named is None else max(named, weight)
    if named is not None:
        return named > 0
    return star is not None and star > 0


def gzip_once(body: bytes) -> bytes:
    """The body gzip-compressed at the server's level, with no timestamp (the same bytes every time)."""
    return gzip_ng.compress(body, compresslevel=LEVEL, mtime=0)


_kept: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()
_kept_lock = threading.Lock()


def cached_gzip(body: bytes) -> bytes:
    """`gzip_once` of a body that a cache elsewhere keeps and hands out as the same object: compressed
    on its first request only. Keyed by the object itself (not a tag, which two stores in one process
    may share), for the last KEPT_BODIES bodies."""
    with _kept_lock:
        kept = _kept.get(id(body))
        if kept is not None and kept[0] is body:
            _kept.move_to_end(id(body))
            return kept[1]
    compressed = gzip_once(body)
    with _kept_lock:
        _kept[id(body)] = (body, compressed)
        while len(_kept) > KEPT_BODIES:
            _kept.popitem(last=False)
    return compressed


def encoded(accept_encoding: str | None, body: bytes, gzipped: bytes | None, media_type: str,
            headers: Mapping[str, str] | None = None) -> Response:
    """The body as the client accepts it: the gzipped copy when there is one and gzip is admitted."""
    headers = dict(headers or {})
    headers.setdefault("Vary", "Accept-Encoding")
    if gzipped is not None and accepts_gzip(accept_encoding):
        return Response(gzipped, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(body, media_type=media_type, headers=headers)
