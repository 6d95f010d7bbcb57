"""the envelope of each spatial change (issue 12: cached tiles that survive a filing elsewhere)

A process caching PostGIS's tiles knew only that the spatial version had moved, so any filing,
grant or expiry anywhere in the jurisdiction made every cached tile be built again. Each row of
the change log now carries the changed feature's envelope before and after the change (lon/lat;
the union of both when the ground moved or shrank), and a cache drops only the tiles it meets.
Rows written before this revision have none: a cache reading one builds its tiles again, as before.

Revision ID: b8e1f4c20022
Revises: a4d6e2b80021
Create Date: 2026-12-06 03:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b8e1f4c20022'
down_revision = "a4d6e2b80021"
branch_labels = None
depends_on = None

COLUMNS = ("minx", "miny", "maxx", "maxy")


def upgrade() -> None:
    for name in COLUMNS:  # nullable: added in place on both stores, no copy of the table
        op.add_column("cadastre_spatial_change", sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cadastre_spatial_change") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
