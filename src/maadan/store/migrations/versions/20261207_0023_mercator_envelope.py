"""tiles: each title's, application's and reserved area's envelope in Web Mercator metres, kept by
PostgreSQL as generated columns (store/mercator_envelope.py), so that the vector tile statement reads
it instead of projecting every envelope on every request. SQLite, whose tiles are built in process,
is left as it is.

All four columns of a table are added in one ALTER TABLE: a stored generated column makes
PostgreSQL rewrite the table, once for the four.

Revision ID: e2a7c9d40023
Revises: b8e1f4c20022
Create Date: 2026-12-07 05:00:00
"""
from alembic import op


revision = 'e2a7c9d40023'
down_revision = "b8e1f4c20022"
branch_labels = None
depends_on = None

TABLES = ("title", "application", "reserved_area")
R = "6378137"


def _x(column: str) -> str:
    return f"radians({column}) * {R}"


def _y(column: str) -> str:
    return f"ln(tan(pi() / 4 + radians(least(greatest({column}, -85.05112878), 85.05112878)) / 2)) * {R}"


COLUMNS = {"merc_minx": _x("minx"), "merc_miny": _y("miny"), "merc_maxx": _x("maxx"), "merc_maxy": _y("maxy")}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} " + ", ".join(
            f"ADD COLUMN {name} double precision GENERATED ALWAYS AS ({expression}) STORED"
            for name, expression in COLUMNS.items()))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} " + ", ".join(f"DROP COLUMN IF EXISTS {name}" for name in COLUMNS))
