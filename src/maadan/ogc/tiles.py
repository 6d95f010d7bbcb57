"""OGC API – Tiles (Part 1: Core) for the titles, applications, reserved-areas and boundaries
collections: Mapbox Vector Tiles in the WebMercatorQuad tile matrix set, the tileset metadata
and the tile matrix set definition. No web framework here; router.py adapts it.

A tile is built one of two ways, with the same features and properties:
- on PostgreSQL with PostGIS, by the database (`ST_AsMVT`, store/tiles_repository.py);
- otherwise (SQLite, or PostgreSQL without PostGIS, and always for the bundled boundaries), in
  process: every feature of the collection is read once per register sequence into a Shapely
  STRtree in Web Mercator, and a tile is the tree's hits, moved to tile units, clipped, simplified
  and snapped to the tile grid (Shapely, vectorised), their geometry commands built with NumPy and
  written as protobuf by `ogc/mvt.py`. A rectangle along the axes (a graticular block: most of a
  mining cadastre) is its envelope clipped and snapped, with no GEOS work; PostGIS does the same.
  Tile maths come from `morecantile`.

Choices a client should know:
- Tiles are 4096 units wide with a 64-unit buffer; a map draws one 512 pixels wide (8 units a
  pixel). Geometries are simplified by zoom (Douglas-Peucker with a quarter pixel's tolerance,
  then snapped to the unit grid). A polygon less than two pixels wide or high is drawn as the
  centre of its envelope (a point), so every title and application appears at every zoom (the
  grid would collapse the smallest) and a low-zoom tile of 100,000 titles carries dots, not rings;
  a client draws those points as dots. Features go in id order.
- Titles' and applications' tiles at zoom GENERAL_MAX_ZOOM (9) and below carry number, type,
  state and synthetic but not the holder (`tile_keys`); from zoom 10 all five.
- An empty tile (no feature within it) is 200 with a zero-byte body, which is a valid MVT (a tile
  with no layers); a tile outside the tile matrix (z above 24, x or y beyond the matrix) is 404, a
  tile address that is not a number is 400.
- In process, each collection's features are read once and then kept at the store's spatial
  versions by applying its change log (`cadastre_spatial_change`): a filing, grant or
  relinquishment re-reads its own rows only. Built tiles are kept in memory (bounded by count and
  bytes); a change evicts only the cached tiles its features touch, whichever encoder built them
  (PostGIS's tiles by the envelopes the change log keeps). At start-up each process
  builds the low-zoom tiles over the cadastre's extent, a map's first view (`warm`,
  MAADAN_TILE_WARM_ZOOM). The ETag is a digest of the tile's bytes (the same in every process);
  If-None-Match answers 304; `Cache-Control: public, no-cache` (clients keep tiles and ask again).
  A tile of 1 KiB or more is also kept gzip-compressed and sent so (`Content-Encoding: gzip`) to
  clients that accept it.
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
from maadan.cadastre.geometry import rectangles
from maadan.errors import NotFound
from maadan.http import compression
from maadan.ogc import mvt
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
PIXEL_UNITS = EXTENT // 512  # tile units per screen pixel: web maps draw a vector tile 512 pixels wide
MIN_UNITS = 2.0 * PIXEL_UNITS  # a polygon narrower or shorter than two pixels is drawn as a point (a dot)
SIMPLIFY_UNITS = PIXEL_UNITS / 4  # Douglas-Peucker tolerance: a quarter of a pixel
MAX_ZOOM = 24  # WebMercatorQuad's deepest tile matrix
EARTH_RADIUS = 6378137.0
HALF_WORLD = np.pi * EARTH_RADIUS
GENERAL_MAX_ZOOM = 9  # at this zoom and below, title-like tiles are generalised (see `tile_keys`)
TILE_CACHE_SIZE = 4096  # built tiles kept per process (all stores and collections together) ...
TILE_CACHE_BYTES = 256 * 2**20  # ... within this many bytes (a z5 tile of 100,000 titles weighs ~5 MB)
GZIP_MIN = compression.MINIMUM_SIZE  # tiles at least this large are also kept gzip-compressed

CACHE_CONTROL = "public, no-cache"  # kept, but asked again each time: the ETag answers 304
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
    general: tuple[str, ...] | None = None  # the attributes its tiles carry at GENERAL_MAX_ZOOM and below (None: all)


_TITLE_LIKE = {"number": "string", "type": "string", "state": "string", "holder": "string", "synthetic": "boolean"}
_GENERAL_KEYS = ("number", "type", "state", "synthetic")  # title-like tiles at low zoom: no holder
TILED = {
    "titles": TiledCollection("titles", True, _TITLE_LIKE, "polygons", _GENERAL_KEYS),
    "applications": TiledCollection("applications", True, _TITLE_LIKE, "polygons", _GENERAL_KEYS),
    "reserved-areas": TiledCollection("reserved-areas", True, {
        "name": "string", "kind": "string", "jurisdiction": "string", "source": "string", "synthetic": "boolean"},
        "polygons"),
    "boundaries": TiledCollection("boundaries", False, {"code": "string", "name": "string"}, "polygons"),
}


def tile_keys(c: TiledCollection, z: int) -> tuple[str, ...]:
    """The attributes a tile of `c` at zoom `z` carries. Titles and applications at zoom
    GENERAL_MAX_ZOOM and below leave out the holder: a z8 tile over a dense belt holds thousands of
    features, and holder names (unique per title) were most of its bytes and, on PostGIS, of its
    query. What remains draws them (type, state, synthetic) and names them (number), and a click
    reads the holder from the features API, as it reads the rest of the record at every zoom."""
    if c.general is not None and z <= GENERAL_MAX_ZOOM:
        return c.general
    return tuple(c.properties)


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


def _property_schema(c: TiledCollection, key: str, kind: str) -> dict[str, Any]:
    """A tile attribute's schema; one left out of the generalised zooms says from which it is there."""
    if key in tile_keys(c, 0):
        return {"type": kind}
    return {"type": kind, "description": f"in tiles of tile matrix {GENERAL_MAX_ZOOM + 1} and deeper only "
                                         f"(0-{GENERAL_MAX_ZOOM} leave it out; the features API has it)"}


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
                        k: _property_schema(c, k, v) for k, v in c.properties.items()}}}],
    }
    doc["links"] = doc["links"] + [
        {"href": f"{base}/{TMS_ID}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}", "rel": "item", "type": MVT,
         "title": f"A {title} tile (Mapbox Vector Tile)", "templated": True},
        link(f"{root}/collections/{c.id}", "http://www.opengis.net/def/rel/ogc/1.0/geodata", JSON,
             f"The {title} collection"),
    ]
    return doc


