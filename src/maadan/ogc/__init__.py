"""OGC API – Features (Part 1: Core, GeoJSON) and OGC API – Tiles (vector tiles, tiles.py) under /ogc.

Standards logic lives in framework-free modules (query.py parses parameters, features.py builds
documents and links, collections.py reads data); router.py only adapts them to FastAPI.

Choices a client should know:
- CRS: WGS 84 lon/lat (CRS84) only; no bbox-crs or crs parameters.
- Formats: JSON only (GeoJSON for items). `f=json` is accepted, any other `f` (f=html) is 400.
- Strict parameters: an unknown or repeated query parameter is 400 naming it (Core allows
  ignoring unknown ones; we prefer telling the client). Every endpoint accepts `f`.
- `limit`: default 10; below 1 is 400; above 10,000 is clamped to 10,000 (next links say so).
- `bbox`: 4 numbers within -180..180 / -90..90, minx <= maxx, miny <= maxy (no antimeridian
  boxes); 6 numbers is 400 "3D bbox not supported".
- `datetime`: RFC 3339 date-time with Z or an offset, or a date (its whole UTC day), or an
  interval start/end with '..' or nothing for an open end. Titles match on [granted_on,
  expires_on], applications on received_at; other collections refuse it with 400.
- Feature ids: title numbers and application refs with '/' written as '~'
  (PK-BA/EL/2026/0001 -> PK-BA~EL~2026~0001, PK-BA/A12 -> PK-BA~A12); project ids; boundary
  codes; reserved areas by row number.
- Conformance: core, geojson and oas30 (the service description is also served as OpenAPI 3.0).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the standards modules stay framework-free; only router.py adapts them
    from fastapi import FastAPI


def install(app: FastAPI) -> None:
    from maadan.ogc.router import router

    app.include_router(router)
