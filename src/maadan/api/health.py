"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import Field
from sqlalchemy import text

from maadan import __version__
from maadan.api.schemas import ApiRoute, Out
from maadan.store import migrate
from maadan.store.database import describe

router = APIRouter(prefix="/api", tags=["health"], route_class=ApiRoute)


class ReplicaOut(Out):
    replica: int = Field(description="1, 2, … in the order of MAADAN_READ_DATABASE_URL")
    up: bool
    replay_lsn: str | None = Field(description="Write-ahead log position replayed")
    lag_bytes: int | None = Field(description="WAL bytes not yet replayed")
    lag_seconds: float | None = Field(description="Seconds since the last replayed transaction while behind; 0 "
                                                  "when caught up")


class HealthOut(Out):
    status: str
    version: str
    database: str = Field(description="SQLite or PostgreSQL")
    schema_revision: str | None
    schema_current: bool
    spatial_index: str = Field(description="cold, warming, warm or failed")
    map_tiles: str = Field(description="The low-zoom vector tiles built at startup (MAADAN_TILE_WARM_ZOOM): cold, "
                                       "warming, warm, partial (stopped at half the tile cache), off or failed")
    warm_up: str = Field(default="running", description="running, or done once the warm-up has ended (well or not): "
                         "`maadan serve --workers N` prefers a worker whose warm-up is done")
    replicas: list[ReplicaOut] = Field(default_factory=list, description="Read replicas (MAADAN_READ_DATABASE_URL), "
                                       "in order: up, and lag behind the primary")


@router.get("/health", summary="Service health: database reachable, schema revision")
def health(request: Request) -> HealthOut:
    engine = request.app.state.engine
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    revision = migrate.current_revision(engine)
    replicas = getattr(request.app.state, "replicas", None)
    return {"status": "ok", "version": __version__, "database": describe(engine).split(" ")[0],
            "schema_revision": revision, "schema_current": revision == migrate.head_revision(),
            "spatial_index": getattr(request.app.state, "spatial_index", "cold"),
            "map_tiles": getattr(request.app.state, "map_tiles", "cold"),
            "warm_up": getattr(request.app.state, "warm_up", "running"),
            "replicas": [{"replica": i, **{k: v for k, v in r.items() if k != "name"}}
                         for i, r in enumerate(replicas.status(engine), 1)] if replicas else []}
