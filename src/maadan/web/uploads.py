"""An area uploaded as a file (zipped Shapefile, GeoPackage, GeoJSON) for the application form:
zips are checked before anything is unpacked (entry count, unpacked size, paths), the layer's CRS
is read, and the polygons come back in WGS 84 lon/lat. Supported CRSs are reprojected; any other
is refused with a message that says which CRS the file has and which ones Maadan reads.
The form's script posts the file to /cadastre/upload-area and reads JSON back."""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import shapely

from fastapi import APIRouter, Depends, File, UploadFile

from maadan.auth.model import User
from maadan.cadastre.geometry import SUPPORTED_CRS, GeometryError, normalise_crs
from maadan.errors import InvalidInput
from maadan.http.security import csrf_protect, require_role

router = APIRouter(include_in_schema=False)  # JSON for the form's script, not a page

SUFFIXES = (".zip", ".gpkg", ".geojson", ".json")
MAX_ZIP_ENTRIES = 20  # a Shapefile is 3 to 8 files; a zip with more is not one area
MAX_UNPACKED_BYTES = 50_000_000  # a zip may not unpack to more than this (zip bombs)
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class UploadedArea:
    geometry: Any  # shapely, WGS 84 lon/lat
    features: int
    source_crs: str


def check_zip(data: bytes, name: str) -> None:
    """InvalidInput for a zip that is broken, holds too many entries, unpacks too large or names
    paths outside itself; read from the central directory only, nothing is unpacked."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = zf.infolist()
    except zipfile.BadZipFile:
        raise InvalidInput(f"file: {name} is not a zip file") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise InvalidInput(f"file: {name} holds {len(entries)} files; a zipped Shapefile holds at most "
                           f"{MAX_ZIP_ENTRIES} (.shp, .shx, .dbf, .prj, ...)")
    unpacked = sum(e.file_size for e in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidInput(f"file: {name} unpacks to {unpacked:,} bytes; the limit is {MAX_UNPACKED_BYTES:,}")
    for e in entries:
        parts = Path(e.filename).parts
        if e.filename.startswith(("/", "\\")) or ".." in parts:
            raise InvalidInput(f"file: {name} holds an entry with an unsafe path: {e.filename!r}")


def _layer_crs(path: Path) -> str | None:
    """The CRS of the file's first layer as 'AUTHORITY:CODE' (None when the file declares none)."""
    import pyogrio

    source = str(path)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            shps = [n for n in zf.namelist() if n.lower().endswith(".shp")]
        if len(shps) != 1:
            return None  # geofiles.read says what is wrong with it
        source = f"/vsizip/{path}/{shps[0]}"
    try:
        return pyogrio.read_info(source).get("crs")
    except Exception:  # unreadable: geofiles.read gives the message
        return None


def _to_wgs84(geometry: Any, crs: str) -> Any:
    from pyproj import Transformer

    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def read_area(data: bytes, filename: str) -> UploadedArea:
    """The union of the polygons in the file's first layer, in WGS 84."""
    from maadan.ingest import geofiles

    name = Path(filename or "").name
    suffix = ".geojson" if name.lower().endswith((".geojson", ".json")) else Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"file: {name or 'the file'} is not a zipped Shapefile (.zip), a GeoPackage (.gpkg) "
                           "or GeoJSON (.geojson)")
    if suffix == ".zip":
        check_zip(data, name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        records = geofiles.read(path)
        declared = _layer_crs(path)
    geoms = list(shapely.from_wkb([w for w in records.wkb if w is not None])) if any(records.wkb) else []
    if not geoms:
        raise InvalidInput(f"file: {name} holds no geometry")
    kinds = sorted({g.geom_type for g in geoms} - {"Polygon", "MultiPolygon"})
    if kinds:
        raise InvalidInput(f"file: {name} holds {', '.join(kinds)}; an area must be polygons")
    area = shapely.union_all(geoms)
    crs = WGS84
    if declared and declared.upper() not in ("EPSG:4326", "OGC:CRS84"):
        try:
            crs = normalise_crs(declared)
        except GeometryError:
            supported = ", ".join(sorted(SUPPORTED_CRS))
            raise InvalidInput(f"file: {name} is in {declared}, which Maadan does not read; export it in "
                               f"one of {supported} (WGS 84 lon/lat, or UTM 41N/42N/43N)",
                               details={"crs": declared, "supported": sorted(SUPPORTED_CRS)}) from None
        area = _to_wgs84(area, crs)
    minx, miny, maxx, maxy = area.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise InvalidInput(f"file: {name} declares no CRS and its coordinates are not lon/lat (WGS 84); "
                           "they look projected (e.g. UTM): export it with its .prj, or in EPSG:4326")
    return UploadedArea(area, len(geoms), crs)


@router.post("/cadastre/upload-area", dependencies=[Depends(csrf_protect)])
def upload_area(_: Annotated[User, Depends(require_role("applicant", "officer"))],
                file: Annotated[UploadFile, File(description="Zipped Shapefile, GeoPackage or GeoJSON")]) -> dict:
    """The area in an uploaded file as one GeoJSON geometry in WGS 84 (every polygon in its first
    layer; UTM 41N-43N reprojected, other CRSs refused; zips checked before unpacking)."""
    name = Path(file.filename or "").name
    got = read_area(file.file.read(), name)
    return {"geometry": shapely.geometry.mapping(got.geometry), "features": got.features, "file": name,
            "source_crs": got.source_crs}
