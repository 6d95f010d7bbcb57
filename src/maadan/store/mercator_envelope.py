"""The envelope of each title, application and reserved area in Web Mercator metres (EPSG:3857),
kept by PostgreSQL beside the lon/lat one (minx, miny, maxx, maxy) as generated columns
(migration 0023) for the vector tile statement (store/tiles_repository.py).

PostGIS builds a tile from each feature's envelope projected to Web Mercator; projected per row and
per request, the arithmetic (a tangent and a logarithm for each latitude) was about as dear as the
scan that finds the rows: the densest z8 tile at 100,000 titles took 26.8 ms with
the envelope projected in the statement and 23.3 ms with it read from these columns (medians of 9
rounds, the same connection). The database computes them on every insert and update, COPY
included, and nothing in the code writes them. SQLite has no such columns: its tiles are built in
process (ogc/tiles.py), which projects the envelopes once per layer, not per request.

x = R·λ and y = R·ln(tan(π/4 + φ/2)) with R = 6,378,137 m and φ held within ±85.05112878°, the
latitude where the square Web Mercator world ends (the same formula as the statement used)."""

from __future__ import annotations

TABLES = ("title", "application", "reserved_area")
COLUMNS = ("merc_minx", "merc_miny", "merc_maxx", "merc_maxy")  # from minx, miny, maxx, maxy


def select_sql(alias: str) -> str:
    """The select-list entries that read `alias`'s Mercator envelope as x0, y0, x1, y1 (for
    statements written as text: the tile statement, store/tiles_repository.py)."""
    return ", ".join(f"{alias}.{column} AS {name}" for column, name in zip(COLUMNS, ("x0", "y0", "x1", "y1")))


def own_column(name: str) -> bool:
    """Whether a column of that name is one of these generated columns (on PostgreSQL only, so not
    in store/tables.py)."""
    return name in COLUMNS
