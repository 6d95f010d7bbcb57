"""GeoJSON files read by Maadan's own code (the standard library's JSON parser and Shapely), never by
GDAL: a GeoJSON upload is JSON and nothing else, whatever else its bytes could be taken for.
Features and positions are counted against the caps before any geometry is built."""

from __future__ import annotations

import json
from typing import Any

import shapely
from shapely.errors import GEOSException

from maadan.ingest.formats import Limits, check_counts, refuse

# How deep the coordinates of each geometry type nest down to its positions.
DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def read_geojson(data: bytes, name: str, limits: Limits):
    """(fields, rows, wkb list, declared CRS name or None) of a FeatureCollection, a Feature or a bare
    geometry; InvalidInput saying which feature and what is wrong."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(name, f"is not UTF-8 text (bad byte at offset {exc.start})", offset=exc.start) from None
    try:
        doc = json.loads(text)
    except RecursionError:
        raise refuse(name, "nests JSON arrays or objects too deeply to be GeoJSON") from None
    except ValueError as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise refuse(name, f"is not valid JSON{where}") from None
    if not isinstance(doc, dict):
        raise refuse(name, "is not a GeoJSON object ({\"type\": ...})")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise refuse(name, "its FeatureCollection has no \"features\" list")
    elif kind == "Feature":
        features = [doc]
    elif kind in DEPTH:
        features = [{"type": "Feature", "properties": {}, "geometry": doc}]
    else:
        raise refuse(name, f"has GeoJSON type {str(kind)[:40]!r}; give a FeatureCollection, a Feature or a geometry")
    check_counts(name, limits, len(features), None)
    fields: dict[str, None] = {}
    rows: list[dict[str, Any]] = []
    wkb: list[bytes | None] = []
    vertices = 0
    for i, feature in enumerate(features):
        where = f"features[{i}]" if kind == "FeatureCollection" else "the feature"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise refuse(name, f"{where} is not a GeoJSON Feature", feature=i)
        props = feature.get("properties")
        if props is not None and not isinstance(props, dict):
            raise refuse(name, f"{where}.properties is not an object", feature=i)
        row = {str(k): _plain(v) for k, v in (props or {}).items()}
        fields.update(dict.fromkeys(row))
        geometry = feature.get("geometry")
        if geometry is None:
            rows.append(row)
            wkb.append(None)
            continue
        vertices += _positions(geometry, f"{where}.geometry", name)
        check_counts(name, limits, None, vertices)
        try:
            built = shapely.geometry.shape(geometry)
        except (TypeError, ValueError, AttributeError, IndexError, KeyError, GEOSException):
            raise refuse(name, f"{where}.geometry: the coordinates do not make a {geometry['type']}", feature=i) from None
        rows.append(row)
        wkb.append(shapely.to_wkb(built))
    return list(fields), rows, wkb, _crs_name(doc.get("crs"))


def _positions(geometry: Any, where: str, name: str) -> int:
    """The number of positions in a geometry, checking only the nesting (numbers are Shapely's job)."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in DEPTH:
        shown = str(kind)[:40] if kind is not None else "no type"
        raise refuse(name, f"{where} has {shown!r}; give a Polygon or MultiPolygon "
                           "(GeometryCollections are not read)")
    level = [geometry.get("coordinates")]
    for _ in range(DEPTH[kind]):
        if not all(isinstance(x, list) for x in level):
            raise refuse(name, f"{where}.coordinates do not nest as a {kind}'s")
        level = [y for x in level for y in x]
    if not all(isinstance(p, list) for p in level):
        raise refuse(name, f"{where}.coordinates do not nest as a {kind}'s")
    return len(level)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False)


def _crs_name(member: Any) -> str | None:
    """The name in a legacy (2008) `crs` member, e.g. urn:ogc:def:crs:EPSG::32642."""
    if not isinstance(member, dict) or not isinstance(member.get("properties"), dict):
        return None
    props = member["properties"]
    if member.get("type") == "name" and isinstance(props.get("name"), str):
        return props["name"][:200]
    if str(member.get("type", "")).upper() == "EPSG" and props.get("code") is not None:
        return f"EPSG:{str(props['code'])[:12]}"
    return None
