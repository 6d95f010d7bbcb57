"""Areas for the cadastre: GeoJSON (WGS 84 or UTM) in, a checked lon/lat polygon out, or a set of
cadastral grid cells. Every refusal is a GeometryError whose message says what is wrong and where.

Conventions, fixed here for the whole cadastre:
- geometries are Shapely (Multi)Polygons in WGS 84 [longitude, latitude], exterior rings
  counter-clockwise and holes clockwise (RFC 7946);
- areas in km² come from one equal-area projection, EPSG:6933 (Lambert cylindrical equal-area
  on the WGS 84 ellipsoid), applied to whole coordinate arrays at once (`area_km2`). It agrees
  with pyproj.Geod's geodesic area to about 1e-5 for title-sized polygons, and the spatial index
  uses the same function, so an overlap never exceeds either area;
- vertex counts count positions as written, each ring's closing position included.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from numbers import Real
from typing import Any, Protocol, Sequence

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from maadan.errors import InvalidInput


class Boundary(Protocol):
    """What the check against a jurisdiction needs of its outline (boundaries.Boundary has it)."""

    code: str
    name: str
    geometry: BaseGeometry
    caveat: str
    area_km2: float

WGS84 = "EPSG:4326"
SUPPORTED_CRS = frozenset({"EPSG:4326", "EPSG:32641", "EPSG:32642", "EPSG:32643"})
CRS_NAMES = {
    "EPSG:4326": "WGS 84 longitude/latitude",
    "EPSG:32641": "UTM zone 41N",
    "EPSG:32642": "UTM zone 42N",
    "EPSG:32643": "UTM zone 43N",
}
EQUAL_AREA_CRS = "EPSG:6933"
_NUMBER_TYPES = {int, float}
_CRS84 = {"CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84", "URN:OGC:DEF:CRS:OGC::CRS84",
          "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84", "WGS84", "WGS 84"}
_EPSG_FORMS = re.compile(r"(?:EPSG:{1,2}|URN:OGC:DEF:CRS:EPSG:[\d.]*:|HTTPS?://WWW\.OPENGIS\.NET/DEF/CRS/EPSG/[\d.]+/)(\d+)")
_NOT_AREAS = {"Point", "MultiPoint", "LineString", "MultiLineString"}
_KNOWN_TYPES = {"Polygon", "MultiPolygon", "Feature", "FeatureCollection", "GeometryCollection", *_NOT_AREAS}
_REASON = re.compile(r"^(?P<what>[^\[]+?)\s*\[(?P<x>\S+) (?P<y>\S+)\]$")
_EXPLAIN = {
    "Self-intersection": "edges cross each other (a bow-tie or figure-eight, or overlapping parts of a "
                         "MultiPolygon): order the vertices so the outline never crosses itself",
    "Ring Self-intersection": "a ring touches itself at a point: split it into separate polygons",
    "Hole lies outside shell": "a hole (ring 1 or later) lies outside the exterior ring (ring 0)",
    "Nested holes": "a hole lies inside another hole",
    "Interior is disconnected": "holes cut the polygon into separate pieces: give a MultiPolygon instead",
    "Nested shells": "one polygon of the MultiPolygon lies inside another",
    "Duplicate Rings": "two rings are identical",
    "Too few points": "a ring has fewer than 3 distinct corners",
}


class GeometryError(InvalidInput):
    """An area that cannot be used; `details` locates the problem (polygon, ring, vertex, coordinates)."""

    code = "invalid_geometry"


@dataclass(frozen=True)
class Area:
    """A checked area: lon/lat WGS 84 geometry, oriented, with its size and where it came from."""

    geometry: BaseGeometry  # shapely Polygon or MultiPolygon
    source_crs: str
    area_km2: float  # equal-area (EPSG:6933), see the module docstring
    vertex_count: int  # positions, closing positions included
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


# --- areas and coordinate systems -----------------------------------------------------------------

@lru_cache(maxsize=None)
def transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)  # pyproj Transformers are thread-safe


def rectangles(geometries: np.ndarray, bounds: np.ndarray | None = None) -> np.ndarray:
    """Which geometries are their envelope exactly: a polygon of one ring whose four vertices are
    the four corners of its envelope, each once (so no tolerance: a corner off by a micrometre is
    not one). A graticular block is one in lon/lat and stays one in any projection that computes x
    from the longitude alone and y from the latitude alone (Web Mercator, EPSG:6933), so the
    spatial index, the tiles and a page in a bbox treat it by its envelope without parsing or
    intersecting the shape. A ring on the four corners in a crossing order is not a valid polygon;
    areas are checked before they are stored. `bounds`: the geometries' own, if known."""
    out = np.zeros(len(geometries), dtype=bool)
    if not len(geometries):
        return out
    if bounds is None:
        bounds = shapely.bounds(geometries)
    which = np.flatnonzero((shapely.get_type_id(geometries) == 3) & (shapely.get_num_coordinates(geometries) == 5))
    if not len(which):
        return out
    xy = shapely.get_coordinates(geometries[which]).reshape(-1, 5, 2)[:, :4]  # the fifth closes the ring
    b = bounds[which]
    east, north = xy[:, :, 0] == b[:, None, 2], xy[:, :, 1] == b[:, None, 3]
    on_corners = ((xy[:, :, 0] == b[:, None, 0]) | east).all(axis=1) & ((xy[:, :, 1] == b[:, None, 1]) | north).all(axis=1)
    corner = east.astype(np.int8) * 2 + north  # 0 south-west, 1 north-west, 2 south-east, 3 north-east
    each_once = (np.sort(corner, axis=1) == np.arange(4)).all(axis=1)
    out[which] = on_corners & each_once & (b[:, 2] > b[:, 0]) & (b[:, 3] > b[:, 1])
    return out


