"""OGC API – Tiles (Part 1: Core) for the titles, applications, reserved-areas and boundaries
collections: Mapbox Vector Tiles in the WebMercatorQuad tile matrix set, the tileset metadata
and the tile matrix set definition. No web framework here; router.py adapts it.

A tile is built one of two ways, with the same features and properties:
- on PostgreSQL with PostGIS, by the database (`ST_AsMVT`, store/tiles_repository.py);
- otherwise (SQLite, or PostgreSQL without PostGIS, and always for the bundled boundaries), in
  process: every feature of the collection is read once per register sequence into a Shapely
  STRtree in Web Mercator, and a tile is the tree's hits, moved to tile units, clipped, simplified
  and snapped to the tile grid (Shapely, vectorised), their geometry commands built with NumPy and
  written into `mapbox-vector-tile`'s protobuf message. Tile maths come from `morecantile`.

Choices a client should know:
- Tiles are 4096 units wide with a 64-unit buffer. Geometries are simplified by zoom (Douglas-
  Peucker with half a tile unit's tolerance, then snapped to the unit grid). A polygon less than
  one tile unit wide or high (which the grid would collapse) is drawn as the centre of its
  envelope (a point), so every title and application appears at every zoom; a client draws those
  points as dots.
- An empty tile (no feature within it) is 200 with a zero-byte body, which is a valid MVT (a tile
  with no layers); a tile outside the tile matrix (z above 24, x or y beyond the matrix) is 404, a
  tile address that is not a number is 400.
- Built tiles are kept in memory per store and register sequence (`maadan audit`'s event count):
  any recorded change makes new tiles. The ETag names that sequence; If-None-Match answers 304.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import shapely

from maadan.cadastre import views
from maadan.cadastre.boundaries import available_boundaries, load_boundary
from maadan.errors import NotFound
from maadan.ogc.features import JSON, link
from maadan.ogc.query import InvalidParameter
from maadan.unit_of_work import AbstractUnitOfWork

MVT = "application/vnd.mapbox-vector-tile"
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
REL_TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
REL_TILING_SCHEMES = "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes"
REL_TILESETS_VECTOR = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
)
EXTENT = 4096
BUFFER = 64
MIN_UNITS = 1.0  # a polygon narrower or shorter than this many tile units is drawn as a point
SIMPLIFY_UNITS = 0.5
MAX_ZOOM = 24  # WebMercatorQuad's deepest tile matrix
EARTH_RADIUS = 6378137.0
HALF_WORLD = np.pi * EARTH_RADIUS
TILE_CACHE_SIZE = 4096  # built tiles kept per process (all stores and collections together)

CACHE_CONTROL = "public, max-age=60"
_NUMBER = re.compile(r"^\d{1,9}$")


# --- the tile matrix set -----------------------------------------------------------------------

_TMS: dict[str, Any] = {}


def tms():
    """morecantile's WebMercatorQuad (loaded on first use, not at import)."""
    if "tms" not in _TMS:
        import morecantile

        _TMS["tms"] = morecantile.tms.get(TMS_ID)
    return _TMS["tms"]


def check_matrix_set(tms_id: str) -> None:
    if tms_id != TMS_ID:
        raise NotFound("tile matrix set", tms_id, [TMS_ID])


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int

    def mercator_bounds(self) -> tuple[float, float, float, float]:
        size = 2 * HALF_WORLD / (1 << self.z)
        minx = -HALF_WORLD + self.x * size
        maxy = HALF_WORLD - self.y * size
        return (minx, maxy - size, minx + size, maxy)

    def lonlat_bounds(self, buffer_units: int = 0) -> tuple[float, float, float, float]:
        """The tile's envelope in lon/lat, grown by `buffer_units` tile units each way."""
        minx, miny, maxx, maxy = self.mercator_bounds()
        pad = (maxx - minx) * buffer_units / EXTENT
        lon0, lat0 = mercator_to_lonlat(minx - pad, miny - pad)
        lon1, lat1 = mercator_to_lonlat(maxx + pad, maxy + pad)
        return (max(lon0, -180.0), max(lat0, -90.0), min(lon1, 180.0), min(lat1, 90.0))

    def unit_m(self) -> float:
        """Metres of Web Mercator per tile unit."""
        return 2 * HALF_WORLD / (1 << self.z) / EXTENT


