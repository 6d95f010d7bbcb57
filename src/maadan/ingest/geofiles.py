"""Reading and writing vector files (GeoJSON, GeoPackage, zipped Shapefile, CSV with WKT; KML read
only). Every file read is hostile until checked: see `read_bytes`. Writing goes through GDAL via
pyogrio with the one driver named. Geometries travel as WKB in lon/lat WGS 84; fields as strings
and numbers."""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from maadan.errors import CannotWrite, InvalidInput
from maadan.ingest.formats import Limits

NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)  # a disk full, over quota or read-only
FORMATS = {"geojson": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile", "csv": "CSV"}  # written
READ_FORMATS = ("geojson", "gpkg", "shp", "kml", "csv")
WGS84_WKT = ('GEOGCRS["WGS 84",DATUM["World Geodetic System 1984",ELLIPSOID["WGS 84",6378137,298.257223563]],'
             'CS[ellipsoidal,2],AXIS["geodetic latitude (Lat)",north],AXIS["geodetic longitude (Lon)",east],'
             'UNIT["degree",0.0174532925199433],ID["EPSG",4326]]')


def format_for(path: Path, fmt: str | None = None) -> str:
    """The format key for a file: given, or from its name (`format_from_name`)."""
    if fmt:
        if fmt not in READ_FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}; choose one of {', '.join(READ_FORMATS)}")
        return fmt
    key = format_from_name(path.name)
    if key is None:
        raise InvalidInput(f"{path.name}: cannot tell the format from the name; use .geojson, .gpkg, .zip "
                           "(Shapefile), .kml or .csv")
    return key


def format_from_name(name: str) -> str | None:
    """The format key a file name declares (.geojson/.json, .gpkg, .zip/.shp.zip, .kml, .csv), or None."""
    name = name.lower()
    for suffix, key in ((".geojson", "geojson"), (".json", "geojson"), (".gpkg", "gpkg"), (".shp.zip", "shp"),
                        (".zip", "shp"), (".kml", "kml"), (".csv", "csv")):
        if name.endswith(suffix):
            return key
    return None


@dataclass
class Records:
    fields: list[str]
    rows: list[dict[str, Any]]
    wkb: list[bytes | None]
    crs: str | None = None  # as the file declares it ('EPSG:32642', a WKT or a URN); None: not declared


def write(path: Path, records: Records, layer: str, fmt: str | None = None,
          metadata: dict[str, str] | None = None) -> Path:
    """Write records to `path`; a Shapefile is written as a .zip holding all its parts. `metadata`
    (e.g. the licence) goes into a GeoPackage layer's metadata; other formats carry none."""
    columns = {f: [r.get(f) for r in records.rows] for f in records.fields}
    return write_columns(path, columns, records.wkb, layer, fmt, metadata)