def area_km2(geometry: Any) -> Any:
    """Area in km² of lon/lat geometries (one or an array), projected once to EPSG:6933."""
    ea = transformer(WGS84, EQUAL_AREA_CRS)
    projected = shapely.transform(geometry, lambda xy: np.column_stack(ea.transform(xy[:, 0], xy[:, 1])))
    return shapely.area(projected) / 1e6


def normalise_crs(crs: str) -> str:
    """'EPSG:32642', 'urn:ogc:def:crs:EPSG::32642', CRS84 and similar forms to 'EPSG:<code>'."""
    text = str(crs).strip().upper()
    if text in _CRS84:
        return WGS84
    match = _EPSG_FORMS.fullmatch(text)
    if match and f"EPSG:{int(match[1])}" in SUPPORTED_CRS:
        return f"EPSG:{int(match[1])}"
    supported = ", ".join(f"{c} ({CRS_NAMES[c]})" for c in sorted(SUPPORTED_CRS))
    raise GeometryError(f"unknown or unsupported CRS {crs!r}: give one of {supported}",
                        details={"crs": str(crs), "supported": sorted(SUPPORTED_CRS)})


def _crs_member(member: Any) -> str:
    """The CRS named by a legacy (2008) GeoJSON `crs` member."""
    props = member.get("properties") if isinstance(member, dict) else None
    if isinstance(props, dict) and member.get("type") == "name" and isinstance(props.get("name"), str):
        return normalise_crs(props["name"])
    if isinstance(props, dict) and str(member.get("type", "")).upper() == "EPSG" and props.get("code") is not None:
        return normalise_crs(f"EPSG:{props['code']}")
    raise GeometryError('the "crs" member is not understood: use {"type": "name", "properties": '
                        '{"name": "urn:ogc:def:crs:EPSG::32642"}} or pass the CRS separately',
                        details={"crs": member if isinstance(member, (dict, str)) else repr(member)})


# --- reading GeoJSON ------------------------------------------------------------------------------

