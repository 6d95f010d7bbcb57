"""What vector tiles read from the store: every feature of a tiled collection with its tile
properties (for the in-process encoder, ogc/tiles.py), and on PostgreSQL with PostGIS one tile
built by the database itself (`ST_AsMVT`; rectangles along the axes and dots put in tile units
by the query, other shapes by `ST_AsMVTGeom`).

Both read the same rows and make the same properties as `cadastre.views.tile_properties`
(number, type, state, holder names joined in order, synthetic); the integration tests decode a
tile from each and compare them. Geometries are stored as lon/lat WKB, their envelopes in lon/lat
and, on PostgreSQL, in Web Mercator too (store/mercator_envelope.py); the statement reads the
Mercator envelopes, or parses and projects the shapes that are not rectangles, after a filter on the
lon/lat envelope that its GiST index answers (store/bbox_index.py; titles and applications). Without it the
planner ranged over a B-tree on the envelope's columns: at 100,000 titles the median tile over
Chagai took 43-74 ms in process at z8, z12 and z14 alike; with it 17-22, 3.3 and 1.7 ms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from maadan.store import bbox_index, mercator_envelope, tables as t
from maadan.store.database import driver_errors

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
    properties: tuple[str, ...] = ()  # the attributes the tile carries (all the layer's when empty)


# Per layer: the rows as (id, geometry, rectangle, envelope in Web Mercator metres, number, type, state,
# synthetic) or the reserved areas' own. The Mercator envelope is PostgreSQL's generated columns
# (store/mercator_envelope.py); the filter is on the stored lon/lat one, which the GiST index answers.
_SQL_FEATURES = {
    "titles": """
        SELECT t.id, t.geometry, t.rectangle, """ + mercator_envelope.select_sql("t") + """, t.number AS number, t.title_type AS type, t.state AS state, t.synthetic AS synthetic,
               (SELECT string_agg(h.name, '; ' ORDER BY h.position) FROM holder h WHERE h.title_id = t.id) AS holder
        FROM title t
        WHERE """ + bbox_index.overlaps_sql("t") + """
          AND t.maxx >= :minx AND t.minx <= :maxx AND t.maxy >= :miny AND t.miny <= :maxy""",
    "applications": """
        SELECT a.id, a.geometry, a.rectangle, """ + mercator_envelope.select_sql("a") + """, a.jurisdiction || '/A' || a.number::text AS number, a.title_type AS type,
               a.state AS state, a.synthetic AS synthetic,
               (SELECT string_agg(h.name, '; ' ORDER BY h.position) FROM holder h WHERE h.application_id = a.id)
                   AS holder
        FROM application a
        WHERE a.state = ANY(:states) AND """ + bbox_index.overlaps_sql("a") + """
          AND a.maxx >= :minx AND a.minx <= :maxx AND a.maxy >= :miny AND a.miny <= :maxy""",
    "reserved-areas": """
        SELECT r.id, r.geometry, r.rectangle, """ + mercator_envelope.select_sql("r") + """, r.name AS name, r.kind AS kind, r.jurisdiction AS jurisdiction,
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
# nothing vanishes at low zoom (the grid would collapse it). Its envelope in Web Mercator is the
# stored one (the lon/lat one projected: the projection keeps x and y apart and in order), so such a
# feature costs no geometry parsing. Larger ones are drawn in one of two ways:
# - a rectangle along the meridians and parallels (a graticular block, most of a mining cadastre;
#   flagged on every write, store/tables.py `rectangle`) is that projected envelope, and its
#   geometry is not parsed either (parsing it to compare areas cost 3-4 ms of the densest z8 tile);
# - any other shape is parsed, projected, simplified, then clipped to the buffered tile and snapped
#   to its grid by ST_AsMVTGeom.
# Points and rectangles are moved to tile units, snapped and clipped here, as the in-process encoder
# does (`tiles.encode`): ST_AsMVTGeom cost ~3.5 µs a feature, a third of the densest z8 tile's query
# at 100,000 titles. A rectangle's ring runs from its top-left corner right, down and left (positive
# area with y down, as MVT 2.1 asks of an exterior ring). A feature left with nothing (a point
# outside the buffered tile, a rectangle clipped to a line, a shape the grid collapses) has a NULL
# geometry, which ST_AsMVT leaves out (a WHERE on it evaluated every geometry twice). Features go
# in id order.
_UNIT = "greatest(-:buffer, least(:extent + :buffer, round({v})))"  # tile units, snapped and clipped
_SQL_TILE = """
WITH f AS ({features}),
t AS (
  SELECT ST_XMin(e) AS tx, ST_YMax(e) AS ty, :extent / (ST_XMax(e) - ST_XMin(e)) AS scale
  FROM ST_TileEnvelope({z}, {x}, {y}) AS e
),
u AS (
  SELECT f.*, x1 - x0 < :min_size OR y1 - y0 < :min_size AS small,
         round(((x0 + x1) / 2 - t.tx) * t.scale) AS px, round((t.ty - (y0 + y1) / 2) * t.scale) AS py,
         """ + _UNIT.format(v="(x0 - t.tx) * t.scale") + """ AS ux0, """ + _UNIT.format(v="(x1 - t.tx) * t.scale") + """ AS ux1,
         """ + _UNIT.format(v="(t.ty - y1) * t.scale") + """ AS uy0, """ + _UNIT.format(v="(t.ty - y0) * t.scale") + """ AS uy1
  FROM f, t
),
m AS (
  SELECT {properties}, id,
         CASE WHEN small
              THEN CASE WHEN px BETWEEN -:buffer AND :extent + :buffer AND py BETWEEN -:buffer AND :extent + :buffer
                        THEN ST_MakePoint(px, py) END
              WHEN rectangle
              THEN CASE WHEN ux1 > ux0 AND uy1 > uy0 THEN ST_Reverse(ST_MakeEnvelope(ux0, uy0, ux1, uy1)) END
              ELSE ST_AsMVTGeom(ST_SimplifyPreserveTopology(
                                  ST_Transform(ST_SetSRID(ST_GeomFromWKB(geometry), 4326), 3857), :simplify),
                                ST_TileEnvelope({z}, {x}, {y}), :extent, :buffer, true)
         END AS mvtgeom
  FROM u
)
SELECT ST_AsMVT(m.*, :layer, :extent, 'mvtgeom', 'id' ORDER BY m.id) FROM m
"""