def parse_tile(tms_id: str, z: str, y: str, x: str) -> TileAddress:
    """The tile at tileMatrix z, tileRow y, tileCol x: 400 when one is not a whole number, 404 when
    it lies outside the tile matrix set."""
    check_matrix_set(tms_id)
    values = {}
    for name, raw in (("tileMatrix", z), ("tileRow", y), ("tileCol", x)):
        if not _NUMBER.match(raw):
            raise InvalidParameter(name, f"{raw[:20]!r} is not a whole number 0 or above")
        values[name] = int(raw)
    zoom = values["tileMatrix"]
    if zoom > MAX_ZOOM:
        raise NotFound("tile matrix", str(zoom), [f"0 to {MAX_ZOOM}"])
    size = 1 << zoom
    for name in ("tileRow", "tileCol"):
        if values[name] >= size:
            raise NotFound(f"tile ({name} at tile matrix {zoom} runs 0 to {size - 1})", str(values[name]))
    return TileAddress(zoom, values["tileCol"], values["tileRow"])


def parse_tile_query(pairs: list[tuple[str, str]]) -> None:
    """A tile takes one query parameter, `f=mvt`; anything else is 400 naming it."""
    for name, value in pairs:
        if name != "f":
            raise InvalidParameter(name, "unknown parameter; a tile takes only f=mvt")
        if value != "mvt":
            raise InvalidParameter("f", f"{value[:20]!r} is not served; tiles are f=mvt (Mapbox Vector Tile)")
    if len(pairs) > 1:
        raise InvalidParameter("f", "given more than once")


def lonlat_to_mercator(xy: np.ndarray) -> np.ndarray:
    lon = np.clip(xy[:, 0], -180.0, 180.0)
    lat = np.clip(xy[:, 1], -85.05112878, 85.05112878)
    x = np.radians(lon) * EARTH_RADIUS
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * EARTH_RADIUS
    return np.column_stack([x, y])


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = float(np.degrees(x / EARTH_RADIUS))
    lat = float(np.degrees(2 * np.arctan(np.exp(y / EARTH_RADIUS)) - np.pi / 2))
    return lon, lat


# --- the tiled collections ---------------------------------------------------------------------

@dataclass(frozen=True)
class TiledCollection:
    id: str
    stored: bool  # in the database (PostGIS builds its tiles there); else bundled files
    properties: dict[str, str]  # the layer's attributes and their types, for the tileset metadata
    geometry: str  # the layer's geometry type in the tileset metadata


_TITLE_LIKE = {"number": "string", "type": "string", "state": "string", "holder": "string", "synthetic": "boolean"}
TILED = {
    "titles": TiledCollection("titles", True, _TITLE_LIKE, "polygons"),
    "applications": TiledCollection("applications", True, _TITLE_LIKE, "polygons"),
    "reserved-areas": TiledCollection("reserved-areas", True, {
        "name": "string", "kind": "string", "jurisdiction": "string", "source": "string", "synthetic": "boolean"},
        "polygons"),
    "boundaries": TiledCollection("boundaries", False, {"code": "string", "name": "string"}, "polygons"),
}


def tiled(collection_id: str) -> TiledCollection:
    found = TILED.get(collection_id)
    if found is None:
        raise NotFound("collection with vector tiles", collection_id, sorted(TILED))
    return found


# --- documents ---------------------------------------------------------------------------------

def tiles_url(root: str, collection_id: str) -> str:
    return f"{root}/collections/{collection_id}/tiles"