def write_columns(path: Path, columns: dict[str, Any], wkb: Any, layer: str, fmt: str | None = None,
                  metadata: dict[str, str] | None = None) -> Path:
    """`write` for data held by column (field name -> values in feature order; `wkb` the
    geometries), which costs far less memory than a dict per feature at a million features. A
    column given as a NumPy array is written with its type (a float NaN as empty); a list with any
    text or empty value is written as text (empty as ""), else as numbers. Many pages: `write_pages`."""
    key = _writable(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if key == "shp":
        with tempfile.TemporaryDirectory() as tmp, _written_by_gdal(path):
            _gdal_write(Path(tmp) / f"{layer}.shp", key, columns, wkb, layer)
            _zipped(Path(tmp), path)
        return path
    with _written_by_gdal(path):
        _gdal_write(path, key, columns, wkb, layer, metadata)
    return path


def write_pages(path: Path, pages: Iterable[tuple[dict[str, Any], Any]], empty: dict[str, Any], layer: str,
                fmt: str | None = None, metadata: dict[str, str] | None = None,
                members: dict[str, Any] | None = None) -> int:
    """Features given a page at a time, each page as `write_columns` takes them (columns, WKB), written
    to `path` holding no more than a page; returns how many. `empty`: the columns of a file with no
    feature. A GeoPackage or Shapefile is appended to by GDAL page by page; a CSV page is written by
    GDAL on its own and joined to the file, the header kept from the first page only (GDAL's own
    appending forgets the columns' types and quotes numbers); GeoJSON is written by Maadan a feature
    at a time (GDAL's appending reads the whole file again each time: quadratic), with `members`
    (e.g. a licence) in the FeatureCollection. A file at `path` is replaced; when a page fails, nothing
    is left at `path`."""
    key = _writable(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    try:
        if key == "geojson":
            return _geojson_pages(path, pages, layer, members or {})
        if key == "gpkg":
            return _gdal_pages(path, path, pages, empty, layer, key, metadata)
        with tempfile.TemporaryDirectory() as tmp:  # a CSV's page, a Shapefile's parts
            if key == "csv":
                return _csv_pages(path, Path(tmp) / f"{layer}.csv", pages, empty, layer)
            features = _gdal_pages(path, Path(tmp) / f"{layer}.shp", pages, empty, layer, key, metadata)
            with _written_by_gdal(path):
                _zipped(Path(tmp), path)
            return features
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _writable(path: Path, fmt: str | None) -> str:
    key = format_for(path, fmt)
    if key not in FORMATS:
        raise InvalidInput(f"{path.name}: Maadan reads {key} but does not write it; write one of {', '.join(FORMATS)}")
    return key


def _gdal_write(target: Path, key: str, columns: dict[str, Any], wkb: Any, layer: str,
                metadata: dict[str, str] | None = None, append: bool = False) -> None:
    """One GDAL write of the columns to `target` (a Shapefile's .shp itself, not its zip)."""
    import pyogrio.raw

    field_data = [values if isinstance(values, np.ndarray)
                  else np.array(["" if v is None else v for v in values], dtype=object)
                  if any(isinstance(v, str) or v is None for v in values) else np.array(values)
                  for values in columns.values()]
    kwargs: dict[str, Any] = {"append": True} if append else {}
    if key == "csv":
        kwargs["layer_options"] = {"GEOMETRY": "AS_WKT"}
    if key == "gpkg" and metadata and not append:
        kwargs["layer_metadata"] = metadata
    if key == "shp":
        kwargs["encoding"] = "UTF-8"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # CSV has no CRS; its WKT is WGS 84 by our convention
        pyogrio.raw.write(str(target), np.asarray(wkb, dtype=object), field_data, list(columns), layer=layer,
                          driver=FORMATS[key], geometry_type="MultiPolygon" if key != "csv" else "Unknown",
                          crs=WGS84_WKT if key != "csv" else None, promote_to_multi=key != "csv", **kwargs)


def _gdal_pages(path: Path, target: Path, pages: Iterable[tuple[dict[str, Any], Any]], empty: dict[str, Any],
                layer: str, key: str, metadata: dict[str, str] | None) -> int:
    """Each page appended to `target` by GDAL (a table with `empty`'s columns when there is none)."""
    features = 0
    with _written_by_gdal(path):
        for columns, wkb in pages:
            _gdal_write(target, key, columns, wkb, layer, metadata, append=features > 0)
            features += len(wkb)
        if not features:
            _gdal_write(target, key, empty, [], layer, metadata)
    return features


def _zipped(folder: Path, path: Path) -> None:
    """A Shapefile's parts, written in `folder`, as the one zip at `path`."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, part.name)


def _csv_pages(path: Path, part: Path, pages: Iterable[tuple[dict[str, Any], Any]], empty: dict[str, Any],
               layer: str) -> int:
    features = 0
    with open(path, "wb") as out:
        for columns, wkb in pages:
            with _written_by_gdal(part):
                _gdal_write(part, "csv", columns, wkb, layer)
            with open(part, "rb") as f:
                if features:
                    f.readline()
                shutil.copyfileobj(f, out)
            part.unlink()
            features += len(wkb)
        if not features:
            with _written_by_gdal(part):
                _gdal_write(part, "csv", empty, [], layer)
            out.write(part.read_bytes())
    return features


def _plain(values: Any) -> list[Any]:
    """A column's values as JSON takes them: a NumPy array's as Python's (a float NaN as null)."""
    if not isinstance(values, np.ndarray):
        return list(values)
    if values.dtype.kind == "f":
        return [None if v != v else v for v in values.tolist()]
    return values.tolist()


def _geojson_pages(path: Path, pages: Iterable[tuple[dict[str, Any], Any]], layer: str, members: dict[str, Any]) -> int:
    """One FeatureCollection, written a feature at a time (the same bytes as one `json.dumps` of it)."""
    import shapely

    head = json.dumps({"type": "FeatureCollection", "name": layer, **members}, ensure_ascii=False)
    features = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(head[:-1] + ', "features": [')
        for columns, wkb in pages:
            names, values = list(columns), [_plain(v) for v in columns.values()]
            for i, geometry in enumerate(shapely.from_wkb(np.asarray(wkb, dtype=object))):
                out.write((", " if features else "") + json.dumps(
                    {"type": "Feature", "properties": {n: v[i] for n, v in zip(names, values)},
                     "geometry": shapely.geometry.mapping(geometry)}, ensure_ascii=False))
                features += 1
        out.write("]}")
    return features


class WriteFailed(OSError):
    """GDAL could not write a file: its disk is full, or its folder cannot be written. An OSError, as
    Python's own file writes raise on a full disk, so a caller handles both alike."""


@contextlib.contextmanager
def _written_by_gdal(path: Path) -> Iterator[None]:
    """GDAL reports a full disk as a failed transaction (GeoPackage) or a feature it could not add
    (CSV: "Could not add feature to layer at index 2377"), not as an OSError. The part of the file
    written goes (GDAL's, or a Shapefile's zip)."""
    from pyogrio.errors import DataSourceError, FeatureError

    try:
        yield
    except (DataSourceError, FeatureError) as exc:
        path.unlink(missing_ok=True)
        raise WriteFailed(f"GDAL could not write {path.name}: {exc}") from exc
    except OSError:
        path.unlink(missing_ok=True)
        raise


# A whole register read from the operator's own file (`maadan cadastre import`): a million features
# take GDAL's child process minutes and gigabytes on a loaded machine, where an upload gets 3 minutes.
IMPORT_LIMITS = Limits(max_bytes=1_000_000_000, max_features=1_000_000, max_vertices=50_000_000,
                       max_seconds=3_600, max_cpu_seconds=1_800, max_memory_bytes=12 * 1024**3)


def read(path: Path, fmt: str | None = None, limits: Limits = IMPORT_LIMITS) -> Records:
    """Every feature of the file (GeoJSON: all; GeoPackage: its one feature table; Shapefile and
    CSV: the file; KML: every folder). The format is the one given or named by the suffix, and
    the content must be that format: see `read_bytes`."""
    key = format_for(path, fmt)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise InvalidInput(f"file: {path.name}: is {size:,} bytes; the limit is {limits.max_bytes:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"file: {path.name}: cannot be read ({exc.strerror or 'not a readable file'})") from None
    return read_bytes(data, path.name, key, limits)


def read_bytes(data: bytes, name: str, key: str, limits: Limits) -> Records:
    """The features of `data`, a file of format `key` (geojson, shp, gpkg, kml, csv) named `name`
    (shown in messages). GeoJSON is parsed by Maadan's own reader; the other formats only after
    their magic bytes and structure check out (`formats`), by their one GDAL driver in an isolated
    child process (`gdal_reader`). InvalidInput for anything else; no message holds a path."""
    from maadan.ingest import formats
    from maadan.ingest.gdal_reader import read_with_gdal
    from maadan.ingest.geojson_file import read_geojson

    if key not in READ_FORMATS:
        raise InvalidInput(f"unknown format {key!r}; choose one of {', '.join(READ_FORMATS)}")
    if len(data) > limits.max_bytes:
        raise InvalidInput(f"file: {name}: is {len(data):,} bytes; the limit is {limits.max_bytes:,}")
    formats.check_family(key, data, name)
    if key == "geojson":
        fields, rows, wkb, crs = read_geojson(data, name, limits)
        return Records(fields=fields, rows=rows, wkb=wkb, crs=crs)
    try:
        # No temporary folder at all (each candidate full or not writable: tempfile's "No usable
        # temporary directory", a FileNotFoundError) is the server's fault as much as a full one.
        working = tempfile.TemporaryDirectory(prefix="maadan-read-")
    except OSError as exc:
        raise CannotWrite(f"a working copy of {name} to read it") from exc
    try:
        with working as tmp:
            folder = Path(tmp)
            if key == "shp":
                prepared = formats.prepare_shapefile(data, name, limits)
            elif key == "gpkg":
                prepared = formats.prepare_geopackage(data, name, limits, folder)
            elif key == "kml":
                prepared = formats.prepare_kml(data, name, limits)
            else:
                prepared = formats.prepare_csv(data, name, limits)
            fields, rows, wkb, crs = read_with_gdal(prepared, folder, name, limits)
    except OSError as exc:
        if exc.errno not in NO_ROOM:
            raise
        raise CannotWrite(f"a working copy of {name} to read it") from exc  # the server's disk, not the file
    if key == "csv" and all(w is None for w in wkb) and rows:
        raise InvalidInput(f"file: {name}: a CSV needs a WKT column with the geometry")
    return Records(fields=fields, rows=rows, wkb=wkb, crs=crs)
