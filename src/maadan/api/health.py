"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import text

from maadan import __version__
from maadan.store import migrate
from maadan.store.database import describe

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Service health: database reachable, schema revision")
def health(request: Request) -> dict:
    engine = request.app.state.engine
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    revision = migrate.current_revision(engine)
    return {"status": "ok", "version": __version__, "database": describe(engine).split(" ")[0],
            "schema_revision": revision, "schema_current": revision == migrate.head_revision(),
            "spatial_index": getattr(request.app.state, "spatial_index", "cold")}
