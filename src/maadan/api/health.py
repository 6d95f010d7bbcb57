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


class HealthOut(Out):
    status: str
    version: str
    database: str = Field(description="SQLite or PostgreSQL")
    schema_revision: str | None
    schema_current: bool
    spatial_index: str = Field(description="cold, warming, warm or failed")


@router.get("/health", summary="Service health: database reachable, schema revision")
def health(request: Request) -> HealthOut:
    engine = request.app.state.engine
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    revision = migrate.current_revision(engine)
    return {"status": "ok", "version": __version__, "database": describe(engine).split(" ")[0],
            "schema_revision": revision, "schema_current": revision == migrate.head_revision(),
            "spatial_index": getattr(request.app.state, "spatial_index", "cold")}