def _load(data: Any) -> dict:
    if hasattr(data, "__geo_interface__"):
        data = data.__geo_interface__
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise GeometryError(f"not UTF-8 text: bad byte at offset {exc.start}", details={"offset": exc.start}) from None
    if isinstance(data, str):
        if not data.strip():
            raise GeometryError("empty input: give a GeoJSON Polygon or MultiPolygon")
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise GeometryError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                                details={"line": exc.lineno, "column": exc.colno}) from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise GeometryError(f"GeoJSON must be an object ({{\"type\": ...}}), got {kind}")
    return data


def _type_of(obj: dict, where: str) -> str:
    kind = obj.get("type")
    at = "" if where == "the GeoJSON" else f" at {where}"
    if kind is None:
        raise GeometryError(f'missing "type"{at}: give a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection',
                            details={"path": where})
    if not isinstance(kind, str) or kind not in _KNOWN_TYPES:
        close = [k for k in _KNOWN_TYPES if isinstance(kind, str) and k.lower() == kind.lower()]
        hint = f" (types are case-sensitive: did you mean {close[0]!r}?)" if close else \
            ": give a Polygon, MultiPolygon, Feature or FeatureCollection"
        raise GeometryError(f"unknown GeoJSON type {kind!r}{at}{hint}", details={"path": where, "type": kind})
    return kind


def _unwrap(obj: dict) -> tuple[dict, Any, str]:
    """The geometry object inside a FeatureCollection/Feature, the first `crs` member met, its path."""
    where, crs = "the GeoJSON", obj.get("crs")
    kind = _type_of(obj, where)
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list) or len(features) != 1:
            n = len(features) if isinstance(features, list) else 0
            raise GeometryError(f"a FeatureCollection with {n} features: give exactly one feature holding "
                                "one Polygon or MultiPolygon", details={"features": n})
        obj, where = features[0], "features[0]"
        if not isinstance(obj, dict):
            raise GeometryError(f"{where} is not a GeoJSON object", details={"path": where})
        crs = crs if crs is not None else obj.get("crs")
        kind = _type_of(obj, where)
        if kind != "Feature":
            raise GeometryError(f"{where} is a {kind}, not a Feature", details={"path": where})
    if kind == "Feature":
        geometry = obj.get("geometry")
        where = "geometry" if where == "the GeoJSON" else f"{where}.geometry"
        if geometry is None:
            raise GeometryError("empty geometry: the Feature's geometry is null", details={"path": where})
        if not isinstance(geometry, dict):
            raise GeometryError(f"{where} is not a GeoJSON object", details={"path": where})
        crs = crs if crs is not None else geometry.get("crs")
        obj, kind = geometry, _type_of(geometry, where)
    if kind in _NOT_AREAS:
        raise GeometryError(f"a {kind} is not an area: give a Polygon or MultiPolygon", details={"type": kind})
    if kind == "GeometryCollection":
        raise GeometryError("a GeometryCollection is not accepted: give one Polygon, or a MultiPolygon for "
                            "several parts", details={"type": kind})
    if kind not in ("Polygon", "MultiPolygon"):
        raise GeometryError(f"{where} is a {kind} inside a geometry: give a Polygon or MultiPolygon")
    return obj, crs, "" if where == "the GeoJSON" else where + "."


def _where(polygon: int | None, ring: int, vertex: int | None = None) -> tuple[str, dict]:
    """Human and machine locations: 'polygon 1, ring 0, vertex 3 (coordinates[1][0][3])'."""
    path = "coordinates" + (f"[{polygon}]" if polygon is not None else "") + f"[{ring}]"
    text = (f"polygon {polygon}, " if polygon is not None else "") + f"ring {ring}"
    details: dict[str, Any] = {"ring": ring} if polygon is None else {"polygon": polygon, "ring": ring}
    if vertex is not None:
        text, path = f"{text}, vertex {vertex}", f"{path}[{vertex}]"
        details["vertex"] = vertex
    return f"{text} ({path})", details


