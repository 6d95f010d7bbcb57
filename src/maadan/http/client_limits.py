"""Per-client limits on expensive requests (Monte Carlo, reports, screening, spatial checks, uploads).

Each route declares a cost class. A client (the signed-in account, else the client address; see
`http.security.client_address` for proxies) has a token bucket per worker process: MAADAN_CLIENT_RATE
cost units per minute, as a burst of the same size; a compute request costs COMPUTE_COST units, a
spatial one 1. Over it: 429 with Retry-After (when one unit will be back). A client may run at
most PER_CLIENT_CONCURRENCY expensive requests at once (429), and the worker at most
MAADAN_EXPENSIVE_CONCURRENCY of a class at once (503 with Retry-After), so that a few clients
cannot take every core from the rest of the app (the OGC API, the pages). 0 turns a limit off.

Limits are kept in memory, per worker process: with N workers a client gets up to N times the
budget. Behind a reverse proxy, set MAADAN_TRUSTED_PROXIES, or every client shares the proxy's
address and its budget."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import AsyncIterator, Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from maadan.errors import MaadanError
from maadan.http.security import client_address, identify, identity_is_free

COSTS = {"compute": 5.0, "spatial": 1.0}
PER_CLIENT_CONCURRENCY = 2
MAX_CLIENTS = 50_000  # buckets kept; the least recently seen are dropped first


class RetryLater(MaadanError):
    """A refusal that says when to come back (the Retry-After header and details.retry_after_s)."""

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message, details={"retry_after_s": retry_after_s})
        self.headers = {"Retry-After": str(retry_after_s)}


class TooManyRequests(RetryLater):
    status = 429
    code = "too_many_requests"


class ServerBusy(RetryLater):
    status = 503
    code = "busy"


@dataclass
class _Bucket:
    tokens: float
    at: float
    running: int = 0


class ClientLimits:
    """The buckets and counters of one worker process (app.state.client_limits)."""

    def __init__(self, per_minute: float, concurrency: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.concurrency = concurrency
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._running = {k: 0 for k in COSTS}
        self._lock = threading.Lock()

    def acquire(self, client: str, kind: str) -> None:
        """Take the request's cost from the client's bucket and a running slot, or raise."""
        cost = COSTS[kind]
        with self._lock:
            now = self.clock()
            b = self._buckets.pop(client, None) or _Bucket(self.capacity, now)
            self._buckets[client] = b  # most recently seen last
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            if self.capacity:
                b.tokens = min(self.capacity, b.tokens + (now - b.at) * self.rate)
                b.at = now
                if b.tokens < cost:
                    wait = max(1, math.ceil((cost - b.tokens) / self.rate))
                    raise TooManyRequests(f"too many expensive requests from this client; try again in {wait} s "
                                          f"(at most {self.capacity:g} units a minute; this costs {cost:g})", wait)
            if b.running >= PER_CLIENT_CONCURRENCY:
                raise TooManyRequests(f"this client already runs {b.running} expensive requests; wait for them", 1)
            if self.concurrency and self._running[kind] >= self.concurrency:
                raise ServerBusy("the server is busy with other expensive requests; try again in a few seconds", 2)
            if self.capacity:
                b.tokens -= cost
            b.running += 1
            self._running[kind] += 1

    def release(self, client: str, kind: str) -> None:
        with self._lock:
            b = self._buckets.get(client)
            if b is not None and b.running:
                b.running -= 1
            self._running[kind] = max(0, self._running[kind] - 1)


def client_key(request: Request) -> str:
    try:
        user = identify(request).user
    except Exception:  # a bad token is answered by the route's own authentication
        user = None
    if user is not None:
        return f"user:{user.id}"
    return f"addr:{client_address(request) or '-'}"


def limited(kind: str) -> Callable[[Request], AsyncIterator[None]]:
    """A dependency that holds the request to the `kind` limits while the route runs."""
    if kind not in COSTS:
        raise ValueError(f"limited: kind must be one of {sorted(COSTS)}")

    async def dependency(request: Request) -> AsyncIterator[None]:
        limits: ClientLimits | None = getattr(request.app.state, "client_limits", None)
        if limits is None:
            yield
            return
        key = client_key(request) if identity_is_free(request) else await run_in_threadpool(client_key, request)
        limits.acquire(key, kind)
        try:
            yield
        finally:
            limits.release(key, kind)

    dependency.__name__ = f"limited_{kind}"
    return dependency


RESPONSES = {429: {"description": "Too many expensive requests from this client: wait Retry-After seconds"},
             503: {"description": "The server is busy with other expensive requests: retry after Retry-After"}}
