"""What an uploaded vector file is, decided from its bytes, never from GDAL's guess.

A file is read only as the format its name (or the caller) declares, and only when its content
has that format's magic bytes and structure: a zipped Shapefile is a zip at offset 0 holding
exactly one .shp/.shx/.dbf set whose headers and record index agree; a GeoPackage is an SQLite
file with the GeoPackage application id, one feature table and no views or foreign virtual
tables; KML is XML whose root is <kml> with no DTD; CSV is UTF-8 text with a WKT column. Every
check counts features (and, where the file says, vertices) against the caps before any reader
runs. What passes is a `Prepared` file: the bytes to write into a private folder under fixed
names, and the one GDAL driver allowed to open them. Messages name the user's file, never a
server path.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import quote
from xml.etree import ElementTree

from maadan.errors import InvalidInput

BOM = b"\xef\xbb\xbf"
MAX_ZIP_ENTRIES = 20  # a Shapefile is 3 to 8 files; a zip with more is not one layer
SHP_MAGIC = 9994
SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SHAPE_TYPES = {0, 1, 3, 5, 8, 11, 13, 15, 18, 21, 23, 25, 28, 31}
DBF_VERSIONS = {0x02, 0x03, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0xCB, 0xF5, 0xFB}
GPKG_IDS = {b"GPKG", b"GP10", b"GP11"}
KML_NAMESPACES = {"http://www.opengis.net/kml/2.2", "http://earth.google.com/kml/2.0",
                  "http://earth.google.com/kml/2.1", "http://earth.google.com/kml/2.2", ""}
WKT_COLUMN = "wkt"
NAMES = {"geojson": "GeoJSON", "shp": "a zipped Shapefile", "gpkg": "a GeoPackage", "kml": "KML", "csv": "CSV"}


@dataclass(frozen=True)
class Limits:
    """Caps checked before a reader runs (and again by the reader): bytes, features, vertices; and
    what the GDAL reader's child process may take: wall-clock seconds, CPU seconds and memory."""

    max_bytes: int
    max_features: int
    max_vertices: int
    max_seconds: int = 180
    max_cpu_seconds: int = 120
    max_memory_bytes: int = 3 * 1024**3


@dataclass
class Prepared:
    """A file that passed its format's checks: what to write (fixed names) and how to open it."""

    key: str  # geojson | shp | gpkg | kml | csv
    driver: str | None  # the one GDAL driver allowed to open it (None: Maadan's own GeoJSON reader)
    main: str  # the file the reader opens, e.g. "upload.shp"
    files: dict[str, bytes] = field(default_factory=dict)
    layer: str | None = None  # GeoPackage: the feature table
    all_layers: bool = False  # KML: a layer per folder, all of them read
    open_options: dict[str, str] = field(default_factory=dict)
    features: int | None = None  # counted from the structure, when the format says
    vertices: int | None = None


def refuse(name: str, what: str, **details) -> InvalidInput:
    return InvalidInput(f"file: {name}: {what}", details={"file": name, **details})


def kind_of(data: bytes) -> str:
    """The family the bytes belong to: zip, sqlite, json, xml or text (else binary)."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if data.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    head = data[:4096].removeprefix(BOM).lstrip(b" \t\r\n")
    if head.startswith((b"{", b"[")):
        return "json"
    if head.startswith(b"<"):
        return "xml"
    if b"\x00" in data[:65536]:
        return "binary"
    return "text"


FAMILY = {"geojson": "json", "shp": "zip", "gpkg": "sqlite", "kml": "xml", "csv": "text"}
FAMILY_NAMES = {"zip": "a zip archive", "sqlite": "an SQLite database", "json": "JSON", "xml": "XML",
                "text": "plain text", "binary": "binary data"}


def check_family(key: str, data: bytes, name: str) -> None:
    """Refuse content that is not of the declared format's family (e.g. XML named .geojson)."""
    got = kind_of(data)
    if got != FAMILY[key]:
        raise refuse(name, f"the name says {NAMES[key]} but the content is {FAMILY_NAMES[got]}; "
                           "only the format the name declares is read", expected=key, found=got)