def _tile_sql(q: TileQuery, application_states: Iterable[str], prefix: str = "") -> tuple[Any, dict[str, Any]]:
    properties = ", ".join(q.properties) if q.properties else _PROPERTIES[q.layer]
    # The tile's address is written into the statement (whole numbers, from the parsed address), so
    # each tile's statement is its own: psycopg prepares a statement run 5 times on a connection, and
    # PostgreSQL then plans it once for any parameters; that generic plan built the densest z8 tiles in
    # 90-145 ms against 40-76 ms planned for their own parameters (and folds the tile envelope).
    sql = text(prefix + _SQL_TILE.format(features=_SQL_FEATURES[q.layer], properties=properties,
                                         z=int(q.z), x=int(q.x), y=int(q.y)))
    params: dict[str, Any] = {
        "extent": q.extent, "buffer": q.buffer, "min_size": q.min_size_m,
        "simplify": q.simplify_m, "layer": q.layer,
        "minx": q.lonlat[0], "miny": q.lonlat[1], "maxx": q.lonlat[2], "maxy": q.lonlat[3]}
    if q.layer == "applications":
        params["states"] = sorted(application_states)  # a list: psycopg sends it as an array
    return sql, params


def explain_sql(q: TileQuery, application_states: Iterable[str]) -> tuple[Any, dict[str, Any]]:
    """`EXPLAIN` of the tile query and its parameters (the tests check its plan)."""
    return _tile_sql(q, application_states, prefix="EXPLAIN ")


