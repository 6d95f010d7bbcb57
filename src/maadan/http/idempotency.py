"""Exactly-once writes over HTTP (issue 18), after the IETF draft "The Idempotency-Key HTTP Header Field".

A write (POST, PUT, PATCH, DELETE) may carry `Idempotency-Key: <key>` (1-255 visible ASCII characters; a
quoted structured-field string is read too). Web forms send the same as a hidden field `idempotency_key`
(`form_key()` makes one). The first request with a key runs; its write, the key and the answer it gets
are committed in one transaction (`store/idempotency.py`), before the answer is sent. A retry of that
request with the same key (from the same client) gets the stored answer again, byte for byte, with
`Idempotent-Replayed: true`: the same application number and receipt time. The same key with a different
request is a 409; a request whose key is still being processed by another one, a 409 too (the retry after
it gets the answer). A request that wrote nothing (a 4xx before the write) stores nothing and may be
retried as it is. Keys are kept for MAADAN_IDEMPOTENCY_HOURS.

Not keyed: the sign-in and sign-out exchanges (their answers are credentials; signing in twice is harmless).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

from anyio import to_thread
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from maadan.http.errors import DATABASE_DOWN, database_unavailable, log_database_down
from maadan.http.middleware import read_body, request_id, send_json
from maadan.http.security import SESSION_COOKIE
from maadan.store.idempotency import Claim, Stored, lookup

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
SCOPE_KEY = "maadan.idempotency"  # where the request's Claim sits in the ASGI scope (see http/deps.py)
ROUTE_KEY = "maadan.route"  # a replayed answer's route template, for http/metrics.py
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOT_KEYED = frozenset({"/api/auth/token", "/api/auth/logout", "/login", "/logout"})
REPLAYED = "Idempotent-Replayed"
_KEY = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,255}")  # visible ASCII but " and \
_NOT_STORED = {"set-cookie", "date", "server", "x-request-id"}

log = logging.getLogger("maadan.requests")


def form_key() -> str:
    """A fresh key for a web form's hidden `idempotency_key` field (one per form shown)."""
    return str(uuid.uuid4())


def _count(scope: Scope, outcome: str) -> None:
    metrics = getattr(scope["app"].state, "metrics", None) if scope.get("app") is not None else None
    if metrics is not None:
        metrics.idempotency_outcome(outcome)


def claim_of(scope: Scope) -> Claim | None:
    """The idempotency claim of this request, if it carries a key."""
    return scope.get(SCOPE_KEY)