def check_counts(name: str, limits: Limits, features: int | None, vertices: int | None) -> None:
    if features is not None and features > limits.max_features:
        raise refuse(name, f"holds more than {limits.max_features:,} features (counted {features:,}); "
                           f"the limit is {limits.max_features:,}", limit=limits.max_features)
    if vertices is not None and vertices > limits.max_vertices:
        raise refuse(name, f"holds more than {limits.max_vertices:,} vertices (counted {vertices:,}); "
                           f"the limit is {limits.max_vertices:,}", limit=limits.max_vertices)


# --- zipped Shapefile ------------------------------------------------------------------------------

def prepare_shapefile(data: bytes, name: str, limits: Limits) -> Prepared:
    """Check the zip from its central directory, take the one Shapefile's parts by name, and check
    the .shp, .shx and .dbf headers and the .shp records against each other and the caps."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        entries = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise refuse(name, "is not a zip file") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise refuse(name, f"holds {len(entries)} files; a zipped Shapefile holds at most {MAX_ZIP_ENTRIES} "
                           "(.shp, .shx, .dbf, .prj, ...)")
    if entries and min(e.header_offset for e in entries) != 0:
        raise refuse(name, "has data before the zip archive; only a plain zip is read")
    unpacked = sum(e.file_size for e in entries)
    if unpacked > limits.max_bytes:
        raise refuse(name, f"unpacks to {unpacked:,} bytes; the limit is {limits.max_bytes:,}")
    for e in entries:
        parts = PurePosixPath(e.filename.replace("\\", "/")).parts
        if e.filename.startswith(("/", "\\")) or ".." in parts or ":" in e.filename:
            raise refuse(name, f"holds an entry with an unsafe path: {e.filename[:120]!r}")
    files = [e for e in entries if not e.is_dir() and not e.filename.startswith("__MACOSX/")]
    shps = [e for e in files if e.filename.lower().endswith(".shp")]
    if len(shps) != 1:
        raise refuse(name, f"a zipped Shapefile must hold exactly one .shp (found {len(shps)})")
    stem = shps[0].filename[:-4]
    parts_found = {e.filename[len(stem):].lower(): e for e in files
                   if e.filename[:len(stem)] == stem and e.filename[len(stem):].lower() in SHP_PARTS}
    missing = [p for p in (".shx", ".dbf") if p not in parts_found]
    if missing:
        raise refuse(name, f"the Shapefile {PurePosixPath(stem).name[:80]}.shp has no {' or '.join(missing)} "
                           "beside it; zip the .shp, .shx, .dbf and .prj together")
    try:
        blobs = {ext: zf.read(e) for ext, e in parts_found.items()}  # sizes as declared, CRC checked
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise refuse(name, "a member of the zip cannot be unpacked (damaged or encrypted)") from None
    features, vertices = _check_shp(blobs[".shp"], name, limits)
    _check_shx(blobs[".shx"], features, name)
    _check_dbf(blobs[".dbf"], features, name)
    for ext, limit in ((".prj", 65_536), (".cpg", 64)):
        if ext in blobs and (len(blobs[ext]) > limit or not _is_text(blobs[ext])):
            raise refuse(name, f"the {ext} file is not a short text file")
    return Prepared("shp", "ESRI Shapefile", "upload.shp", {f"upload{ext}": b for ext, b in blobs.items()},
                    features=features, vertices=vertices)


def _is_text(blob: bytes) -> bool:
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def _check_shp(shp: bytes, name: str, limits: Limits) -> tuple[int, int]:
    bad = refuse(name, "the .shp file is not a valid Shapefile (header or records damaged)")
    if len(shp) < 100:
        raise bad
    code, = struct.unpack(">i", shp[0:4])
    words, = struct.unpack(">i", shp[24:28])
    version, shape_type = struct.unpack("<ii", shp[28:36])
    if code != SHP_MAGIC or version != 1000 or words * 2 != len(shp) or shape_type not in SHAPE_TYPES:
        raise bad
    offset, features, vertices = 100, 0, 0
    while offset < len(shp):
        if offset + 12 > len(shp):
            raise bad
        length = struct.unpack(">i", shp[offset + 4:offset + 8])[0] * 2
        content = offset + 8
        if length < 4 or content + length > len(shp):
            raise bad
        kind, = struct.unpack("<i", shp[content:content + 4])
        if kind not in (0, shape_type):
            raise bad
        if kind in (3, 5, 13, 15, 23, 25, 31):  # parts and points after the bounding box
            if length < 44:
                raise bad
            _, points = struct.unpack("<ii", shp[content + 36:content + 44])
            if points < 0 or 44 + 16 * points > length:
                raise bad
            vertices += points
        elif kind in (8, 18, 28):
            points, = struct.unpack("<i", shp[content + 36:content + 40]) if length >= 40 else (-1,)
            if points < 0:
                raise bad
            vertices += points
        elif kind:
            vertices += 1
        features += 1
        offset = content + length
        if features > limits.max_features or vertices > limits.max_vertices:
            check_counts(name, limits, features, vertices)
    return features, vertices


def _check_shx(shx: bytes, features: int, name: str) -> None:
    if (len(shx) < 100 or struct.unpack(">i", shx[0:4])[0] != SHP_MAGIC
            or struct.unpack(">i", shx[24:28])[0] * 2 != len(shx) or len(shx) != 100 + 8 * features):
        raise refuse(name, "the .shx index does not match the .shp file")


def _check_dbf(dbf: bytes, features: int, name: str) -> None:
    if len(dbf) < 32 or dbf[0] not in DBF_VERSIONS:
        raise refuse(name, "the .dbf file is not a dBASE table")
    records, header, record = struct.unpack("<IHH", dbf[4:12])
    if records != features or header < 33 or len(dbf) < header + records * record:
        raise refuse(name, f"the .dbf table has {records:,} rows but the .shp has {features:,} shapes")


# --- GeoPackage ------------------------------------------------------------------------------------

def prepare_geopackage(data: bytes, name: str, limits: Limits, scratch) -> Prepared:
    """Check the SQLite header's GeoPackage id and, on a read-only connection that may only read,
    that the file holds one feature table, no views and no virtual tables but R-tree indexes.
    `scratch` is a private folder to write the file into for the check."""
    if len(data) < 100 or data[68:72] not in GPKG_IDS:
        raise refuse(name, "is an SQLite file but not a GeoPackage (no GeoPackage application id)")
    path = scratch / "check.gpkg"
    path.write_bytes(data)
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        raise refuse(name, "cannot be opened as a GeoPackage") from None
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.set_authorizer(_read_only)
        table, column, features = _gpkg_structure(conn, name)
    except sqlite3.DatabaseError:
        raise refuse(name, "is a damaged GeoPackage") from None
    finally:
        conn.close()
        path.unlink()
    check_counts(name, limits, features, None)
    return Prepared("gpkg", "GPKG", "upload.gpkg", {"upload.gpkg": data}, layer=table, features=features)


_ALLOWED_SQL = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_PRAGMA}
_ALLOWED_PRAGMAS = {"quick_check", "trusted_schema"}


def _read_only(action: int, arg1, arg2, _db, _trigger) -> int:
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _ALLOWED_PRAGMAS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() not in ("count", "coalesce", "length"):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK if action in _ALLOWED_SQL else sqlite3.SQLITE_DENY


_RTREE = re.compile(r"^\s*CREATE\s+VIRTUAL\s+TABLE\s+.*\bUSING\s+rtree\s*\(", re.IGNORECASE | re.DOTALL)


def _gpkg_structure(conn: sqlite3.Connection, name: str) -> tuple[str, str, int]:
    if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
        raise sqlite3.DatabaseError("quick_check")
    schema = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    tables = {n for t, n, sql in schema if t == "table" and not (sql or "").lstrip().upper().startswith("CREATE VIRTUAL")}
    for kind, _, sql in schema:
        if kind == "view":
            raise refuse(name, "holds a database view; only plain feature tables are read")
        if kind == "table" and (sql or "").lstrip().upper().startswith("CREATE VIRTUAL") and not _RTREE.match(sql):
            raise refuse(name, "holds a virtual table other than a spatial index; it is not read")
    if not {"gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys"} <= tables:
        raise refuse(name, "is not a GeoPackage (its gpkg_contents or gpkg_geometry_columns table is missing)")
    layers = [r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
    if len(layers) != 1:
        raise refuse(name, f"holds {len(layers)} feature layers; give a GeoPackage with exactly one")
    table = layers[0]
    if table not in tables:
        raise refuse(name, "its feature layer is not a plain table")
    row = conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    if row is None:
        raise refuse(name, "its feature layer has no geometry column")
    quoted = '"' + table.replace('"', '""') + '"'
    features = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
    return table, row[0], int(features)


# --- KML -------------------------------------------------------------------------------------------

def prepare_kml(data: bytes, name: str, limits: Limits) -> Prepared:
    """UTF-8 XML without a DTD (no entities), whose root is <kml>; no network links. Placemarks
    and coordinate tuples are counted here, with the standard library's parser."""
    text = _utf8(data, name)
    head = text[:65536].lower()
    if "<!doctype" in head or "<!entity" in text.lower():
        raise refuse(name, "declares a DTD or entities; KML without them is read")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise refuse(name, f"is not well-formed XML (line {line}, column {column + 1})") from None
    ns, _, tag = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if tag != "kml" or ns not in KML_NAMESPACES:
        raise refuse(name, "is XML but not KML (its root element is not <kml>); GML, VRT and other XML are not read")
    features, vertices = 0, 0
    for el in root.iter():
        local = el.tag.rpartition("}")[2]
        if local == "NetworkLink":
            raise refuse(name, "holds a NetworkLink; Maadan reads no linked or remote content")
        if local == "Placemark":
            features += 1
        elif local == "coordinates" and el.text:
            vertices += len(el.text.split())
        if features > limits.max_features or vertices > limits.max_vertices:
            check_counts(name, limits, features, vertices)
    if not features:
        raise refuse(name, "holds no Placemark")
    return Prepared("kml", "KML", "upload.kml", {"upload.kml": text.encode("utf-8")}, all_layers=True,
                    features=features, vertices=vertices)