# --- in-process tiles --------------------------------------------------------------------------

Item = tuple[int, str, Any, dict[str, Any]]  # (row id, key, geometry, tile properties)


class _Base:
    """Features in Web Mercator under one STRtree, with their bounds, ids, keys and properties, and
    which of them are rectangles along the axes (`rectangles`)."""

    def __init__(self, ids: np.ndarray, keys: list[str], geoms: np.ndarray, props: list[dict[str, Any]]):
        self.ids, self.keys, self.geoms, self.props = ids, keys, geoms, _objects(props)
        self.bounds = shapely.bounds(geoms) if len(geoms) else np.empty((0, 4))
        self.rect = rectangles(geoms, self.bounds)
        self.tree = shapely.STRtree(geoms)
        self.position = {k: i for i, k in enumerate(keys)}
        self._columns: dict[str, mvt.Column] = {}

    def column(self, key: str) -> mvt.Column:
        """Attribute `key` of every feature, factorized once: when the layer cache reads the layer,
        else (a base merged in memory, features added since) on the first tile that writes it."""
        found = self._columns.get(key)
        if found is None:
            found = self._columns[key] = mvt.column([p.get(key) for p in self.props.tolist()])
        return found

    @classmethod
    def of(cls, items: list[Item]) -> "_Base":
        """From (id, key, lon/lat geometry, properties) items."""
        geoms = np.empty(len(items), dtype=object)
        geoms[:] = [g for _, _, g, _ in items]
        if len(items):
            geoms = shapely.transform(geoms, lonlat_to_mercator)
        return cls(np.array([i for i, _, _, _ in items], dtype=np.int64), [k for _, k, _, _ in items], geoms,
                   [p for _, _, _, p in items])


