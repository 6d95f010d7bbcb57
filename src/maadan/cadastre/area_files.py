"""An area uploaded as a file for the application form (GeoJSON, zipped Shapefile, GeoPackage, KML
or CSV with a WKT column): read as the format its name declares and nothing else (see
`ingest.geofiles.read_bytes`), capped well below a bulk import, and returned as the union of its
polygons in WGS 84 lon/lat. Supported CRSs are reprojected; any other is refused with a message
that says which CRS the file has and which ones Maadan reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np
import shapely
from shapely.errors import GEOSException

from maadan.cadastre.geometry import SUPPORTED_CRS, WGS84, GeometryError, normalise_crs
from maadan.errors import InvalidInput
from maadan.ingest.formats import Limits

SUFFIXES = ".geojson, .json, .zip (Shapefile), .gpkg, .kml or .csv"
# An application's area is one block: a few polygons, a few thousand vertices. The caps sit far
# above that and far below what would keep a worker busy (the request body is capped too).
UPLOAD_LIMITS = Limits(max_bytes=50_000_000, max_features=1_000, max_vertices=100_000)


@dataclass(frozen=True)
class UploadedArea:
    geometry: Any  # shapely, WGS 84 lon/lat
    features: int
    source_crs: str


def display_name(filename: str | None) -> str:
    """The uploaded file's own name, without any folders, short and printable, for messages."""
    name = PurePath((filename or "").replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable())[:100]
    return name or "the file"


def _to_wgs84(geometry: Any, crs: str) -> Any:
    from pyproj import Transformer

    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def read_area(data: bytes, filename: str | None, limits: Limits = UPLOAD_LIMITS) -> UploadedArea:
    """The union of the polygons in the file, in WGS 84."""
    from maadan.ingest import geofiles

    name = display_name(filename)
    key = geofiles.format_from_name(name)
    if key is None:
        raise InvalidInput(f"file: {name} is not a file Maadan reads: give {SUFFIXES}",
                           details={"file": name})
    records = geofiles.read_bytes(data, name, key, limits)
    try:
        geoms = list(shapely.from_wkb([w for w in records.wkb if w is not None]))
    except GEOSException:
        raise InvalidInput(f"file: {name}: its geometries cannot be read") from None
    if not geoms:
        raise InvalidInput(f"file: {name} holds no geometry")
    kinds = sorted({g.geom_type for g in geoms} - {"Polygon", "MultiPolygon"})
    if kinds:
        raise InvalidInput(f"file: {name} holds {', '.join(kinds)}; an area must be polygons")
    try:
        area = shapely.union_all(geoms)
    except GEOSException:
        raise InvalidInput(f"file: {name}: its polygons are not valid (e.g. a ring crosses itself)") from None
    crs = WGS84
    declared = records.crs
    if declared and declared.upper() not in ("EPSG:4326", "OGC:CRS84"):
        try:
            crs = normalise_crs(declared)
        except GeometryError:
            supported = ", ".join(sorted(SUPPORTED_CRS))
            shown = declared if len(declared) <= 80 else declared[:77] + "..."
            raise InvalidInput(f"file: {name} is in {shown}, which Maadan does not read; export it in "
                               f"one of {supported} (WGS 84 lon/lat, or UTM 41N/42N/43N)",
                               details={"crs": shown, "supported": sorted(SUPPORTED_CRS)}) from None
        if crs != WGS84:
            area = _to_wgs84(area, crs)
    minx, miny, maxx, maxy = area.bounds
    if not np.isfinite([minx, miny, maxx, maxy]).all() or minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise InvalidInput(f"file: {name} declares no CRS and its coordinates are not lon/lat (WGS 84); "
                           "they look projected (e.g. UTM): export it with its .prj, or in EPSG:4326")
    return UploadedArea(area, len(geoms), crs)
