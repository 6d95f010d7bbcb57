"""geometry rectangle flag (issue 12: PostGIS's densest tile).

Titles, applications and reserved areas say whether their geometry is its envelope (a rectangle
along the meridians and parallels: a graticular block, most of a mining cadastre). PostGIS's tile
query drew such a shape from its envelope after parsing it and comparing its area with the
envelope's, once a feature per tile; with the flag stored it parses nothing (the densest z8 tile
at 100,000 titles: 2-4 ms of about 30). A page in a bbox takes a flagged title across the box's
edge by its envelope. The rows already stored are flagged here, in chunks of ids, by the same
test the application applies on every write (cadastre.geometry.rectangles: the four vertices are
the envelope's four corners; repeated below so that this migration keeps its meaning).

Revision ID: f3a8c1d20020
Revises: e7c2d9a40019
Create Date: 2026-12-05 04:30:00
"""
from alembic import op
import numpy as np
import shapely
import sqlalchemy as sa


revision = 'f3a8c1d20020'
down_revision = "e7c2d9a40019"
branch_labels = None
depends_on = None

TABLES = ("title", "application", "reserved_area")
CHUNK = 10_000


def _rectangles(wkbs: list[bytes]) -> np.ndarray:
    """Polygons whose four vertices are the four corners of their envelope, each once."""
    geoms = shapely.from_wkb(np.array(wkbs, dtype=object))
    out = np.zeros(len(geoms), dtype=bool)
    which = np.flatnonzero((shapely.get_type_id(geoms) == 3) & (shapely.get_num_coordinates(geoms) == 5))
    if not len(which):
        return out
    b = shapely.bounds(geoms[which])
    xy = shapely.get_coordinates(geoms[which]).reshape(-1, 5, 2)[:, :4]
    east, north = xy[:, :, 0] == b[:, None, 2], xy[:, :, 1] == b[:, None, 3]
    on_corners = ((xy[:, :, 0] == b[:, None, 0]) | east).all(axis=1) & ((xy[:, :, 1] == b[:, None, 1]) | north).all(axis=1)
    each_once = (np.sort(east.astype(np.int8) * 2 + north, axis=1) == np.arange(4)).all(axis=1)
    out[which] = on_corners & each_once & (b[:, 2] > b[:, 0]) & (b[:, 3] > b[:, 1])
    return out


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("rectangle", sa.Boolean(), nullable=False, server_default=sa.false()))
    bind = op.get_bind()
    for table in TABLES:
        flag = sa.text(f"UPDATE {table} SET rectangle = :yes WHERE id IN :ids").bindparams(
            sa.bindparam("ids", expanding=True))
        last = 0
        while True:
            rows = bind.execute(sa.text(f"SELECT id, geometry FROM {table} WHERE id > :last ORDER BY id LIMIT :n"),
                                {"last": last, "n": CHUNK}).all()
            if not rows:
                break
            last = rows[-1][0]
            rect = _rectangles([bytes(g) for _, g in rows])
            ids = [int(i) for (i, _), r in zip(rows, rect) if r]
            if ids:
                bind.execute(flag, {"yes": True, "ids": ids})


def downgrade() -> None:
    for table in TABLES:  # SQLite 3.35 and later drop a column in place (no copy: the R*Tree triggers stay)
        op.execute(f"ALTER TABLE {table} DROP COLUMN rectangle")
