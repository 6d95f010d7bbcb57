"""The bare endpoint: an answer through the whole middleware stack that touches no database and no
index, and runs on the event loop (no trip to the thread pool: round 20; it took one before). Load
balancers may use it for liveness; `bench/api.py` uses it as the ceiling every other route's
throughput is compared with (the same server, workers and client)."""

from __future__ import annotations

from fastapi import APIRouter

from maadan.api.schemas import ApiRoute, Out

router = APIRouter(prefix="/api", tags=["health"], route_class=ApiRoute)


class PingOut(Out):
    status: str


@router.get("/ping", summary="Liveness without the database (the bare endpoint of the benchmarks)")
async def ping() -> PingOut:
    return {"status": "ok"}