def _show(value: Any) -> str:
    """A position as the user wrote it, in JSON terms: [62.2, NaN], null, [62.2, "29"]."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Real) and not isinstance(value, bool):
        v = float(value)
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity") if math.isinf(v) else repr(value)
    return json.dumps(value) if isinstance(value, (str, bool, type(None))) else repr(value)


def _json_safe(values: Any) -> list:
    out = []
    for v in values if isinstance(values, (list, tuple, np.ndarray)) else [values]:
        if isinstance(v, bool) or not isinstance(v, Real):
            out.append(v if v is None or isinstance(v, (str, int)) else repr(v))
        else:
            out.append(float(v) if math.isfinite(v) else ("NaN" if math.isnan(v) else repr(float(v))))
    return out


def _rings(kind: str, coords: Any, max_vertices: int) -> tuple[list[list[list]], int]:
    """Polygons as lists of raw rings, checking the nesting and counting positions before anything
    is converted, so that an oversized input is refused in time proportional to its ring count."""
    if not isinstance(coords, (list, tuple)):
        raise GeometryError(f"{kind} coordinates must be a list, got {type(coords).__name__}")
    if not coords:
        raise GeometryError(f"empty geometry: the {kind} has no coordinates")
    polygons = [coords] if kind == "Polygon" else list(coords)
    total = 0
    for p, rings in enumerate(polygons):
        pidx = None if kind == "Polygon" else p
        if kind == "MultiPolygon":
            if not isinstance(rings, (list, tuple)) or not rings or isinstance(rings[0], Real):
                what = "empty" if isinstance(rings, (list, tuple)) and not rings else "not a list of rings"
                raise GeometryError(f"polygon {p} (coordinates[{p}]) is {what}: a MultiPolygon's coordinates are "
                                    "a list of polygons, each a list of rings of [longitude, latitude] positions",
                                    details={"polygon": p})
            if isinstance(rings[0], (list, tuple)) and rings[0] and isinstance(rings[0][0], Real):
                raise GeometryError(f"wrong nesting: coordinates[{p}] is a ring, not a polygon; a MultiPolygon "
                                    "needs one more level of brackets (or is this a Polygon?)", details={"polygon": p})
        for r, ring in enumerate(rings):
            loc, details = _where(pidx, r)
            if isinstance(ring, Real) or ring is None:
                raise GeometryError(f"wrong nesting: {loc} is a {'number' if ring is not None else 'null'}, not "
                                    f"a ring; {kind} coordinates are "
                                    + ("a list of rings" if kind == "Polygon" else "a list of polygons")
                                    + ", each a list of [longitude, latitude] positions", details=details)
            if not isinstance(ring, (list, tuple)):
                raise GeometryError(f"{loc} must be a list of positions, got {type(ring).__name__}", details=details)
            if ring and isinstance(ring[0], Real):
                raise GeometryError(f"wrong nesting: {loc} is a single position, not a ring; wrap the ring "
                                    "in one more list: [[[lon, lat], [lon, lat], ...]]", details=details)
            total += len(ring)
            if total > max_vertices:
                break
        if total > max_vertices:
            break
    if total > max_vertices:
        raise GeometryError(f"too many vertices: more than {max_vertices:,} given (counted {total:,} before "
                            f"stopping); the limit is {max_vertices:,}",
                            details={"counted": total, "limit": max_vertices})
    return [list(rings) for rings in polygons], total


def _ring_array(ring: list, pidx: int | None, r: int) -> np.ndarray:
    """One ring as an (n, 2) float array, after checking every position is 2 (or 3) finite numbers."""
    arr = None
    try:  # fast path: C-level type and length checks, then one conversion
        if set(map(type, chain.from_iterable(ring))) <= _NUMBER_TYPES and set(map(len, ring)) <= {2, 3}:
            arr = np.array(ring, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 2:
        for j, pos in enumerate(ring):
            loc, details = _where(pidx, r, j)
            ok = isinstance(pos, (list, tuple)) and len(pos) in (2, 3) and all(
                isinstance(v, Real) and not isinstance(v, bool) for v in pos)
            if not ok:
                details["coordinates"] = _json_safe(pos) if isinstance(pos, (list, tuple)) else _json_safe(pos)[0]
                raise GeometryError(f"{loc}: {_show(pos)} is not a position of two numbers [longitude, latitude]",
                                    details=details)
        arr = np.array([[float(v) for v in pos[:2]] for pos in ring], dtype=np.float64).reshape(-1, 2)
    arr = np.ascontiguousarray(arr[:, :2])
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        j = int(np.argmax(bad))
        loc, details = _where(pidx, r, j)
        details["coordinates"] = _json_safe(arr[j])
        raise GeometryError(f"{loc}: {_show(arr[j])} is not two finite numbers (NaN or infinity)", details=details)
    loc, details = _where(pidx, r)
    if len(arr) < 4:
        raise GeometryError(f"{loc} has {len(arr)} positions; a ring needs at least 4 (three corners and the "
                            "first repeated at the end)", details={**details, "positions": len(arr)})
    if not np.array_equal(arr[0], arr[-1]):
        first, last = arr[0].tolist(), arr[-1].tolist()
        raise GeometryError(f"{loc} is not closed: the first position {first} differs from the last {last}; "
                            "repeat the first position at the end", details={**details, "first": first, "last": last})
    return arr


def _check_range(rings: list[list[np.ndarray]], multi: bool, crs: str) -> None:
    """Coordinates that cannot be in `crs`: name the vertex and guess the likely mistake."""
    if crs != WGS84 and all(np.all(np.abs(a[:, 0]) <= 180) and np.all(np.abs(a[:, 1]) <= 90) for p in rings for a in p):
        raise GeometryError(f"every coordinate lies within 180 of zero: these look like degrees, not "
                            f"{CRS_NAMES[crs]} metres: give the CRS as EPSG:4326 or leave it out",
                            details={"crs": crs, "coordinates": rings[0][0][0].tolist()})
    for p, polygon in enumerate(rings):
        for r, arr in enumerate(polygon):
            x, y = arr[:, 0], arr[:, 1]
            if crs == WGS84:
                bad = (np.abs(x) > 180) | (np.abs(y) > 90)
            else:
                bad = (x < 0) | (x > 1_000_000) | (y < 0) | (y > 10_000_000)
            if not bad.any():
                continue
            j = int(np.argmax(bad))
            loc, details = _where(p if multi else None, r, j)
            lon, lat = float(x[j]), float(y[j])
            details["coordinates"] = [lon, lat]
            if crs == WGS84 and (abs(lon) > 1000 or abs(lat) > 1000):
                hint = ("these look like projected metres, not degrees: give the CRS, e.g. EPSG:32642 "
                        "(UTM 42N) or EPSG:32641 (UTM 41N)")
            elif crs == WGS84 and abs(lat) > 90 and abs(lon) <= 90:
                hint = "latitude and longitude look swapped: GeoJSON order is [longitude, latitude]"
            elif crs == WGS84:
                hint = "longitude must lie in [-180, 180] and latitude in [-90, 90]"
            elif abs(lon) <= 180 and abs(lat) <= 90:
                hint = f"these look like degrees, not {CRS_NAMES[crs]} metres: give the CRS as EPSG:4326 or leave it out"
            else:
                hint = f"{CRS_NAMES[crs]} easting must lie in 0-1,000,000 m and northing in 0-10,000,000 m"
            raise GeometryError(f"{loc}: {[lon, lat]} is out of range for {crs}: {hint}", details=details)


def _build(rings: list[list[np.ndarray]], multi: bool) -> BaseGeometry:
    polygons = [shapely.Polygon(polygon[0], polygon[1:]) for polygon in rings]
    return shapely.MultiPolygon(polygons) if multi else polygons[0]


def _check_valid(geometry: BaseGeometry, crs: str) -> None:
    reason = shapely.is_valid_reason(geometry)
    if reason == "Valid Geometry":
        return
    match = _REASON.match(reason or "")
    what = match["what"] if match else (reason or "invalid")
    details: dict[str, Any] = {"reason": reason}
    where = ""
    if match:
        point = [float(match["x"]), float(match["y"])]
        details["coordinates"] = point
        where = f" at {_show(point)} ({'longitude, latitude' if crs == WGS84 else crs + ' metres'}"
        if geometry.geom_type == "Polygon":  # name the ring that passes closest to the point
            rings = shapely.get_rings(geometry)
            details["ring"] = int(np.argmin(shapely.distance(rings, shapely.Point(point))))
            where += f", ring {details['ring']}"
        where += ")"
    explain = _EXPLAIN.get(what, "the geometry breaks the OGC simple-feature rules")
    raise GeometryError(f"the {geometry.geom_type} is not valid: {reason}{where}: {explain}", details=details)


def finish(geometry: BaseGeometry, source_crs: str) -> Area:
    geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    return Area(geometry=geometry, source_crs=source_crs, area_km2=float(area_km2(geometry)),
                vertex_count=int(shapely.get_num_coordinates(geometry)), bounds=tuple(geometry.bounds))


def _check_boundary(area: Area, boundary: Boundary) -> None:
    if area.area_km2 > boundary.area_km2:
        raise GeometryError(f"the area is {area.area_km2:,.1f} km², larger than the whole of {boundary.name} "
                            f"({boundary.area_km2:,.0f} km²): check the coordinates and the CRS",
                            details={"area_km2": area.area_km2, "boundary": boundary.code,
                                     "boundary_km2": boundary.area_km2})
    if shapely.covers(boundary.geometry, area.geometry):
        return
    swapped = shapely.transform(area.geometry, lambda xy: xy[:, ::-1])
    if shapely.covers(boundary.geometry, swapped):
        raise GeometryError(f"the area lies outside {boundary.name}, but would fall inside it with each pair "
                            "reversed: latitude and longitude look swapped: GeoJSON order is [longitude, latitude]",
                            details={"boundary": boundary.code, "swapped": True})
    note = f" (boundary used: {boundary.caveat.split('.')[0]})" if boundary.caveat else ""
    if not shapely.intersects(boundary.geometry, area.geometry):
        raise GeometryError(f"the area lies entirely outside {boundary.name} (area bounds "
                            f"{[round(b, 5) for b in area.bounds]}, {boundary.name} bounds "
                            f"{[round(b, 5) for b in boundary.geometry.bounds]})",
                            details={"boundary": boundary.code, "outside_km2": area.area_km2})
    outside = float(area_km2(shapely.difference(area.geometry, boundary.geometry)))
    raise GeometryError(f"{outside:,.3f} km² of the area ({100 * outside / area.area_km2:.1f}%) lies outside "
                        f"{boundary.name}{note}", details={"boundary": boundary.code, "outside_km2": outside})


def parse_area(data: str | bytes | dict, *, crs: str | None = None, max_vertices: int = 10_000,
               boundary: Boundary | None = None) -> Area:
    """A GeoJSON Polygon or MultiPolygon (bare, in a Feature, or in a one-feature FeatureCollection)
    as a checked Area in WGS 84; anything unusable raises GeometryError saying what and where.

    The CRS is `crs`, else a legacy GeoJSON `crs` member, else WGS 84 [longitude, latitude].
    Positions may carry a third number (elevation), which is dropped. Rings must be closed as
    written: an unclosed ring is refused, not repaired."""
    geometry_obj, crs_member, prefix = _unwrap(_load(data))
    source_crs = normalise_crs(crs) if crs is not None else (_crs_member(crs_member) if crs_member is not None else WGS84)
    kind = geometry_obj["type"]
    multi = kind == "MultiPolygon"
    try:
        raw, _ = _rings(kind, geometry_obj.get("coordinates"), max_vertices)
        rings = [[_ring_array(ring, p if multi else None, r) for r, ring in enumerate(polygon)]
                 for p, polygon in enumerate(raw)]
        _check_range(rings, multi, source_crs)
    except GeometryError as exc:
        if prefix:  # say where inside a Feature the coordinates were
            exc.details.setdefault("path", prefix + "coordinates")
        raise
    geometry = _build(rings, multi)
    _check_valid(geometry, source_crs)
    min_x, min_y, max_x, max_y = geometry.bounds
    if shapely.area(geometry) <= 1e-12 * max((max_x - min_x) ** 2 + (max_y - min_y) ** 2, 1e-300):
        raise GeometryError("the area has zero size: its corners lie on one line or at one point",
                            details={"area_km2": 0.0})
    if source_crs != WGS84:
        to_wgs84 = transformer(source_crs, WGS84)
        geometry = shapely.transform(geometry, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
        if not np.isfinite(shapely.get_coordinates(geometry)).all():
            raise GeometryError(f"the coordinates cannot be transformed from {source_crs} to WGS 84: "
                                "check the CRS", details={"crs": source_crs})
        _check_valid(geometry, WGS84)
    area = finish(geometry, source_crs)
    if boundary is not None:
        _check_boundary(area, boundary)
    return area


def parse_areas_wkb(wkbs: Sequence[bytes | None], boundary: Boundary, max_vertices: int = 10_000) -> list[Area | None]:
    """Many WKB areas in WGS 84 checked at once, for bulk imports: each that passes every check of
    `parse_area` in vectorised form (a 2D Polygon or MultiPolygon of finite lon/lat, valid, of
    non-zero size, within the vertex limit, inside `boundary`) becomes its Area, exactly as
    `parse_area` would make it; each other is None, for `parse_area` to refuse with the reason (or
    to accept: a Z coordinate it drops, say). Vectorised over Shapely arrays: no Python per area."""
    n = len(wkbs)
    out: list[Area | None] = [None] * n
    if not n:
        return out
    raw = np.empty(n, dtype=object)
    raw[:] = list(wkbs)
    present = np.array([w is not None for w in wkbs], dtype=bool)
    geoms = np.full(n, None, dtype=object)
    if present.any():
        geoms[present] = shapely.from_wkb(raw[present], on_invalid="ignore")
    ok = present & ~shapely.is_missing(geoms)
    ok &= np.isin(shapely.get_type_id(geoms), (3, 6)) & ~shapely.is_empty(geoms) & ~shapely.has_z(geoms)
    idx = np.flatnonzero(ok)
    g = geoms[idx]
    count = shapely.get_num_coordinates(g)
    b = shapely.bounds(g)
    good = (count <= max_vertices) & np.isfinite(b).all(axis=1)
    good &= (b[:, 0] >= -180) & (b[:, 2] <= 180) & (b[:, 1] >= -90) & (b[:, 3] <= 90)
    good &= shapely.is_valid(g)
    diag2 = np.maximum((b[:, 2] - b[:, 0]) ** 2 + (b[:, 3] - b[:, 1]) ** 2, 1e-300)
    good &= shapely.area(g) > 1e-12 * diag2
    idx, g, count, b = idx[good], g[good], count[good], b[good]
    if not len(idx):
        return out
    g = shapely.orient_polygons(g, exterior_cw=False)
    km2 = area_km2(g)
    inside = km2 <= boundary.area_km2
    prepared = shapely.transform(boundary.geometry, lambda xy: xy)  # a private copy, safe to prepare
    shapely.prepare(prepared)
    inside[inside] = shapely.covers(prepared, g[inside])
    for i, geom, a, c, bb in zip(idx[inside].tolist(), g[inside], km2[inside].tolist(), count[inside].tolist(),
                                 b[inside].tolist()):
        out[i] = Area(geometry=geom, source_crs=WGS84, area_km2=float(a), vertex_count=int(c), bounds=tuple(bb))
    return out


def to_geojson(geometry: BaseGeometry | Area) -> dict:
    """A GeoJSON geometry object (plain lists, full precision) for a Shapely geometry or an Area."""
    geometry = geometry.geometry if isinstance(geometry, Area) else geometry

    def rings(polygon: Any) -> list:
        return [shapely.get_coordinates(r).tolist() for r in [polygon.exterior, *polygon.interiors]]

    if geometry.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": rings(geometry)}
    if geometry.geom_type == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [rings(p) for p in geometry.geoms]}
    return json.loads(shapely.to_geojson(geometry))