def tile_matrix_sets_doc(root: str) -> dict[str, Any]:
    return {"tileMatrixSets": [{"id": TMS_ID, "title": "Google Maps Compatible for the World", "uri": TMS_URI,
                                "links": [link(f"{root}/tileMatrixSets/{TMS_ID}", "self", JSON,
                                               "The WebMercatorQuad tile matrix set")]}]}


def tile_matrix_set_doc() -> dict[str, Any]:
    """The WebMercatorQuad definition (OGC Two Dimensional Tile Matrix Set 2.0 JSON), from morecantile.

    It also carries the 1.0 names of the same values (identifier, supportedCRS, boundingBox, and a
    tile matrix's identifier and topLeftCorner), which GDAL before 3.7 reads instead of the 2.0 ones."""
    doc = tms().model_dump(mode="json", exclude_none=True)
    doc |= {"identifier": doc["id"], "supportedCRS": CRS_3857,
            "boundingBox": {"type": "BoundingBoxType", "crs": CRS_3857,
                            "lowerCorner": [-HALF_WORLD, -HALF_WORLD], "upperCorner": [HALF_WORLD, HALF_WORLD]}}
    for m in doc["tileMatrices"]:
        m |= {"identifier": m["id"], "topLeftCorner": m["pointOfOrigin"]}
    return doc


def _tileset_summary(root: str, c: TiledCollection, title: str) -> dict[str, Any]:
    base = tiles_url(root, c.id)
    return {
        "title": f"{title} (vector tiles)",
        "dataType": "vector",
        "crs": CRS_3857,
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(f"{base}/{TMS_ID}", "self", JSON, f"The {title} tileset in {TMS_ID}"),
            link(f"{root}/tileMatrixSets/{TMS_ID}", REL_TILING_SCHEME, JSON, "The WebMercatorQuad tile matrix set"),
        ],
    }


def tilesets_doc(root: str, c: TiledCollection, title: str) -> dict[str, Any]:
    return {"links": [link(tiles_url(root, c.id), "self", JSON, f"The {title} tilesets")],
            "tilesets": [_tileset_summary(root, c, title)]}


def tileset_doc(root: str, c: TiledCollection, title: str, description: str) -> dict[str, Any]:
    base = tiles_url(root, c.id)
    doc = _tileset_summary(root, c, title)
    doc |= {
        "description": description,
        "tileMatrixSetLimits": [{"tileMatrix": str(z), "minTileRow": 0, "maxTileRow": (1 << z) - 1,
                                 "minTileCol": 0, "maxTileCol": (1 << z) - 1} for z in range(MAX_ZOOM + 1)],
        "layers": [{"id": c.id, "title": title, "dataType": "vector", "geometryDimension": 2,
                    "featureType": c.id, "minTileMatrix": "0", "maxTileMatrix": str(MAX_ZOOM),
                    "propertiesSchema": {"type": "object", "properties": {
                        k: {"type": v} for k, v in c.properties.items()}}}],
    }
    doc["links"] = doc["links"] + [
        {"href": f"{base}/{TMS_ID}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", "rel": "item", "type": MVT,
         "title": f"A {title} tile (Mapbox Vector Tile)", "templated": True},
        link(f"{root}/collections/{c.id}", "http://www.opengis.net/def/rel/ogc/1.0/geodata", JSON,
             f"The {title} collection"),
    ]
    return doc


# --- in-process tiles --------------------------------------------------------------------------

@dataclass
class _Layer:
    """Every feature of one collection in Web Mercator, indexed, with its tile properties."""

    tree: Any
    geoms: np.ndarray
    bounds: np.ndarray
    ids: np.ndarray
    props: list[dict[str, Any]]


def _layer(items: list[tuple[int, Any, dict[str, Any]]]) -> _Layer:
    geoms = np.empty(len(items), dtype=object)
    geoms[:] = [g for _, g, _ in items]
    if len(items):
        geoms = shapely.transform(geoms, lonlat_to_mercator)
    return _Layer(shapely.STRtree(geoms), geoms, shapely.bounds(geoms) if len(items) else np.empty((0, 4)),
                  np.array([i for i, _, _ in items], dtype=np.int64), [p for _, _, p in items])