class _Layer:
    """Every feature of one collection, indexed: a base read once, a mask of its features removed
    since, and the features added or changed since under a small tree of their own. `updated`
    applies a change without reading or indexing the rest again; when the added features pass
    COMPACT_FRACTION of the base (or COMPACT_MIN), they are merged into a new base in memory."""

    def __init__(self, base: _Base, alive: np.ndarray | None = None, extra: dict[str, Item] | None = None):
        self.base, self.alive, self.extra = base, alive, extra or {}
        self.added = _Base(np.array([i for i, _, _, _ in self.extra.values()], dtype=np.int64),
                           list(self.extra), _objects([g for _, _, g, _ in self.extra.values()]),
                           [p for _, _, _, p in self.extra.values()]) if self.extra else None

    def __len__(self) -> int:
        alive = len(self.base.ids) if self.alive is None else int(self.alive.sum())
        return alive + len(self.extra)

    def hits(self, box: Any) -> "_Hits":
        """The features whose envelope meets `box`, in id order."""
        parts = []
        for source, mask in ((self.base, self.alive), (self.added, None)):
            if source is None:
                continue
            i = source.tree.query(box)
            if mask is not None:
                i = i[mask[i]]
            parts.append((source, i))
        ids = np.concatenate([s.ids[i] for s, i in parts])
        order = np.argsort(ids, kind="stable")
        geoms = np.concatenate([s.geoms[i] for s, i in parts])[order]
        bounds = np.concatenate([s.bounds[i] for s, i in parts])[order]
        rect = np.concatenate([s.rect[i] for s, i in parts])[order]
        return _Hits(geoms, bounds, rect, ids[order], parts, order)

    def updated(self, removed: set[str], added: list[Item]) -> tuple["_Layer", np.ndarray]:
        """This layer without the features keyed in `removed` and with `added` ((id, key, lon/lat
        geometry, properties)); and the Mercator bounds of every feature removed or added (the
        tiles they touch are the ones to build again)."""
        alive = np.ones(len(self.base.ids), dtype=bool) if self.alive is None else self.alive.copy()
        extra = dict(self.extra)
        changed = []
        for key in removed:
            gone = extra.pop(key, None)
            if gone is not None:
                changed.append(shapely.bounds(gone[2]))
            i = self.base.position.get(key)
            if i is not None and alive[i]:
                alive[i] = False
                changed.append(self.base.bounds[i])
        if added:
            merc = shapely.transform(_objects([g for _, _, g, _ in added]), lonlat_to_mercator)
            for (rid, key, _, props), g in zip(added, merc):
                extra[key] = (rid, key, g, props)
                changed.append(shapely.bounds(g))
        layer = _Layer(self.base, alive, extra)
        if len(extra) > max(COMPACT_MIN, COMPACT_FRACTION * len(self.base.ids)):
            layer = layer.compacted()
        return layer, np.array(changed, dtype=float).reshape(-1, 4)

    def compacted(self) -> "_Layer":
        """The same features under one tree (nothing read again)."""
        keep = np.flatnonzero(self.alive) if self.alive is not None else np.arange(len(self.base.ids))
        rows = sorted([(int(self.base.ids[i]), self.base.keys[i], self.base.geoms[i], self.base.props[i])
                       for i in keep.tolist()] + list(self.extra.values()), key=lambda r: r[0])
        return _Layer(_Base(np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows],
                            _objects([r[2] for r in rows]), [r[3] for r in rows]))


@dataclass(frozen=True)
class _Hits:
    """A layer's features in a box, in id order: Mercator geometries, bounds, whether each is a
    rectangle along the axes and ids; and where they came from, for their attributes."""

    geoms: np.ndarray
    bounds: np.ndarray
    rect: np.ndarray
    ids: np.ndarray
    parts: list[tuple[_Base, np.ndarray]]  # (base, its rows), in the order concatenated
    order: np.ndarray  # the concatenated rows in id order

    def props(self, keep: np.ndarray) -> list[dict[str, Any]]:
        """The kept hits' property dicts (every attribute each has)."""
        return np.concatenate([s.props[i] for s, i in self.parts])[self.order[keep]].tolist()

    def columns(self, keys: tuple[str, ...], keep: np.ndarray) -> dict[str, mvt.Column]:
        """The attributes `keys` of the kept hits, from each base's factorized columns."""
        out = {}
        for k in keys:
            parts = [s.column(k).take(i) for s, i in self.parts]
            joined = parts[0] if len(parts) == 1 else mvt.concat(parts)
            out[k] = joined.take(self.order[keep])
        return out


COMPACT_MIN = 2_000
COMPACT_FRACTION = 0.05


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _stored_items(uow: AbstractUnitOfWork, layer: str, keys: set[str] | None = None) -> list[Item]:
    with uow:
        rows = uow.tiles.features(layer, views.TILE_APPLICATION_STATES, keys)
    geoms = shapely.from_wkb([wkb for _, _, wkb, _ in rows]) if rows else []
    out = []
    for (rid, key, _, raw), g in zip(rows, geoms):
        if layer in ("titles", "applications"):
            props = views.tile_properties(raw["number"], raw["type"], raw["state"], raw["holders"], raw["synthetic"])
        else:
            props = raw
        out.append((rid, key, g, props))
    return out


