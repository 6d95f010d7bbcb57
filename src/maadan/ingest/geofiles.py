"""Reading and writing vector files (GeoJSON, GeoPackage, zipped Shapefile, CSV with WKT) through
GDAL via pyogrio. Geometries travel as WKB in lon/lat WGS 84; fields as strings and numbers."""

from __future__ import annotations

import tempfile
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from maadan.errors import InvalidInput

FORMATS = {"geojson": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile", "csv": "CSV"}
WGS84_WKT = ('GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]],'
             'CS[ellipsoidal,2],AXIS["geodetic latitude (Lat)",north],AXIS["geodetic longitude (Lon)",east],'
             'UNIT["degree",0.0174532925199433],ID["EPSG",4326]]')


def format_for(path: Path, fmt: str | None = None) -> str:
    """The format key for a file: given, or from its name (.geojson/.json, .gpkg, .zip/.shp, .csv)."""
    if fmt:
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    name = path.name.lower()
    for suffix, key in ((".geojson", "geojson"), (".json", "geojson"), (".gpkg", "gpkg"), (".shp.zip", "shp"),
                        (".zip", "shp"), (".shp", "shp"), (".csv", "csv")):
        if name.endswith(suffix):
            return key
    raise InvalidInput(f"{path.name}: cannot tell the format from the name; use .geojson, .gpkg, .zip (Shapefile) or .csv")


@dataclass
class Records:
    fields: list[str]
    rows: list[dict[str, Any]]
    wkb: list[bytes | None]


def write(path: Path, records: Records, layer: str, fmt: str | None = None) -> Path:
    """Write records to `path`; a Shapefile is written as a .zip holding all its parts."""
    import pyogrio.raw

    key = format_for(path, fmt)
    geometry = np.array(records.wkb, dtype=object)
    field_data = [np.array([r.get(f) if r.get(f) is not None else "" for r in records.rows], dtype=object)
                  if any(isinstance(r.get(f), str) or r.get(f) is None for r in records.rows)
                  else np.array([r.get(f) for r in records.rows]) for f in records.fields]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    kwargs: dict[str, Any] = {}
    if key == "csv":
        kwargs["layer_options"] = {"GEOMETRY": "AS_WKT"}
    if key == "shp":
        with tempfile.TemporaryDirectory() as tmp:
            shp = Path(tmp) / f"{layer}.shp"
            pyogrio.raw.write(str(shp), geometry, field_data, records.fields, layer=layer, driver=FORMATS[key],
                              geometry_type="MultiPolygon", crs=WGS84_WKT, promote_to_multi=True, encoding="UTF-8")
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                for part in sorted(Path(tmp).iterdir()):
                    zf.write(part, part.name)
        return path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # CSV has no CRS; its WKT is WGS 84 by our convention
        pyogrio.raw.write(str(path), geometry, field_data, records.fields, layer=layer, driver=FORMATS[key],
                          geometry_type="MultiPolygon" if key != "csv" else "Unknown",
                          crs=WGS84_WKT if key != "csv" else None, promote_to_multi=key != "csv", **kwargs)
    return path


def read(path: Path, fmt: str | None = None) -> Records:
    """Read every feature of the first layer; InvalidInput when GDAL cannot read the file."""
    import pyogrio.raw
    from pyogrio.errors import DataSourceError, DataLayerError

    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    key = format_for(path, fmt)
    source = str(path)
    with tempfile.TemporaryDirectory() as tmp:
        if key == "shp" and path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as zf:
                    shps = [n for n in zf.namelist() if n.lower().endswith(".shp")]
                    if len(shps) != 1:
                        raise InvalidInput(f"{path.name}: a zipped Shapefile must hold exactly one .shp (found {len(shps)})")
                    zf.extractall(tmp)
                source = str(Path(tmp) / shps[0])
            except zipfile.BadZipFile:
                raise InvalidInput(f"{path.name}: not a zip file") from None
        kwargs: dict[str, Any] = {}
        if key == "csv":  # GDAL open options: the WKT column is the geometry, not a field
            kwargs = {"GEOM_POSSIBLE_NAMES": "WKT", "KEEP_GEOM_COLUMNS": "NO"}
        try:
            meta, _fids, geometry, field_data = pyogrio.raw.read(source, **kwargs)
        except (DataSourceError, DataLayerError) as exc:
            raise InvalidInput(f"{path.name}: cannot be read as {FORMATS[key]}: {str(exc).splitlines()[0]}") from None
        fields = [str(f) for f in meta["fields"]]
        if geometry is None and key == "csv":
            raise InvalidInput(f"{path.name}: a CSV needs a WKT column with the geometry")
        n = len(geometry) if geometry is not None else (len(field_data[0]) if field_data else 0)
        rows = [{f: _plain(field_data[i][k]) for i, f in enumerate(fields)} for k in range(n)]
        wkb = list(geometry) if geometry is not None else [None] * n
    return Records(fields=fields, rows=rows, wkb=wkb)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value

