"""Conditional reads: an ETag derived from the register sequence, `If-None-Match` answered with 304
before any body is built, and a Cache-Control that says who may keep the answer.

Every change to the data is recorded in the audit register in the transaction that makes it, so
the register's last sequence number moves with every write, in any process. A tag is that number,
the UTC day (views that depend on the date, such as what is due, change with it), and a digest of
the software version (a new release may draw the same data differently), who is asking and the URL; it is weak (`W/`), since a body may be sent gzip-compressed or not
and carries its own time stamp. Answers are `no-cache`: a client keeps them but asks again each
time, and an unchanged register answers that question with an empty 304 after one `SELECT max(seq)`.

In a route (the tiles and OGC routes, title pages):

    tag = conditional.register_etag(request)
    if (unchanged := conditional.not_modified(request, tag)) is not None:
        return unchanged
    ...                                        # build the response
    return conditional.tagged(response, request, tag)

A coroutine route (OGC items and features, a title by number) takes its tag with
`await register_etag_awaited(request)`: a 304 then needs no trip to the thread pool.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from fastapi import Request
from fastapi.responses import Response

from maadan import __version__
from maadan.http.idempotency import claim_of
from maadan.http.on_the_loop import on_the_loop_or_pool
from maadan.http.replicas import read_engine
from maadan.http.security import identify, identity_is_free
from maadan.store.audit_repository import register_size
from maadan.store.uow import UnitOfWork


def register_sequence(request: Request) -> int:
    """The audit register's last sequence number (0 when empty), read on the request's read engine
    (a replica's own sequence when its data come from one: http/replicas.py `read_engine`): one
    statement outside a transaction, or in the request's held write transaction when it has one.
    With replicas, choosing one may ask how far it has replayed: call this in the thread pool."""
    claim = claim_of(request.scope)
    if claim is None or claim.session is None:
        return register_size(read_engine(request))
    with UnitOfWork(request.app.state.engine, claim=claim) as uow:
        return uow.audit.size()


async def register_sequence_awaited(request: Request) -> int:
    """`register_sequence` for a coroutine: read on the event loop (store/loop_reads.py: awaited
    on PostgreSQL, at once on an SQLite file; no trip to the thread pool); in a held write
    transaction, on an SQLite database in memory, or with read replicas (the sequence is then the
    chosen replica's, and choosing one may ask it), as http/on_the_loop.py allows."""
    claim = claim_of(request.scope)
    reads = getattr(request.app.state, "loop_reads", None)  # they read the primary
    if reads is not None and (claim is None or claim.session is None) \
            and not getattr(request.app.state, "replicas", None):
        return await reads.register_size()
    return await on_the_loop_or_pool(request, register_sequence, request)  # with replicas (PostgreSQL): the pool


async def tag_sequence_awaited(request: Request) -> int:
    """What a tag needs read for a coroutine: the register's sequence, read on the event loop
    (`register_sequence_awaited`), and the viewer. The public is known at once; a token or session
    is looked up as http/on_the_loop.py allows (on SQLite after the warm-up on the loop, else in the
    thread pool)."""
    sequence = await register_sequence_awaited(request)
    if not identity_is_free(request):
        await on_the_loop_or_pool(request, identify, request)
    return sequence


async def register_etag_awaited(request: Request, *extra: object) -> str:
    """`register_etag` for a coroutine (`tag_sequence_awaited`)."""
    return register_etag(request, *extra, sequence=await tag_sequence_awaited(request))


def today() -> str:
    """The UTC day, part of every tag (views such as what is due change with the date)."""
    return datetime.now(timezone.utc).date().isoformat()


def _viewer(request: Request) -> str:
    user = identify(request).user
    return "public" if user is None else f"user:{user.username}:{user.role}"


def register_etag(request: Request, *extra: object, sequence: int | None = None) -> str:
    """A weak ETag for this URL as this viewer sees it at the register's current sequence (or at
    `sequence`, read already by the caller); `extra` adds what else the representation depends on
    (e.g. a tile's zoom)."""
    seq = register_sequence(request) if sequence is None else sequence
    day = today()
    accept = request.headers.get("accept", "")[:200]
    digest = hashlib.sha256("\x00".join(
        [__version__, _viewer(request), request.url.path, request.url.query, accept, *map(str, extra)]).encode()
    ).hexdigest()[:16]
    return f'W/"{seq}-{day}-{digest}"'


def matches(header: str, tag: str) -> bool:
    """If-None-Match uses the weak comparison: W/ prefixes are ignored; `*` matches any."""
    bare = tag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def cache_control(request: Request) -> str:
    return "public, no-cache" if identify(request).user is None else "private, no-cache"


def not_modified(request: Request, tag: str) -> Response | None:
    """An empty 304 when the client's `If-None-Match` holds this tag (GET and HEAD only)."""
    header = request.headers.get("if-none-match")
    if request.method not in ("GET", "HEAD") or not header or not matches(header, tag):
        return None
    return Response(status_code=304, headers={"ETag": tag, "Cache-Control": cache_control(request),
                                              "Vary": "Accept, Accept-Encoding, Authorization, Cookie"})


def tagged(response: Response, request: Request, tag: str) -> Response:
    """The response with its ETag and Cache-Control (a `no-store` already set is kept)."""
    if 200 <= (response.status_code or 200) < 300:  # a route's injected Response has no status yet
        response.headers["ETag"] = tag
        if "no-store" not in response.headers.get("cache-control", ""):
            response.headers["Cache-Control"] = cache_control(request)
        response.headers["Vary"] = "Accept, Accept-Encoding, Authorization, Cookie"
    return response