def _boundary_items() -> list[Item]:
    out = []
    for i, code in enumerate(available_boundaries(), start=1):
        b = load_boundary(code)
        out.append((i, code, b.geometry, {"code": b.code, "name": b.name}))
    return out


# The spatial change log names what changed as (kind, ref) per jurisdiction; each tiled layer's key.
_CHANGE_KINDS = {"title": ("titles", "{ref}"), "application": ("applications", "{j}/A{ref}"),
                 "reserved": ("reserved-areas", "{j}:{ref}")}
_CHANGE_KINDS_BY_LAYER = {layer: key for layer, key in _CHANGE_KINDS.values()}
MAX_CATCH_UP_KEYS = 5_000  # more changed features than this: read the layer again


def _logged_changes(uow: AbstractUnitOfWork, collection_id: str, before: dict[str, int],
                    now: dict[str, int]) -> list[tuple[str, str, tuple | None]] | None:
    """The collection's changes between two sets of spatial versions, from the store's change log,
    as (jurisdiction, ref, envelope before and after or None); None when only reading everything
    again will do (a bulk change, a log pruned past `before`)."""
    out = []
    with uow:
        for j, version in now.items():
            since = before.get(j, 0)
            if version <= since:
                continue
            changes = uow.cadastre.spatial_change_boxes(j, since, version)
            if changes is None:
                return None
            for kind, ref, box in changes:
                if kind == "*":
                    return None
                target = _CHANGE_KINDS.get(kind)
                if target and target[0] == collection_id:
                    out.append((j, ref, box))
    return out


def _changed_keys(uow: AbstractUnitOfWork, collection_id: str, before: dict[str, int],
                  now: dict[str, int]) -> set[str] | None:
    """The keys of the collection's features changed between two sets of spatial versions; None
    when only reading the layer again will do (see `_logged_changes`, or too many changes)."""
    changes = _logged_changes(uow, collection_id, before, now)
    if changes is None:
        return None
    key = _CHANGE_KINDS_BY_LAYER[collection_id]
    out = {key.format(j=j, ref=ref) for j, ref, _ in changes}
    return None if len(out) > MAX_CATCH_UP_KEYS else out


def _changed_boxes(uow: AbstractUnitOfWork, collection_id: str, before: dict[str, int],
                   now: dict[str, int]) -> np.ndarray | None:
    """The Mercator envelopes (before and after) of the collection's features changed between two
    sets of spatial versions; None when every tile must be built again (see `_logged_changes`, a
    change logged without its envelope, or too many)."""
    changes = _logged_changes(uow, collection_id, before, now)
    if changes is None or len(changes) > MAX_CATCH_UP_KEYS or any(box is None for _, _, box in changes):
        return None
    lonlat = np.array([box for _, _, box in changes], dtype=float).reshape(-1, 4)
    return np.hstack([lonlat_to_mercator(lonlat[:, :2]), lonlat_to_mercator(lonlat[:, 2:])])


