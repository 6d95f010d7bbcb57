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
    from maadan.http import metrics, warmup
    from maadan.ogc.router import router
    from maadan.ogc.tile_metrics import TileCacheCollector

    app.include_router(router)
    app.state.map_tiles = "warming"
    warmup.add(app, _warm_tiles)
    metrics.add(app, TileCacheCollector())


def _warm_tiles(app: FastAPI) -> None:
    """The vector tiles a map's first views ask for, built at startup (MAADAN_TILE_WARM_ZOOM);
    /api/health reports `map_tiles: off|warming|warm|partial|failed` (partial: stopped at the
    warm-up's share of the tile cache)."""
    import logging
    import time

    from maadan.ogc import tiles
    from maadan.store.uow import UnitOfWork

    log = logging.getLogger("maadan.api")
    zoom = app.state.settings.tile_warm_zoom
    if zoom < 0:
        app.state.map_tiles = "off"
        return
    start = time.perf_counter()
    try:
        warmed = tiles.warm(UnitOfWork(app.state.engine), zoom,
                            stopped=lambda: getattr(app.state, "stopping", False))  # set at shutdown
    except Exception:  # a tile not built now is built on its first request
        log.exception("warming the map's vector tiles failed")
        app.state.map_tiles = "failed"
        return
    app.state.map_tiles = "warm" if warmed.complete else "partial"
    log.info("map tiles to zoom %d %s: %d tiles, %.1f MB, in %.1f s", zoom, app.state.map_tiles, warmed.tiles,
             warmed.bytes / 1e6, time.perf_counter() - start)
