"""FastAPI dependencies: the unit of work for a request, paging parameters, and shared aliases."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from maadan.config import Settings
from maadan.http.idempotency import claim_of
from maadan.http.replicas import read_engine
from maadan.store.uow import UnitOfWork

MAX_LIMIT = 1000
T = TypeVar("T")

# The dependencies here (settings, uow, write_uow, paging) are coroutines that do no I/O on the event
# loop: FastAPI runs a plain `def` dependency in its thread pool, and each trip there and back costs a
# request two thread switches.


async def settings(request: Request) -> Settings:
    return request.app.state.settings


def read_unit_of_work(request: Request) -> UnitOfWork:
    """A read unit of work on the app's engine (the schema is checked once at startup), or on a read
    replica when there are some and this client has not just written (http/replicas.py). After a keyed
    write in the same request it reads that write's transaction (http/idempotency.py)."""
    return UnitOfWork(read_engine(request), claim=claim_of(request.scope))


async def uow(request: Request) -> UnitOfWork:
    """The request's read unit of work (`read_unit_of_work`); it opens no connection until used.
    Choosing a read replica may ask one how far it has replayed: that is done in the thread pool."""
    if getattr(request.app.state, "replicas", None):
        return await run_in_threadpool(read_unit_of_work, request)
    return read_unit_of_work(request)


async def write_uow(request: Request) -> UnitOfWork:
    """A write unit of work; with an Idempotency-Key its commit waits for the answer (http/idempotency.py)."""
    return UnitOfWork(request.app.state.engine, write=True, claim=claim_of(request.scope))


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int

    def page(self, items: list[Any], total: int | None = None) -> dict[str, Any]:
        total = len(items) if total is None else total
        window = items[self.offset:self.offset + self.limit] if total == len(items) else items
        return {"total": total, "limit": self.limit, "offset": self.offset, "count": len(window), "items": window}

    def read(self, query: Callable[[int, int], tuple[Sequence[T], int]],
             row: Callable[[T], Any] = lambda item: item) -> dict[str, Any]:
        """The page the store reads itself: `query(limit, offset)` gives this page's items and the total
        of all pages; `row` makes each item a body row."""
        items, total = query(self.limit, self.offset)
        return self.page([row(item) for item in items], total=total)


async def paging(limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = 50,
                 offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")] = 0) -> Paging:
    return Paging(limit, offset)


UoW = Annotated[UnitOfWork, Depends(uow)]
WriteUoW = Annotated[UnitOfWork, Depends(write_uow)]
Page = Annotated[Paging, Depends(paging)]
