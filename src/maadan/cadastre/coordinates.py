"""An area typed as a table of vertices, one a row, as surveyors and gazette notices give them:
decimal degrees (latitude, longitude), degrees-minutes-seconds (28°30'15"N, 66°10'05"E), or UTM
easting and northing in zone 41N, 42N or 43N (WGS 84). The table becomes a GeoJSON Polygon in its
own CRS, which `geometry.parse_area` then checks like any other area. Every error names the row
and the column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from maadan.errors import InvalidInput

FORMATS = ("decimal", "dms", "utm")
UTM_ZONES = (41, 42, 43)
MAX_ROWS = 2000
_DMS = re.compile(r"""^\s*(?P<deg>\d{1,3}(?:\.\d+)?)\s*(?:°|d|\s|:)?\s*(?:(?P<min>\d{1,2}(?:\.\d+)?)\s*(?:'|′|m|\s|:)?\s*)?
                      (?:(?P<sec>\d{1,2}(?:\.\d+)?)\s*(?:"|″|''|s)?\s*)?(?P<hem>[NSEW])\s*$""", re.X | re.I)


@dataclass(frozen=True)
class CoordinateTable:
    geojson: dict[str, Any]  # a Polygon in `crs`
    crs: str
    vertices: int


def _fail(row: int, column: int, name: str, message: str) -> InvalidInput:
    return InvalidInput(f"coordinates, row {row}, column {column} ({name}): {message}",
                        details={"field": "coordinates", "row": row, "column": column})


def _number(text: str, row: int, column: int, name: str) -> float:
    try:
        value = float(text.replace("\u2212", "-"))
    except ValueError:
        raise _fail(row, column, name, f"{text[:30]!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _fail(row, column, name, f"{text[:30]!r} is not a number")
    return value


def _dms(text: str, row: int, column: int, name: str, hemispheres: str) -> float:
    m = _DMS.match(text)
    if not m:
        raise _fail(row, column, name, f"{text[:30]!r} is not degrees, minutes and seconds with {' or '.join(hemispheres)} "
                    "(e.g. 28°30'15\"N)")
    hem = m["hem"].upper()
    if hem not in hemispheres:
        raise _fail(row, column, name, f"the hemisphere must be {' or '.join(hemispheres)}, not {hem}")
    deg, minutes, seconds = float(m["deg"]), float(m["min"] or 0), float(m["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        raise _fail(row, column, name, "minutes and seconds must be below 60")
    value = deg + minutes / 60 + seconds / 3600
    return -value if hem in "SW" else value


def _cells(line: str, dms: bool) -> list[str]:
    if dms or re.search(r"[,;\t]", line):
        return [c.strip() for c in re.split(r"[,;\t]", line) if c.strip()]
    return line.split()


def parse_table(text: str, fmt: str, zone: int | None = None) -> CoordinateTable:
    """The table as a GeoJSON Polygon and its CRS. InvalidInput names the row and column."""
    fmt = (fmt or "").strip().lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be one of {', '.join(FORMATS)}", details={"field": "format"})
    if fmt == "utm" and zone not in UTM_ZONES:
        raise InvalidInput("zone: UTM zone 41N, 42N or 43N (Pakistan lies in these three)", details={"field": "zone"})
    names = ("easting", "northing") if fmt == "utm" else ("latitude", "longitude")
    points: list[tuple[float, float]] = []
    lines = (text or "").splitlines()
    if len(lines) > MAX_ROWS:
        raise InvalidInput(f"coordinates: at most {MAX_ROWS} rows", details={"field": "coordinates"})
    for row, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = _cells(line, fmt == "dms")
        if row == 1 and not re.search(r"\d", line):
            continue  # a header row such as "latitude, longitude"
        if len(cells) == 3 and re.fullmatch(r"\d+", cells[0]) and fmt != "dms":
            cells = cells[1:]  # a leading vertex number
        if len(cells) != 2:
            raise _fail(row, len(cells) + 1 if len(cells) < 2 else 3, names[min(len(cells), 1)],
                        f"expected 2 values ({names[0]}, {names[1]}), found {len(cells)}")
        if fmt == "decimal":
            lat, lon = (_number(c, row, i, names[i - 1]) for i, c in enumerate(cells, 1))
            if not -90 <= lat <= 90:
                raise _fail(row, 1, "latitude", f"{lat} is outside -90..90 (are the columns swapped?)")
            if not -180 <= lon <= 180:
                raise _fail(row, 2, "longitude", f"{lon} is outside -180..180")
            points.append((lon, lat))
        elif fmt == "dms":
            lat = _dms(cells[0], row, 1, "latitude", "NS")
            lon = _dms(cells[1], row, 2, "longitude", "EW")
            if lat > 90 or lon > 180:
                raise _fail(row, 1 if lat > 90 else 2, names[0] if lat > 90 else names[1], "out of range")
            points.append((lon, lat))
        else:
            e, n = (_number(c, row, i, names[i - 1]) for i, c in enumerate(cells, 1))
            if not 100_000 <= e <= 900_000:
                raise _fail(row, 1, "easting", f"{e:,.0f} m is outside a UTM zone (100,000–900,000 m)")
            if not 0 <= n <= 10_000_000:
                raise _fail(row, 2, "northing", f"{n:,.0f} m is outside 0–10,000,000 m (northern hemisphere)")
            points.append((e, n))
    distinct = list(dict.fromkeys(points))
    if len(distinct) < 3:
        raise InvalidInput(f"coordinates: an area needs at least 3 different vertices, found {len(distinct)}",
                           details={"field": "coordinates"})
    ring = points + ([points[0]] if points[0] != points[-1] else [])
    crs = f"EPSG:326{zone}" if fmt == "utm" else "EPSG:4326"
    return CoordinateTable({"type": "Polygon", "coordinates": [[list(p) for p in ring]]}, crs, len(ring) - 1)


def preview(jurisdiction: str, text: str, fmt: str, zone: int | None = None) -> dict[str, Any]:
    """The table checked as an area of `jurisdiction` (inside its boundary, a valid polygon), in
    WGS 84 for the map: {geometry, area_km2, vertices, crs}."""
    import shapely.geometry

    from maadan.cadastre.boundaries import load_boundary
    from maadan.cadastre.caches import jurisdictions
    from maadan.cadastre.geometry import parse_area

    if jurisdiction not in jurisdictions():
        raise InvalidInput(f"jurisdiction must be one of {', '.join(jurisdictions())}", details={"field": "jurisdiction"})
    table = parse_table(text, fmt, zone)
    area = parse_area(table.geojson, crs=table.crs, boundary=load_boundary(jurisdiction))
    return {"geometry": shapely.geometry.mapping(area.geometry), "area_km2": round(area.area_km2, 4),
            "vertices": table.vertices, "crs": table.crs}