def _stored_items(uow: AbstractUnitOfWork, layer: str) -> list[tuple[int, Any, dict[str, Any]]]:
    with uow:
        rows = uow.tiles.features(layer, views.TILE_APPLICATION_STATES)
    geoms = shapely.from_wkb([wkb for _, wkb, _ in rows]) if rows else []
    out = []
    for (rid, _, raw), g in zip(rows, geoms):
        if layer in ("titles", "applications"):
            props = views.tile_properties(raw["number"], raw["type"], raw["state"], raw["holders"], raw["synthetic"])
        else:
            props = raw
        out.append((rid, g, props))
    return out


def _boundary_items() -> list[tuple[int, Any, dict[str, Any]]]:
    out = []
    for i, code in enumerate(available_boundaries(), start=1):
        b = load_boundary(code)
        out.append((i, b.geometry, {"code": b.code, "name": b.name}))
    return out


def encode(layer: _Layer, name: str, tile: TileAddress) -> bytes:
    """One tile of a layer in process: the same rules as the PostGIS query (store/tiles_repository.py)."""
    minx, miny, maxx, maxy = tile.mercator_bounds()
    unit = tile.unit_m()
    pad = BUFFER * unit
    hits = layer.tree.query(shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad))
    if len(hits) == 0:
        return b""
    hits = np.sort(hits)
    b = layer.bounds[hits]
    small = ((b[:, 2] - b[:, 0]) < MIN_UNITS * unit) | ((b[:, 3] - b[:, 1]) < MIN_UNITS * unit)
    scale = EXTENT / (maxx - minx)

    def to_tile(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - minx) * scale, (maxy - xy[:, 1]) * scale])

    out = np.empty(len(hits), dtype=object)
    if small.any():  # the centre of the envelope, snapped; kept when inside the buffered tile
        px = np.round(((b[small, 0] + b[small, 2]) / 2 - minx) * scale)
        py = np.round((maxy - (b[small, 1] + b[small, 3]) / 2) * scale)
        inside = (px >= -BUFFER) & (px <= EXTENT + BUFFER) & (py >= -BUFFER) & (py <= EXTENT + BUFFER)
        pts = shapely.points(px, py)
        pts[~inside] = None
        out[small] = pts
    big = ~small
    if big.any():
        g = shapely.transform(layer.geoms[hits[big]], to_tile)
        many = shapely.get_num_coordinates(g) > 5  # nothing to simplify in a rectangle
        if many.any():
            g[many] = shapely.simplify(g[many], SIMPLIFY_UNITS, preserve_topology=True)
        g = shapely.clip_by_rect(g, -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
        g = shapely.remove_repeated_points(shapely.transform(g, np.rint))  # snapped to the grid
        bad = ~shapely.is_valid(g)
        if bad.any():  # rings the grid made touch or collapse
            g[bad] = [_polygonal(x) for x in shapely.make_valid(g[bad])]
        out[big] = g
    keep = np.array([x is not None and not x.is_empty for x in out], dtype=bool)
    if not keep.any():
        return b""
    geoms, rows = out[keep], hits[keep]
    return encode_layer(name, geoms, [layer.props[i] for i in rows], layer.ids[rows])


def _polygonal(g: Any) -> Any:
    """The polygonal part of a snapped shape (None when it collapsed to lines or nothing)."""
    if g is None or g.is_empty:
        return None
    kind = g.geom_type
    if kind in ("Polygon", "MultiPolygon"):
        return g
    if kind == "GeometryCollection":
        parts = [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(parts) if parts else None
    return None  # a polygon collapsed to a line: PostGIS drops it too


def _zigzag(v: np.ndarray) -> np.ndarray:
    return (v << 1) ^ (v >> 63)


def _polygon_commands(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MVT geometry commands of (Multi)Polygons in integer tile units, exterior rings of positive
    area (MVT 2.1, 4.3.4.4), all at once: the commands and each geometry's [start, end) in them."""
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    polys, poly_geom = shapely.get_parts(geoms, return_index=True)
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    coords = np.rint(coords).astype(np.int64)
    sizes = np.bincount(coord_ring, minlength=len(rings))
    last = np.cumsum(sizes) - 1
    emit = np.ones(len(coords), dtype=bool)
    emit[last] = False  # the closing point: ClosePath draws it
    pts, pt_ring = coords[emit], coord_ring[emit]
    ring_geom = poly_geom[ring_poly]
    pt_geom = ring_geom[pt_ring]
    delta = np.diff(pts, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    first_of_geom = np.r_[True, pt_geom[1:] != pt_geom[:-1]]
    delta[first_of_geom] = pts[first_of_geom]  # the cursor starts at (0, 0) in each feature
    k = sizes - 1  # points a ring emits
    length = 2 * k + 3  # MoveTo(1) x y, LineTo(k-1) 2(k-1) values, ClosePath
    start = np.cumsum(length) - length
    cmd = np.empty(int(length.sum()), dtype=np.int64)
    cmd[start] = 9  # MoveTo, count 1
    cmd[start + 3] = 2 | ((k - 1) << 3)  # LineTo, count k-1
    cmd[start + length - 1] = 15  # ClosePath, count 1
    ring_first = np.cumsum(k) - k
    pos = np.arange(len(pts)) - ring_first[pt_ring]
    at = start[pt_ring] + np.where(pos == 0, 1, 2 * pos + 2)
    zz = _zigzag(delta)
    cmd[at], cmd[at + 1] = zz[:, 0], zz[:, 1]
    per_geom = np.bincount(ring_geom, weights=length, minlength=len(geoms)).astype(np.int64)
    ends = np.cumsum(per_geom)
    return cmd, np.column_stack([ends - per_geom, ends])


def encode_layer(name: str, geoms: np.ndarray, props: list[dict[str, Any]], ids: np.ndarray) -> bytes:
    """One MVT layer (version 2, 4096 units) of points and (Multi)Polygons in integer tile units,
    written into mapbox-vector-tile's protobuf message; geometry commands built with NumPy."""
    from mapbox_vector_tile.Mapbox import vector_tile_pb2

    tile = vector_tile_pb2.tile()
    layer = tile.layers.add()
    layer.version, layer.name, layer.extent = 2, name, EXTENT
    is_point = shapely.get_type_id(geoms) == 0
    commands: list[list[int] | None] = [None] * len(geoms)
    if is_point.any():
        xy = _zigzag(np.rint(shapely.get_coordinates(geoms[is_point])).astype(np.int64))
        for i, (x, y) in zip(np.flatnonzero(is_point), xy.tolist()):
            commands[i] = [9, x, y]
    if (~is_point).any():
        cmd, spans = _polygon_commands(geoms[~is_point])
        flat = cmd.tolist()
        for i, (a, z) in zip(np.flatnonzero(~is_point), spans.tolist()):
            commands[i] = flat[a:z]
    keys: dict[str, int] = {}
    values: dict[tuple[type, Any], int] = {}
    features, vals = [], []
    feature, value = vector_tile_pb2.tile.feature, vector_tile_pb2.tile.value
    for i, (p, fid) in enumerate(zip(props, ids.tolist())):
        tags: list[int] = []
        for k, v in p.items():
            if v is None:
                continue
            ki = keys.get(k)
            if ki is None:
                ki = keys[k] = len(keys)
                layer.keys.append(k)
            vkey = (type(v), v)
            vi = values.get(vkey)
            if vi is None:
                vi = values[vkey] = len(values)
                if isinstance(v, bool):
                    vals.append(value(bool_value=v))
                elif isinstance(v, int):
                    vals.append(value(sint_value=v))
                elif isinstance(v, float):
                    vals.append(value(double_value=v))
                else:
                    vals.append(value(string_value=str(v)))
            tags += (ki, vi)
        features.append(feature(id=fid, type=1 if is_point[i] else 3, tags=tags, geometry=commands[i]))
    layer.values.extend(vals)
    layer.features.extend(features)
    return tile.SerializeToString()


class _TileCache:
    """Per process: each collection's in-process layer per store and register sequence, and the
    last TILE_CACHE_SIZE tiles built (bytes), keyed by store, collection, sequence and address."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.layers: dict[tuple[str, str], tuple[int, _Layer]] = {}
        self.building: dict[tuple[str, str], threading.Lock] = {}
        self.tiles: OrderedDict[tuple, bytes] = OrderedDict()
        self.postgis: dict[str, bool] = {}

    def tile(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        with self.lock:
            found = self.tiles.get(key)
            if found is not None:
                self.tiles.move_to_end(key)
                return found
        body = build()
        with self.lock:
            self.tiles[key] = body
            while len(self.tiles) > TILE_CACHE_SIZE:
                self.tiles.popitem(last=False)
        return body

    def layer(self, uow: AbstractUnitOfWork, c: TiledCollection, sequence: int) -> _Layer:
        key = (uow.key if c.stored else "", c.id)
        with self.lock:
            cached = self.layers.get(key)
        if cached is not None and (cached[0] == sequence or not c.stored):
            return cached[1]
        with self.lock:
            building = self.building.setdefault(key, threading.Lock())
        with building:  # one build per layer at a time: concurrent requests wait for it, not redo it
            with self.lock:
                cached = self.layers.get(key)
            if cached is not None and (cached[0] >= sequence or not c.stored):
                return cached[1]
            built = _layer(_stored_items(uow, c.id) if c.stored else _boundary_items())
            with self.lock:
                self.layers[key] = (sequence, built)
        return built

    def uses_postgis(self, uow: AbstractUnitOfWork) -> bool:
        with self.lock:
            known = self.postgis.get(uow.key)
        if known is None:
            with uow:
                known = uow.tiles.postgis()
            with self.lock:
                self.postgis[uow.key] = known
        return known

    def clear(self) -> None:
        with self.lock:
            self.layers.clear()
            self.tiles.clear()
            self.postgis.clear()


CACHE = _TileCache()


def register_sequence(uow: AbstractUnitOfWork) -> int:
    """The register's sequence (its last event): every recorded change moves it."""
    with uow:
        return uow.audit.size()


def etag(collection_id: str, tile: TileAddress, sequence: int) -> str:
    digest = hashlib.sha256(f"{collection_id}/{tile.z}/{tile.y}/{tile.x}".encode()).hexdigest()[:12]
    return f'"t{sequence}-{digest}"'


def build_tile(uow: AbstractUnitOfWork, c: TiledCollection, tile: TileAddress, sequence: int,
               *, engine: str | None = None) -> bytes:
    """The tile's MVT bytes, cached per store and register sequence. `engine` forces "postgis" or
    "python" (tests compare them); by default PostGIS builds stored collections when it can."""
    use_postgis = engine == "postgis" or (engine is None and c.stored and CACHE.uses_postgis(uow))
    key = (uow.key if c.stored else "", c.id, sequence, tile.z, tile.x, tile.y, "pg" if use_postgis else "py")

    def build() -> bytes:
        if use_postgis:
            from maadan.store.tiles_repository import TileQuery

            unit = tile.unit_m()
            q = TileQuery(c.id, tile.z, tile.x, tile.y, tile.lonlat_bounds(BUFFER), EXTENT, BUFFER,
                          MIN_UNITS * unit, SIMPLIFY_UNITS * unit)
            with uow:
                return uow.tiles.mvt(q, views.TILE_APPLICATION_STATES)
        return encode(CACHE.layer(uow, c, sequence), c.id, tile)

    return CACHE.tile(key, build)
