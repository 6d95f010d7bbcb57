"""reads: a spatial index for the bbox filter of the OGC items pages (issue 12 item 4).

The titles and applications keep their envelope in four columns (minx, miny, maxx, maxy); a
B-tree on them cannot answer "overlaps this box" without scanning. Each backend gets a
two-dimensional index on the envelope:

- PostgreSQL: a GiST index on the expression box(point(minx, miny), point(maxx, maxy)) (core
  PostgreSQL, no PostGIS needed); queries ask `&&` on the same expression (store/bbox_index.py).
- SQLite: an R*Tree virtual table per table (<table>_rtree), filled from the rows and kept in step
  by triggers on insert, update of the envelope, and delete. R*Tree stores 32-bit floats rounded
  outward, so it finds a superset; queries keep the exact test on the stored envelope.

Revision ID: d5b3e8f1c015
Revises: c4f2a7d1e015
Create Date: 2026-12-04 07:10:00
"""
from alembic import op


revision = 'd5b3e8f1c015'
down_revision = "c4f2a7d1e015"
branch_labels = None
depends_on = None

TABLES = ("title", "application")


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        if bind.dialect.name == "postgresql":
            op.execute(f"CREATE INDEX ix_{table}_envelope_box ON {table} "
                       f"USING gist (box(point(minx, miny), point(maxx, maxy)))")
            continue
        op.execute(f"CREATE VIRTUAL TABLE {table}_rtree USING rtree(id, minx, maxx, miny, maxy)")
        op.execute(f"INSERT INTO {table}_rtree (id, minx, maxx, miny, maxy) "
                   f"SELECT id, minx, maxx, miny, maxy FROM {table}")
        op.execute(f"CREATE TRIGGER {table}_rtree_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {table}_rtree (id, minx, maxx, miny, maxy) "
                   f"VALUES (new.id, new.minx, new.maxx, new.miny, new.maxy); END")
        op.execute(f"CREATE TRIGGER {table}_rtree_update AFTER UPDATE OF id, minx, maxx, miny, maxy ON {table} BEGIN "
                   f"DELETE FROM {table}_rtree WHERE id = old.id; "
                   f"INSERT INTO {table}_rtree (id, minx, maxx, miny, maxy) "
                   f"VALUES (new.id, new.minx, new.maxx, new.miny, new.maxy); END")
        op.execute(f"CREATE TRIGGER {table}_rtree_delete AFTER DELETE ON {table} BEGIN "
                   f"DELETE FROM {table}_rtree WHERE id = old.id; END")


def downgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_envelope_box")
            continue
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_rtree_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {table}_rtree")
