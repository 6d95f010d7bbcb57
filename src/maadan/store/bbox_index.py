"""The envelope index of titles and applications (migration 0016): the condition that lets the
database find the rows whose stored envelope (minx, miny, maxx, maxy) overlaps a box through a
two-dimensional index instead of a scan.

- PostgreSQL: `box(point(minx, miny), point(maxx, maxy)) && box(...)`, the expression the GiST
  index ix_<table>_envelope_box is built on (both boxes closed: touching counts, as in the exact
  test on the columns).
- SQLite: the row's id is among those the R*Tree <table>_rtree finds (kept in step by triggers;
  it stores 32-bit floats rounded outward, so it finds a superset).

`overlaps` alone finds a superset on SQLite; `meets` adds the exact test on the stored envelope."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import and_, column, func, select, table as sql_table, text
from sqlalchemy.orm import Session


def _box(minx: Any, miny: Any, maxx: Any, maxy: Any) -> Any:
    return func.box(func.point(minx, miny), func.point(maxx, maxy))


def overlaps(session: Session, table: Any, bbox: tuple[float, float, float, float]) -> Any:
    """A condition on `table` (title or application) true for every row whose envelope overlaps
    `bbox`, answered by the backend's envelope index."""
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    c = table.c
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        return _box(c.minx, c.miny, c.maxx, c.maxy).op("&&")(_box(minx, miny, maxx, maxy))
    r = _rtree(table)
    return c.id.in_(select(r.c.id).where(r.c.maxx >= minx, r.c.minx <= maxx, r.c.maxy >= miny, r.c.miny <= maxy))


def meets(session: Session, table: Any, bbox: tuple[float, float, float, float]) -> Any:
    """`overlaps` with the exact test on the stored envelope beside it: true for exactly the rows
    whose envelope meets `bbox` (touching counts)."""
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    c = table.c
    return and_(overlaps(session, table, bbox), c.maxx >= minx, c.minx <= maxx, c.maxy >= miny, c.miny <= maxy)


def _rtree(table: Any) -> Any:
    return sql_table(f"{table.name}_rtree", column("id"), column("minx"), column("maxx"), column("miny"), column("maxy"))


_SQLITE_INSIDE = """SELECT group_concat(id) FROM {table}_rtree
WHERE minx >= :minx AND maxx <= :maxx AND miny >= :miny AND maxy <= :maxy"""
_SQLITE_EDGE = """SELECT t.id,
  CASE WHEN (t.minx >= :minx AND t.maxx <= :maxx AND t.miny >= :miny AND t.maxy <= :maxy) OR t.rectangle THEN NULL
       ELSE t.geometry END
FROM {table} t
WHERE t.id IN (SELECT id FROM {table}_rtree
               WHERE maxx >= :minx AND minx <= :maxx AND maxy >= :miny AND miny <= :maxy
                 AND NOT (minx >= :minx AND maxx <= :maxx AND miny >= :miny AND maxy <= :maxy))
  AND t.maxx >= :minx AND t.minx <= :maxx AND t.maxy >= :miny AND t.miny <= :maxy
ORDER BY t.id"""


def sqlite_box_rows(session: Session, table: str, bbox: tuple[float, float, float, float]) -> tuple[np.ndarray, list]:
    """SQLite only, for a box with no other condition: the ids (in no order) of the rows whose
    R*Tree box lies inside `bbox`, and (id, geometry or None) of the rows whose stored envelope
    meets `bbox` without the R*Tree box lying inside, in id order, the geometry given only where
    the envelope is not inside (those need the exact test). The R*Tree's boxes are rounded outward,
    so one inside means the stored envelope is inside too: those rows meet the box with no other
    test, and come back as one joined row rather than a row each (a dense box matches thousands).
    `table` is one of TABLES. Written as SQL text: built as expressions, these two statements cost
    more in Python than SQLite takes to answer them."""
    if table not in TABLES:
        raise ValueError(f"no envelope index on {table!r}")
    params = dict(zip(("minx", "miny", "maxx", "maxy"), (float(v) for v in bbox)))
    joined = session.execute(text(_SQLITE_INSIDE.format(table=table)), params).scalar()
    sure = np.array(joined.split(","), dtype=np.int64) if joined else np.empty(0, dtype=np.int64)
    return sure, session.execute(text(_SQLITE_EDGE.format(table=table)), params).all()


def overlaps_sql(alias: str) -> str:
    """The PostgreSQL condition of `overlaps` as SQL text, for statements written as text (the tile
    query, store/tiles_repository.py): true for the rows of `alias` (a title or application) whose
    envelope overlaps the box given as the parameters :minx, :miny, :maxx, :maxy."""
    return (f"box(point({alias}.minx, {alias}.miny), point({alias}.maxx, {alias}.maxy))"
            " && box(point(:minx, :miny), point(:maxx, :maxy))")


TABLES = ("title", "application")


def own_object(name: str) -> bool:
    """Whether a table or index of that name belongs to this index (migration 0016) rather than to
    the schema in store/tables.py: the R*Tree tables and their shadow tables, the GiST indexes."""
    return any(name.startswith(f"{t}_rtree") or name == f"ix_{t}_envelope_box" for t in TABLES)
