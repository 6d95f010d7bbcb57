"""Reads on replicas, read-your-writes on the primary (issue 18 item 3).

With MAADAN_READ_DATABASE_URL set, a GET or HEAD is answered from a streaming replica, unless its
client has just written: every answer to a write (POST, PUT, PATCH, DELETE) carries the primary's
write-ahead log position after it, as the `maadan_lsn` cookie (browsers) and the `X-Maadan-LSN`
header (API clients send it back as `X-Maadan-Min-LSN`). A read that brings a position is answered
from a replica only once that replica has replayed past it, else from the primary: whoever files
an application or decides one sees it at once, everyone else reads the replicas. Writes, and reads
inside a keyed write, always use the primary. Without replicas nothing here does anything."""

from __future__ import annotations

import anyio
from fastapi import Request
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maadan.http.idempotency import claim_of
from maadan.store.replicas import format_lsn, parse_lsn, primary_lsn

COOKIE = "maadan_lsn"
HEADER = "x-maadan-min-lsn"
ANSWER_HEADER = b"x-maadan-lsn"
COOKIE_AGE = 600  # seconds: far beyond any healthy replica's lag
READS = ("GET", "HEAD")


_PICKED = "maadan.read_engine"  # the request scope's key for the engine its reads use


def read_engine(request: Request) -> Engine:
    """The engine a read of this request uses: a replica when one is up and current enough, else the
    primary. Chosen once a request: its tag's register sequence (http/conditional.py) and its data
    are then read from the same database, so a tag never names a state newer than the data it
    labels (a lagging replica's page under the primary's sequence would be answered 304 once the
    replica caught up, keeping the old page until the next write)."""
    primary = request.app.state.engine
    replicas = getattr(request.app.state, "replicas", None)
    if not replicas or request.method not in READS or claim_of(request.scope) is not None:
        return primary
    picked = request.scope.get(_PICKED)
    if picked is not None:
        return picked
    wanted = parse_lsn(request.headers.get(HEADER))
    if wanted is None:
        wanted = parse_lsn(request.cookies.get(COOKIE))
    engine = replicas.pick(wanted)
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.reads.labels("replica" if engine is not None else "primary").inc()
    request.scope[_PICKED] = engine or primary
    return engine or primary


class ReadYourWrites:
    """ASGI middleware: after a write, tell the writer the primary's position (cookie and header)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope.get("app")
        if scope["type"] != "http" or scope["method"] in READS or app is None \
                or not getattr(app.state, "replicas", None):
            await self.app(scope, receive, send)
            return
        secure = app.state.settings.production  # as the session cookie

        async def tell(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 500:
                lsn = await anyio.to_thread.run_sync(primary_lsn, app.state.engine)
                if lsn is not None:
                    value = format_lsn(lsn)
                    cookie = f"{COOKIE}={value}; Max-Age={COOKIE_AGE}; Path=/; HttpOnly; SameSite=Lax"
                    message["headers"] = [*message.get("headers", []), (ANSWER_HEADER, value.encode()),
                                          (b"set-cookie", (cookie + ("; Secure" if secure else "")).encode())]
            await send(message)

        await self.app(scope, receive, tell)
