"""geometry rectangle flag (issue 12: PostGIS's densest tile).

Titles, applications and reserved areas say whether their geometry is its envelope (a rectangle
along the meridians and parallels: a graticular block, most of a mining cadastre). PostGIS's tile
query drew such a shape from its envelope after parsing it and comparing its area with the
envelope's, once a feature per tile; with the flag stored it parses nothing (the densest z8 tile
at 100,000 titles: 3-4 ms of about 30). The rows already stored are flagged here, in chunks of
ids, by the same test the application applies on every write (cadastre.geometry.rectangles,
repeated below so that this migration keeps its meaning).

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
    geoms = shapely.from_wkb(np.array(wkbs, dtype=object))
    b = shapely.bounds(geoms)
    box_area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return ((shapely.get_type_id(geoms) == 3) & (shapely.get_num_coordinates(geoms) == 5)
            & (box_area > 0) & (np.abs(shapely.area(geoms) - box_area) <= 1e-9 * box_area))


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