def parse_key(raw: str) -> str | None:
    """The key of a header value or form field, or None when it is not one."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value if _KEY.fullmatch(value) else None


def fingerprint(scope: Scope, content_type: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode("utf-8", "surrogateescape"),
                 scope.get("query_string", b""), content_type.split(b";")[0].strip().lower()):
        digest.update(part + b"\x00")
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        # the form's CSRF token changes with every page shown; the rest is the request
        fields = sorted((k, v) for k, v in parse_qs(body.decode("latin-1"), keep_blank_values=True).items()
                        if k not in ("csrf_token", FORM_FIELD))
        digest.update(json.dumps(fields).encode())
    else:
        digest.update(body)
    return digest.hexdigest()


def owner(headers: dict[bytes, bytes]) -> str:
    """Whose key it is: a digest of the credential the request carries (keys are per client)."""
    auth = headers.get(b"authorization")
    if auth:
        credential = b"authorization:" + auth
    else:
        session = cookie_parser(headers.get(b"cookie", b"").decode("latin-1")).get(SESSION_COOKIE)
        credential = b"session:" + session.encode() if session else b"public"
    return hashlib.sha256(credential).hexdigest()


class Idempotency:
    """ASGI middleware: replays stored answers, and commits a keyed write with its answer."""

    def __init__(self, app: ASGIApp, hours: int = 24):
        self.app, self.ttl = app, timedelta(hours=hours)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES or scope["path"] in NOT_KEYED:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        sent = [v for k, v in scope.get("headers") or [] if k == b"idempotency-key"]
        ctype = headers.get(b"content-type", b"").lower()
        if not sent and not ctype.startswith(b"application/x-www-form-urlencoded"):
            await self.app(scope, receive, send)
            return
        body, again = await read_body(receive)
        if body is None:  # cut short: the app sees the disconnect
            await self.app(scope, again, send)
            return
        if not sent:  # a form: its hidden field, if it has one
            sent = [v.encode("latin-1") for v in parse_qs(body.decode("latin-1")).get(FORM_FIELD, [])[:2]]
            if not sent:
                await self.app(scope, again, send)
                return
        if len(sent) > 1:
            _count(scope, "malformed")
            await _bad_key(send, "send one Idempotency-Key, not several")
            return
        key = parse_key(sent[0].decode("latin-1"))
        if key is None:
            _count(scope, "malformed")
            await _bad_key(send, "an Idempotency-Key is 1 to 255 visible ASCII characters without quotes or "
                                 "backslashes, e.g. a UUID")
            return
        engine = scope["app"].state.engine
        claim = Claim(owner(headers), key, fingerprint(scope, ctype, body), scope["method"], scope["path"],
                      self.ttl)
        try:
            await self._keyed(scope, again, send, engine, claim, key)
        except _Answered:
            return

    async def _keyed(self, scope: Scope, again: Receive, send: Send, engine: Any, claim: Claim, key: str) -> None:
        """The keyed write: its stored answer, or the app's, kept with the write when it commits."""
        stored = await _looked_up(scope, send, engine, claim, key)
        if stored is not None:
            await _answer_stored(scope, send, stored, claim)
            return
        scope[SCOPE_KEY] = claim
        answer: list[Message] = []

        async def buffer(message: Message) -> None:
            answer.append(message)

        try:
            await self.app(scope, again, buffer)
        except BaseException:
            claim.release()  # a failure: the held write, if any, is rolled back
            raise
        if claim.lost:  # the other request with this key has committed: its answer is the answer
            stored = await _looked_up(scope, send, engine, claim, key)
            if stored is not None:
                await _answer_stored(scope, send, stored, claim)
                return
            _count(scope, "in_use")
        elif claim.session is None and _status(answer) >= 400:
            # No write of ours, an error: perhaps because the request with this key that was still running
            # when we looked has committed meanwhile (a retry racing its original: "already accepted").
            # Its answer is the answer; never the error its own success caused.
            stored = await _looked_up(scope, send, engine, claim, key)
            if stored is not None:
                await _answer_stored(scope, send, stored, claim)
                return
        elif claim.session is not None:
            start = next(m for m in answer if m["type"] == "http.response.start")
            kept = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", [])
                    if k.decode("latin-1").lower() not in _NOT_STORED]
            content = b"".join(m.get("body", b"") for m in answer if m["type"] == "http.response.body")
            try:
                route = getattr(scope.get("route"), "path", None)
                await to_thread.run_sync(claim.finish, start["status"], kept, content, route)
                _count(scope, "stored")
            except Exception:
                _count(scope, "not_committed")  # the write is not durable: say so, never send its receipt
                log.exception("a keyed write could not be committed")
                await send_json(send, 503, {"error": "not_committed", "details": {"header": HEADER},
                                            "message": "the write could not be committed; nothing was written. "
                                                       "Send the request again with the same Idempotency-Key"})
                return
        for message in answer:
            await send(message)


class _Answered(Exception):
    """The database was down when a keyed write looked for its stored answer: 503 was sent."""


async def _looked_up(scope: Scope, send: Send, engine: Any, claim: Claim, key: str) -> Stored | None:
    """The stored answer for this key, if any. A database that is down is answered 503 here (past
    the app's exception handlers, the server would also log a traceback) and raises _Answered."""
    try:
        return await to_thread.run_sync(lookup, engine, claim.owner, key)
    except (OperationalError, InterfaceError) as exc:
        if not database_unavailable(exc):
            raise
        log_database_down(scope["method"], scope["path"], request_id(scope), exc)
        await send_json(send, 503, DATABASE_DOWN, ((b"retry-after", b"5"),))
        raise _Answered() from None


def _status(answer: list[Message]) -> int:
    return next((m["status"] for m in answer if m["type"] == "http.response.start"), 500)


async def _answer_stored(scope: Scope, send: Send, stored: Stored, claim: Claim) -> None:
    _count(scope, "replayed" if stored.fingerprint == claim.fingerprint else "reused")
    if stored.fingerprint != claim.fingerprint:
        await send_json(send, 409, {"error": "idempotency_key_reused", "details": {"header": HEADER},
                                    "message": "this Idempotency-Key was used with a different request; "
                                               "use a new key for a new request"})
        return
    scope[ROUTE_KEY] = stored.route
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
    headers.append((REPLAYED.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


async def _bad_key(send: Send, message: str) -> None:
    await send_json(send, 400, {"error": "invalid_idempotency_key", "details": {"header": HEADER},
                                "message": message})