def encode(layer: _Layer, name: str, tile: TileAddress, keys: tuple[str, ...] | None = None) -> bytes:
    """One tile of a layer in process: the same rules as the PostGIS query (store/tiles_repository.py).
    `keys`: the attributes written (all of each feature's when None)."""
    minx, miny, maxx, maxy = tile.mercator_bounds()
    unit = tile.unit_m()
    pad = BUFFER * unit
    hits = layer.hits(shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad))
    found, b, rect, ids = hits.geoms, hits.bounds, hits.rect, hits.ids
    if len(ids) == 0:
        return b""
    small = ((b[:, 2] - b[:, 0]) < MIN_UNITS * unit) | ((b[:, 3] - b[:, 1]) < MIN_UNITS * unit)
    scale = EXTENT / (maxx - minx)
    boxes = np.zeros((len(ids), 4), dtype=np.int64)  # x0, y0, x1, y1 of the features drawn as boxes
    box = rect & ~small
    if box.any():  # a rectangle along the axes: its envelope, clipped to the buffered tile and snapped
        corners = np.rint(np.column_stack([(b[box, 0] - minx) * scale, (maxy - b[box, 3]) * scale,
                                           (b[box, 2] - minx) * scale, (maxy - b[box, 1]) * scale]))
        corners = np.clip(corners, -BUFFER, EXTENT + BUFFER).astype(np.int64)
        left = (corners[:, 2] > corners[:, 0]) & (corners[:, 3] > corners[:, 1])  # else clipped to nothing
        box[box] = left
        boxes[box] = corners[left]

    def to_tile(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([(xy[:, 0] - minx) * scale, (maxy - xy[:, 1]) * scale])

    out = np.empty(len(ids), dtype=object)
    if small.any():  # the centre of the envelope, snapped; kept when inside the buffered tile
        px = np.round(((b[small, 0] + b[small, 2]) / 2 - minx) * scale)
        py = np.round((maxy - (b[small, 1] + b[small, 3]) / 2) * scale)
        inside = (px >= -BUFFER) & (px <= EXTENT + BUFFER) & (py >= -BUFFER) & (py <= EXTENT + BUFFER)
        pts = shapely.points(px, py)
        pts[~inside] = None
        out[small] = pts
    big = ~small & ~rect
    if big.any():
        g = shapely.transform(found[big], to_tile)
        many = shapely.get_num_coordinates(g) > 5  # nothing to simplify in a rectangle
        if many.any():
            g[many] = shapely.simplify(g[many], SIMPLIFY_UNITS, preserve_topology=True)
        x0, x1 = (b[big, 0] - minx) * scale, (b[big, 2] - minx) * scale
        y0, y1 = (maxy - b[big, 3]) * scale, (maxy - b[big, 1]) * scale
        cut = (x0 < -BUFFER) | (y0 < -BUFFER) | (x1 > EXTENT + BUFFER) | (y1 > EXTENT + BUFFER)
        if cut.any():  # only what crosses the buffered tile's edge needs clipping
            g[cut] = shapely.clip_by_rect(g[cut], -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
        g = shapely.transform(g, np.rint)  # snapped to the grid; then points the grid made repeat go
        xy, owner = shapely.get_coordinates(g, return_index=True)
        repeats = np.zeros(len(g), dtype=bool)
        repeats[owner[1:][(owner[1:] == owner[:-1]) & (xy[1:] == xy[:-1]).all(axis=1)]] = True
        if repeats.any():
            g[repeats] = shapely.remove_repeated_points(g[repeats])
        bad = ~shapely.is_valid(g)
        if bad.any():  # rings the grid made touch or collapse
            g[bad] = [_polygonal(x) for x in shapely.make_valid(g[bad])]
        out[big] = g
    keep = box | (~shapely.is_missing(out) & ~shapely.is_empty(out))
    if not keep.any():
        return b""
    props = hits.columns(keys, keep) if keys is not None else hits.props(keep)
    return encode_layer(name, out[keep], props, ids[keep], keys, boxes[keep])


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
    multi = shapely.get_type_id(geoms) == 6
    if multi.any():  # only MultiPolygons need splitting (get_parts copies every part it returns)
        parts, part_of = shapely.get_parts(geoms[multi], return_index=True)
        where = np.flatnonzero(multi)
        polys = np.concatenate([geoms[~multi], parts])
        poly_geom = np.concatenate([np.flatnonzero(~multi), where[part_of]])
        order = np.argsort(poly_geom, kind="stable")
        polys, poly_geom = polys[order], poly_geom[order]
    else:
        polys, poly_geom = geoms, np.arange(len(geoms))
    holed = shapely.get_num_interior_rings(polys) > 0
    if holed.any():  # a polygon without holes is its one ring (get_rings copies every ring it returns)
        with_holes, plain = np.flatnonzero(holed), np.flatnonzero(~holed)
        parts, part_of = shapely.get_rings(polys[with_holes], return_index=True)
        rings = np.concatenate([polys[plain], parts])
        ring_poly = np.concatenate([plain, with_holes[part_of]])
        order = np.argsort(ring_poly, kind="stable")  # a polygon's rings together, the exterior first
        rings, ring_poly = rings[order], ring_poly[order]
    else:
        rings, ring_poly = polys, np.arange(len(polys))
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


def encode_layer(name: str, geoms: np.ndarray, props: list[dict[str, Any]] | dict[str, mvt.Column], ids: np.ndarray,
                 keys: tuple[str, ...] | None = None, boxes: np.ndarray | None = None) -> bytes:
    """One MVT layer (version 2, 4096 units) of points and (Multi)Polygons in integer tile units:
    geometry commands built with NumPy, the layer's protobuf bytes written by `ogc/mvt.py`.
    `boxes`: per feature, the tile corners (x0, y0, x1, y1; y down, x0 < x1, y0 < y1) of one drawn
    as a rectangle along the axes instead of its geometry, or zeros."""
    n = len(geoms)
    is_box = np.zeros(n, dtype=bool) if boxes is None else boxes[:, 2] > boxes[:, 0]
    kind = shapely.get_type_id(geoms)
    is_point = (kind == 0) & ~is_box
    is_polygon = ~is_point & ~is_box
    counts = np.where(is_point, 3, np.where(is_box, 11, 0)).astype(np.int64)
    pieces = np.empty(0, dtype=np.int64)
    polygon_spans = None
    if is_polygon.any():
        pieces, polygon_spans = _polygon_commands(geoms[is_polygon])
        counts[is_polygon] = polygon_spans[:, 1] - polygon_spans[:, 0]
    start = np.cumsum(counts) - counts
    commands = np.empty(int(counts.sum()), dtype=np.int64)
    if is_box.any():  # MoveTo the top-left corner, LineTo right, down and left, ClosePath: positive area
        x0, y0, x1, y1 = boxes[is_box].T
        w, h = _zigzag(x1 - x0), _zigzag(y1 - y0)
        at = start[is_box]
        for k, v in enumerate((9, _zigzag(x0), _zigzag(y0), 3 << 3 | 2, w, 0, 0, h, _zigzag(x0 - x1), 0, 15)):
            commands[at + k] = v
    if is_point.any():
        xy = _zigzag(np.rint(shapely.get_coordinates(geoms[is_point])).astype(np.int64))
        at = start[is_point]
        commands[at], commands[at + 1], commands[at + 2] = 9, xy[:, 0], xy[:, 1]
    if polygon_spans is not None:
        lengths = polygon_spans[:, 1] - polygon_spans[:, 0]
        commands[np.repeat(start[is_polygon] - polygon_spans[:, 0], lengths) + np.arange(len(pieces))] = pieces
    types = np.where(is_point, mvt.POINT, mvt.POLYGON)
    return mvt.layer(name, EXTENT, np.asarray(ids, dtype=np.int64)[:n], types, commands, counts, props, keys)


@dataclass(frozen=True)
class Built:
    """A built tile: its MVT bytes, its ETag (a digest of the bytes, so the same tile has the same
    tag in every process and a changed tile a new one) and, when large enough to gain, the bytes
    gzip-compressed once."""

    body: bytes
    etag: str
    gzipped: bytes | None

    @classmethod
    def of(cls, body: bytes) -> "Built":
        tag = f'"{hashlib.blake2b(body, digest_size=10).hexdigest()}"'
        return cls(body, tag, compression.gzip_once(body) if len(body) >= GZIP_MIN else None)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


@dataclass(frozen=True)
class _Stamp:
    versions: dict[str, int]  # the store's spatial versions PostGIS's cached tiles of a collection are at
    generation: int


@dataclass(frozen=True)
class _LayerState:
    versions: dict[str, int]  # the stores' spatial versions the layer is at
    generation: int  # a new one per change of the layer: cached tiles built on an older one are stale
    layer: _Layer


def _at_least(have: dict[str, int], want: dict[str, int]) -> bool:
    return all(have.get(j, 0) >= v for j, v in want.items())


class _TileCache:
    """Per process: each collection's in-process layer per store, kept at the store's spatial
    versions by applying the change log, and the last TILE_CACHE_SIZE tiles built (within
    TILE_CACHE_BYTES), keyed by store, collection, encoder and address and stamped with what they
    were built from: a generation per collection and encoder. A change evicts only the cached
    tiles its features' envelopes touch (in process from the layer, for PostGIS's tiles from the
    change log); the others are stamped with the new generation."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.layers: dict[tuple[str, str], _LayerState] = {}
        self.stamps: dict[tuple[str, str], _Stamp] = {}  # PostGIS's tiles, per store and collection
        self.building: dict[tuple[str, ...], threading.Lock] = {}
        self.tiles: OrderedDict[tuple, tuple[Any, Built]] = OrderedDict()
        self.bytes = 0
        self.postgis: dict[str, bool] = {}
        self.generations = 0
        # layers built and caught up; tiles served from the cache or built, and dropped because a
        # change touched them ("evicted") or to stay within the cache's bounds ("overflow")
        self.counts = {"built": 0, "caught-up": 0, "postgis-caught-up": 0, "evicted": 0, "overflow": 0,
                       "served-cached": 0, "served-built": 0}

    def tile(self, key: tuple, stamp: Any, build: Callable[[], bytes]) -> Built:
        with self.lock:
            found = self.tiles.get(key)
            if found is not None and found[0] == stamp:
                self.tiles.move_to_end(key)
                self.counts["served-cached"] += 1
                return found[1]
        built = Built.of(build())
        with self.lock:
            self.counts["served-built"] += 1
            old = self.tiles.pop(key, None)
            if old is not None:
                self.bytes -= old[1].size
            self.tiles[key] = (stamp, built)
            self.bytes += built.size
            while self.tiles and (len(self.tiles) > TILE_CACHE_SIZE or self.bytes > TILE_CACHE_BYTES):
                _, (_, gone) = self.tiles.popitem(last=False)
                self.bytes -= gone.size
                self.counts["overflow"] += 1
        return built

    def figures(self) -> tuple[dict[str, int], int, int]:
        """(counts, tiles held, bytes held) now, for /metrics."""
        with self.lock:
            return dict(self.counts), len(self.tiles), self.bytes

    def layer(self, uow: AbstractUnitOfWork, c: TiledCollection, versions: dict[str, int]) -> _LayerState:
        """The collection's layer at `versions` (or later): built on first use, then caught up."""
        key = (uow.key if c.stored else "", c.id)
        with self.lock:
            cached = self.layers.get(key)
        if cached is not None and (not c.stored or _at_least(cached.versions, versions)):
            return cached
        with self.lock:
            building = self.building.setdefault(key, threading.Lock())
        with building:  # one build or catch-up per layer at a time: concurrent requests wait for it
            with self.lock:
                cached = self.layers.get(key)
            if cached is not None and (not c.stored or _at_least(cached.versions, versions)):
                return cached
            changed = None if cached is None else _changed_keys(uow, c.id, cached.versions, versions)
            if cached is not None and changed is not None:
                layer, boxes = (cached.layer.updated(changed, _stored_items(uow, c.id, changed)) if changed
                                else (cached.layer, np.empty((0, 4))))
                state = self._install(key, cached, versions, layer, boxes)
                self.counts["caught-up"] += 1
            else:
                layer = _Layer(_Base.of(_stored_items(uow, c.id) if c.stored else _boundary_items()))
                for k in c.properties:  # with the layer, not on the first tile that needs them
                    layer.base.column(k)
                state = self._install(key, None, versions, layer, None)
                self.counts["built"] += 1
        return state

    def _install(self, key: tuple[str, str], before: _LayerState | None, versions: dict[str, int], layer: _Layer,
                 boxes: np.ndarray | None) -> _LayerState:
        """Swap in a layer's new state (see `_carry`)."""
        with self.lock:
            generation = self._carry((*key, "py"), None if before is None else before.generation, boxes)
            state = self.layers[key] = _LayerState(versions, generation, layer)
        return state

    def _carry(self, prefix: tuple[str, str, str], before: int | None, boxes: np.ndarray | None) -> int:
        """The generation after a change of the tiles under `prefix` (store, collection, encoder),
        from `before`: the same when nothing changed. Cached tiles of `before` that no changed
        envelope (`boxes`, Mercator) touches carry over to the new one; the rest are dropped
        (all of them when `boxes` is None). Called with the lock held."""
        if before is not None and boxes is not None and not len(boxes):
            return before
        self.generations += 1
        for tkey, (stamp, built) in list(self.tiles.items()):
            if tkey[:3] != prefix:
                continue
            if before is not None and boxes is not None and stamp == before and not _touches(tkey[3:], boxes):
                self.tiles[tkey] = (self.generations, built)
            else:
                del self.tiles[tkey]
                self.bytes -= built.size
                self.counts["evicted"] += 1
        return self.generations

    def postgis_generation(self, uow: AbstractUnitOfWork, c: TiledCollection, versions: dict[str, int]) -> int:
        """The generation PostGIS's tiles of the collection are at, caught up with `versions`
        (or later) from the change log's envelopes."""
        key = (uow.key, c.id)
        with self.lock:
            stamp = self.stamps.get(key)
        if stamp is not None and _at_least(stamp.versions, versions):
            return stamp.generation
        with self.lock:
            building = self.building.setdefault((*key, "pg"), threading.Lock())
        with building:  # one catch-up per collection at a time
            with self.lock:
                stamp = self.stamps.get(key)
            if stamp is not None and _at_least(stamp.versions, versions):
                return stamp.generation
            boxes = None if stamp is None else _changed_boxes(uow, c.id, stamp.versions, versions)
            with self.lock:
                generation = self._carry((*key, "pg"), None if stamp is None else stamp.generation, boxes)
                self.stamps[key] = _Stamp(dict(versions), generation)
                if stamp is not None:
                    self.counts["postgis-caught-up"] += 1
        return generation

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
            self.stamps.clear()
            self.tiles.clear()
            self.bytes = 0
            self.postgis.clear()


def _touches(address: tuple[int, int, int], boxes: np.ndarray) -> bool:
    """Whether any of the Mercator `boxes` meets the tile at (z, x, y) grown by its buffer."""
    minx, miny, maxx, maxy = TileAddress(*address).mercator_bounds()
    pad = (maxx - minx) * BUFFER / EXTENT
    return bool(((boxes[:, 0] <= maxx + pad) & (boxes[:, 2] >= minx - pad)
                 & (boxes[:, 1] <= maxy + pad) & (boxes[:, 3] >= miny - pad)).any())


CACHE = _TileCache()


def spatial_versions(uow: AbstractUnitOfWork) -> dict[str, int]:
    """The store's spatial version per jurisdiction: every change to a tiled feature moves one."""
    with uow:
        return uow.tiles.spatial_versions()


def built_tile(uow: AbstractUnitOfWork, c: TiledCollection, tile: TileAddress,
               versions: dict[str, int] | None = None, *, engine: str | None = None) -> Built:
    """The tile, from this process's cache when nothing it shows has changed since it was built.
    `versions`: the store's spatial versions (read when not given; bundled collections need none).
    `engine` forces "postgis" or "python" (tests compare them); by default PostGIS builds stored
    collections when it can."""
    if versions is None:
        versions = spatial_versions(uow) if c.stored else {}
    use_postgis = engine == "postgis" or (engine is None and c.stored and CACHE.uses_postgis(uow))
    key = (uow.key if c.stored else "", c.id, "pg" if use_postgis else "py", tile.z, tile.x, tile.y)
    if use_postgis:
        return CACHE.tile(key, CACHE.postgis_generation(uow, c, versions), lambda: postgis_tile(uow, c, tile))
    state = CACHE.layer(uow, c, versions)
    return CACHE.tile(key, state.generation, lambda: encode(state.layer, c.id, tile, tile_keys(c, tile.z)))


def postgis_tile(uow: AbstractUnitOfWork, c: TiledCollection, tile: TileAddress) -> bytes:
    """The tile built by PostGIS (ST_AsMVT), uncached."""
    from maadan.store.tiles_repository import TileQuery

    unit = tile.unit_m()
    q = TileQuery(c.id, tile.z, tile.x, tile.y, tile.lonlat_bounds(BUFFER), EXTENT, BUFFER,
                  MIN_UNITS * unit, SIMPLIFY_UNITS * unit, tile_keys(c, tile.z))
    with uow:
        return uow.tiles.mvt(q, views.TILE_APPLICATION_STATES)


def build_tile(uow: AbstractUnitOfWork, c: TiledCollection, tile: TileAddress,
               versions: dict[str, int] | None = None, *, engine: str | None = None) -> bytes:
    """The tile's MVT bytes (see `built_tile`)."""
    return built_tile(uow, c, tile, versions, engine=engine).body


WARM_MAX_BYTES = TILE_CACHE_BYTES // 2  # warm-up leaves the other half of the tile cache to requests


@dataclass(frozen=True)
class Warmed:
    tiles: int  # tiles built (or found already built)
    bytes: int
    complete: bool  # False when it stopped at WARM_MAX_BYTES


def warm(uow: AbstractUnitOfWork, max_zoom: int, max_bytes: int = WARM_MAX_BYTES,
         stopped: Callable[[], bool] = lambda: False) -> Warmed:
    """Build and keep every tile of every tiled collection from zoom 0 to `max_zoom` that meets the
    extent of the titles and the public applications: the tiles a map's first views ask for, and
    at low zoom the largest (a z5 tile over a dense belt of 100,000 titles takes about a second).
    Zoom by zoom, so that when the tiles pass `max_bytes` the ones left out are the deeper ones.
    `stopped` is asked before each tile: true (the server is shutting down) ends it there."""
    with uow:
        boxes = [b for b in (uow.cadastre.titles_extent()[0],
                             uow.cadastre.applications_extent(views.TILE_APPLICATION_STATES)[0]) if b]
    if not boxes or max_zoom < 0:
        return Warmed(0, 0, True)
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    versions = spatial_versions(uow)
    count = size = 0
    for z in range(max_zoom + 1):
        for t in tms().tiles(west, south, east, north, [z]):
            for c in TILED.values():
                if stopped():
                    return Warmed(count, size, False)
                built = built_tile(uow, c, TileAddress(z, t.x, t.y), versions if c.stored else {})
                count += 1
                size += built.size
                if size > max_bytes:
                    return Warmed(count, size, False)
    return Warmed(count, size, True)