# --- CSV -------------------------------------------------------------------------------------------

def prepare_csv(data: bytes, name: str, limits: Limits) -> Prepared:
    """UTF-8, comma-separated, a header with distinct names and a WKT column; rows and positions
    (commas in the WKT plus one) are counted here."""
    text = _utf8(data, name)
    if "\x00" in text:
        raise refuse(name, "holds a NUL character; a CSV file is text")
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows, None)
        if not header:
            raise refuse(name, "is empty: the first line must name the columns, one of them WKT")
        names = [h.strip().lower() for h in header]
        if WKT_COLUMN not in names:
            raise refuse(name, "has no WKT column: the first line must name the columns, one of them WKT "
                               "(the geometry as Well-Known Text in WGS 84)")
        if len(set(names)) != len(names) or "" in names:
            raise refuse(name, "the header line repeats a column name or leaves one empty")
        at = names.index(WKT_COLUMN)
        features = vertices = 0
        for line, row in enumerate(rows, 2):
            if not row:
                continue
            if len(row) != len(header):
                raise refuse(name, f"line {line} has {len(row)} values but the header names {len(header)}",
                             line=line)
            features += 1
            vertices += row[at].count(",") + 1
            if features > limits.max_features or vertices > limits.max_vertices:
                check_counts(name, limits, features, vertices)
    except csv.Error as exc:
        raise refuse(name, f"is not valid CSV ({exc})") from None
    return Prepared("csv", "CSV", "upload.csv", {"upload.csv": text.encode("utf-8")},
                    open_options={"GEOM_POSSIBLE_NAMES": "WKT", "KEEP_GEOM_COLUMNS": "NO", "SEPARATOR": "COMMA"},
                    features=features, vertices=vertices)


def _utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refuse(name, f"is not UTF-8 text (bad byte at offset {exc.start})", offset=exc.start) from None
