"""What vector tiles read from the store: every feature of a tiled collection with its tile
properties (for the in-process encoder, ogc/tiles.py), and on PostgreSQL with PostGIS one tile
built by the database itself (`ST_AsMVT` over `ST_AsMVTGeom`).

Both read the same rows and make the same properties as `cadastre.views.tile_properties`
(number, type, state, holder names joined in order, synthetic); the integration tests decode a
tile from each and compare them. Geometries are stored as lon/lat WKB; PostGIS parses and
projects them to Web Mercator (EPSG:3857) per request, after a filter on the stored envelope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from maadan.store import tables as t

LAYERS = ("titles", "applications", "reserved-areas")  # the stored ones; boundaries are bundled files


@dataclass(frozen=True)
class TileQuery:
    """One tile as PostGIS builds it: its address, its lon/lat envelope (with the buffer) for the
    index filter, and the encoder's parameters in tile units and metres."""

    layer: str
    z: int
    x: int
    y: int
    lonlat: tuple[float, float, float, float]
    extent: int
    buffer: int
    min_size_m: float  # below this width or height a polygon is drawn as a point
    simplify_m: float


def _holder_names(session: Session, column) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    q = select(column, t.holder.c.name).where(column.is_not(None)).order_by(column, t.holder.c.position)
    for owner, name in session.execute(q):
        out.setdefault(owner, []).append(name)
    return out


# Per layer: the rows as (id, geometry, number, type, state, synthetic) or the reserved areas' own.
_SQL_FEATURES = {
    "titles": """
        SELECT t.id, t.geometry, t.number AS number, t.title_type AS type, t.state AS state, t.synthetic AS synthetic,
               (SELECT string_agg(h.name, '; ' ORDER BY h.position) FROM holder h WHERE h.title_id = t.id) AS holder
        FROM title t
        WHERE t.maxx >= :minx AND t.minx <= :maxx AND t.maxy >= :miny AND t.miny <= :maxy""",
    "applications": """
        SELECT a.id, a.geometry, a.jurisdiction || '/A' || a.number::text AS number, a.title_type AS type,
               a.state AS state, a.synthetic AS synthetic,
               (SELECT string_agg(h.name, '; ' ORDER BY h.position) FROM holder h WHERE h.application_id = a.id)
                   AS holder
        FROM application a
        WHERE a.state IN :states
          AND a.maxx >= :minx AND a.minx <= :maxx AND a.maxy >= :miny AND a.miny <= :maxy""",
    "reserved-areas": """
        SELECT r.id, r.geometry, r.name AS name, r.kind AS kind, r.jurisdiction AS jurisdiction,
               r.source AS source, r.synthetic AS synthetic
        FROM reserved_area r
        WHERE r.maxx >= :minx AND r.minx <= :maxx AND r.maxy >= :miny AND r.miny <= :maxy""",
}
_PROPERTIES = {
    "titles": "number, type, state, holder, synthetic",
    "applications": "number, type, state, holder, synthetic",
    "reserved-areas": "name, kind, jurisdiction, source, synthetic",
}
# A polygon narrower or shorter than min_size_m is drawn as the centre of its envelope, so that
# nothing vanishes at low zoom (the grid would collapse it); larger ones are simplified, clipped to the buffered tile and
# snapped to its grid. The in-process encoder (ogc/tiles.py) makes the same choice.
_SQL_TILE = """
WITH f AS ({features}),
g AS (SELECT f.*, ST_Transform(ST_SetSRID(ST_GeomFromWKB(f.geometry), 4326), 3857) AS merc FROM f),
m AS (
  SELECT {properties}, id,
         CASE WHEN ST_XMax(merc) - ST_XMin(merc) < :min_size OR ST_YMax(merc) - ST_YMin(merc) < :min_size
              THEN ST_AsMVTGeom(ST_Centroid(ST_Envelope(merc)), ST_TileEnvelope(:z, :x, :y), :extent, :buffer, true)
              ELSE ST_AsMVTGeom(ST_SimplifyPreserveTopology(merc, :simplify), ST_TileEnvelope(:z, :x, :y),
                                :extent, :buffer, true)
         END AS mvtgeom
  FROM g
)
SELECT ST_AsMVT(m.*, :layer, :extent, 'mvtgeom', 'id') FROM m WHERE mvtgeom IS NOT NULL
"""


class TileRepository:
    def __init__(self, session: Session):
        self.s = session

    def postgis(self) -> bool:
        """Whether this store can build tiles itself: PostgreSQL with the PostGIS extension."""
        if self.s.get_bind().dialect.name != "postgresql":
            return False
        return bool(self.s.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first())

    def mvt(self, q: TileQuery, application_states: Iterable[str]) -> bytes:
        """The tile of one layer as PostGIS encodes it (b"" when no feature touches it)."""
        sql = text(_SQL_TILE.format(features=_SQL_FEATURES[q.layer], properties=_PROPERTIES[q.layer]))
        params: dict[str, Any] = {
            "z": q.z, "x": q.x, "y": q.y, "extent": q.extent, "buffer": q.buffer, "min_size": q.min_size_m,
            "simplify": q.simplify_m, "layer": q.layer,
            "minx": q.lonlat[0], "miny": q.lonlat[1], "maxx": q.lonlat[2], "maxy": q.lonlat[3]}
        if q.layer == "applications":
            from sqlalchemy import bindparam

            sql = sql.bindparams(bindparam("states", expanding=True))
            params["states"] = sorted(application_states)
        value = self.s.execute(sql, params).scalar()
        return bytes(value) if value else b""

    def features(self, layer: str, application_states: Iterable[str]) -> list[tuple[int, bytes, dict[str, Any]]]:
        """Every feature of a stored layer as (id, lon/lat WKB, raw values): for titles and
        applications (number, type, state, holder names, synthetic), for reserved areas their
        name, kind, jurisdiction, source and synthetic flag."""
        if layer == "titles":
            c = t.title.c
            names = _holder_names(self.s, t.holder.c.title_id)
            rows = self.s.execute(select(c.id, c.geometry, c.number, c.title_type, c.state, c.synthetic)
                                  .order_by(c.id))
            return [(r.id, r.geometry, {"number": r.number, "type": r.title_type, "state": r.state,
                                        "holders": names.get(r.id, []), "synthetic": bool(r.synthetic)})
                    for r in rows]
        if layer == "applications":
            c = t.application.c
            names = _holder_names(self.s, t.holder.c.application_id)
            rows = self.s.execute(select(c.id, c.geometry, c.jurisdiction, c.number, c.title_type, c.state,
                                         c.synthetic).where(c.state.in_(sorted(application_states))).order_by(c.id))
            return [(r.id, r.geometry, {"number": f"{r.jurisdiction}/A{r.number}", "type": r.title_type,
                                        "state": r.state, "holders": names.get(r.id, []),
                                        "synthetic": bool(r.synthetic)}) for r in rows]
        if layer == "reserved-areas":
            c = t.reserved_area.c
            rows = self.s.execute(select(c.id, c.geometry, c.name, c.kind, c.jurisdiction, c.source, c.synthetic)
                                  .order_by(c.id))
            return [(r.id, r.geometry, {"name": r.name, "kind": r.kind, "jurisdiction": r.jurisdiction,
                                        "source": r.source, "synthetic": bool(r.synthetic)}) for r in rows]
        raise ValueError(f"no stored tile layer {layer!r}")


REPOSITORIES = {"tiles": TileRepository}  # collected by store/uow.py