class TileRepository:
    def __init__(self, session: Session):
        self.s = session

    def postgis(self) -> bool:
        """Whether this store can build tiles itself: PostgreSQL with the PostGIS extension."""
        if self.s.get_bind().dialect.name != "postgresql":
            return False
        return bool(self.s.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first())

    def mvt(self, q: TileQuery, application_states: Iterable[str]) -> bytes:
        """The tile of one layer as PostGIS encodes it (b"" when no feature touches it).

        Asked on the session's connection for a result in binary form: as text, a bytea comes as
        hex, twice its size, for psycopg to decode (the densest z8 tile at 100,000 titles, 610 KiB:
        3.5-4 ms of a 35 ms query). Never prepared (see `_tile_sql`); JIT is off (store/database.py)."""
        sql, params = _tile_sql(q, application_states)
        statement = str(sql.compile(dialect=self.s.get_bind().dialect))
        conn = self.s.connection()
        raw = conn.connection.driver_connection
        with driver_errors(conn.dialect, statement, raw, conn.invalidate), raw.cursor(binary=True) as cur:
            cur.execute(statement, params, prepare=False)
            row = cur.fetchone()
        return bytes(row[0]) if row and row[0] else b""

    def spatial_versions(self) -> dict[str, int]:
        """Each jurisdiction's spatial version: any write of a title's, application's or reserved
        area's ground, state or holders moves its jurisdiction's (cadastre_repository `_touch`)."""
        rows = self.s.execute(select(t.cadastre_counter.c.jurisdiction, t.cadastre_counter.c.spatial_version))
        return {j: int(v or 0) for j, v in rows}

    def titles_bounds(self) -> tuple[float, float, float, float] | None:
        """The lon/lat envelope of every title (None when there is none): the map's first view."""
        c = t.title.c
        row = self.s.execute(select(func.min(c.minx), func.min(c.miny), func.max(c.maxx), func.max(c.maxy))).one()
        return None if row[0] is None else (float(row[0]), float(row[1]), float(row[2]), float(row[3]))

    def features(self, layer: str, application_states: Iterable[str],
                 keys: Iterable[str] | None = None) -> list[tuple[int, str, bytes, dict[str, Any]]]:
        """Every feature of a stored layer (or those whose key is in `keys`) as (id, key, lon/lat
        WKB, raw values), in id order. The key names a feature in the spatial change log's terms:
        a title's number, an application's "jurisdiction/Anumber", a reserved area's
        "jurisdiction:name". Raw values: for titles and applications number, type, state, holder
        names and synthetic; for reserved areas name, kind, jurisdiction, source and synthetic."""
        wanted = None if keys is None else set(keys)
        if wanted is not None and not wanted:
            return []
        if layer == "titles":
            c = t.title.c
            q = select(c.id, c.geometry, c.number, c.title_type, c.state, c.synthetic).order_by(c.id)
            if wanted is not None:
                q = q.where(c.number.in_(sorted(wanted)))
            rows = self.s.execute(q).all()
            names = self._holder_names(t.holder.c.title_id, None if wanted is None else [r.id for r in rows])
            return [(r.id, r.number, r.geometry, {"number": r.number, "type": r.title_type, "state": r.state,
                                                  "holders": names.get(r.id, []), "synthetic": bool(r.synthetic)})
                    for r in rows]
        if layer == "applications":
            c = t.application.c
            q = (select(c.id, c.geometry, c.jurisdiction, c.number, c.title_type, c.state, c.synthetic)
                 .where(c.state.in_(sorted(application_states))).order_by(c.id))
            if wanted is not None:
                q = q.where(c.number.in_(sorted({int(k.rsplit("/A", 1)[1]) for k in wanted})))
            rows = [r for r in self.s.execute(q)
                    if wanted is None or f"{r.jurisdiction}/A{r.number}" in wanted]
            names = self._holder_names(t.holder.c.application_id, None if wanted is None else [r.id for r in rows])
            return [(r.id, f"{r.jurisdiction}/A{r.number}", r.geometry,
                     {"number": f"{r.jurisdiction}/A{r.number}", "type": r.title_type, "state": r.state,
                      "holders": names.get(r.id, []), "synthetic": bool(r.synthetic)}) for r in rows]
        if layer == "reserved-areas":
            c = t.reserved_area.c
            q = select(c.id, c.geometry, c.name, c.kind, c.jurisdiction, c.source, c.synthetic).order_by(c.id)
            if wanted is not None:
                q = q.where(c.name.in_(sorted({k.split(":", 1)[1] for k in wanted})))
            return [(r.id, f"{r.jurisdiction}:{r.name}", r.geometry,
                     {"name": r.name, "kind": r.kind, "jurisdiction": r.jurisdiction, "source": r.source,
                      "synthetic": bool(r.synthetic)})
                    for r in self.s.execute(q) if wanted is None or f"{r.jurisdiction}:{r.name}" in wanted]
        raise ValueError(f"no stored tile layer {layer!r}")

    def _holder_names(self, column, owners: list[int] | None) -> dict[int, list[str]]:
        """Holder names in order per owner id (of every owner, or of `owners` only)."""
        if owners is not None and not owners:
            return {}
        out: dict[int, list[str]] = {}
        q = select(column, t.holder.c.name).where(column.is_not(None)).order_by(column, t.holder.c.position)
        if owners is not None:
            q = q.where(column.in_(owners))
        for owner, name in self.s.execute(q):
            out.setdefault(owner, []).append(name)
        return out


REPOSITORIES = {"tiles": TileRepository}  # collected by store/uow.py
