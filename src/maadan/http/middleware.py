"""ASGI middleware: a request-body size limit, refusal of NUL characters in text, a limit on how deep
JSON bodies nest, and one structured log line per request."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid

import numpy as np

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("maadan.requests")


class BodyLimit:
    """Refuse request bodies above `limit` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"error": "payload_too_large", "message": f"the request body is larger than {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RejectNul:
    """Refuse text that holds the NUL character (U+0000) with 422, the same on every backend (PostgreSQL
    cannot store it in text; SQLite can, which would make the two stores disagree). Looks at the path,
    the query string and JSON or form bodies; multipart uploads are files and may hold any byte."""

    TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded")

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"").lower():
            await _nul(send, "the address", scope)
            return
        ctype = dict(scope.get("headers") or []).get(b"content-type", b"").lower()
        if not (ctype.startswith(self.TEXT_BODIES) or b"+json" in ctype.split(b";")[0]):
            await self.app(scope, receive, send)
            return
        body, again = await read_body(receive)
        if body is None:  # cut short: the app sees the disconnect
            await self.app(scope, again, send)
            return
        if b"\x00" in body or b"\\u0000" in body or (ctype.startswith(b"application/x-www") and b"%00" in body.lower()):
            await _nul(send, "the request body", scope)
            return
        await self.app(scope, again, send)


async def read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The request body read to its end, and a `receive` that gives the app the same messages again: the
    whole body, then whatever `receive` gives next. A body cut short (a disconnect) is None, and the
    `receive` replays the disconnect. Every middleware that looks at bodies reads them with this."""
    chunks, more = [], True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None, replay_body([message])
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    return body, replay_body([{"type": "http.request", "body": body, "more_body": False}], receive)


def replay_body(messages: list[Message], then: Receive | None = None) -> Receive:
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _nul(send: Send, where: str, scope: Scope) -> None:
    status = 400 if scope["path"].startswith("/ogc") else 422  # OGC API answers bad parameters with 400
    await send_json(send, status, {"error": "invalid_input", "details": {"where": where},
                                    "message": f"{where} holds a NUL character (U+0000), which text may not contain"})


async def send_json(send: Send, status: int, payload: dict, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


MAX_JSON_DEPTH = 64  # Maadan's deepest body (a GeoJSON area in a request) nests about 10 levels
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # "unrolled": linear, no per-character alternation


def json_depth(body: bytes) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings do not count), in one
    pass at C speed: the parser would recurse once per level and run out of stack on 100,000."""
    if not body.count(b"[") + body.count(b"{"):
        return 0
    code = np.frombuffer(_JSON_STRING.sub(b'""', body), dtype=np.uint8)
    step = ((code == 91) | (code == 123)).astype(np.int32) - ((code == 93) | (code == 125))  # [{ and ]}
    return int(np.cumsum(step).max(initial=0))


class JsonDepthLimit:
    """Refuse JSON bodies that nest deeper than MAX_JSON_DEPTH with 422, before any parser recurses
    into them (100,000 nested arrays were a RecursionError, a 500)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_JSON_DEPTH):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctype = dict(scope.get("headers") or []).get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["type"] != "http" or not (ctype == b"application/json" or ctype.endswith(b"+json")):
            await self.app(scope, receive, send)
            return
        body, again = await read_body(receive)
        if body is None:  # cut short: the app sees the disconnect
            await self.app(scope, again, send)
            return
        # A text with no more brackets than the limit cannot nest deeper: most bodies are measured no further.
        depth = json_depth(body) if body.count(b"[") + body.count(b"{") > self.limit else 0
        if depth > self.limit:
            status = 400 if scope["path"].startswith("/ogc") else 422
            await send_json(send, status, {"error": "invalid_input", "details": {"depth": depth, "limit": self.limit},
                                            "message": f"body: the JSON nests {depth} levels deep; at most "
                                                       f"{self.limit} are read"})
            return
        await self.app(scope, again, send)


REQUEST_ID = "maadan.request_id"  # the request's id in the ASGI scope
REQUEST_ID_HEADER = b"x-request-id"
_GIVEN_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("maadan_request_id", default=None)


def request_id(scope: Scope) -> str | None:
    """The id of this request (also in its X-Request-ID answer header and its log lines)."""
    return scope.get(REQUEST_ID)


class RequestLog:
    """One JSON line per request: method, path, status, duration, client and request id. The id is the
    proxy's X-Request-ID when that is a plain token (letters, digits, . _ : -, at most 128), else a new
    one; every answer carries it in X-Request-ID, and error pages show it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500
        given = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER, b"")
        rid = given.decode() if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        scope[REQUEST_ID] = rid
        token = current_request_id.set(rid)

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*(h for h in message.get("headers", [])
                                                    if h[0].lower() != REQUEST_ID_HEADER),
                                                  (REQUEST_ID_HEADER, rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            client = scope.get("client") or ("-", 0)
            log.info(json.dumps({"method": scope["method"], "path": scope["path"], "status": status,
                                 "ms": round((time.perf_counter() - start) * 1000, 2), "client": client[0],
                                 "request_id": rid}))
            current_request_id.reset(token)
