"""tiles: the PostGIS extension on PostgreSQL, when the server has it, so vector tiles are built
by the database (ST_AsMVT; issue 12). Without it (not installed, or no right to create it) the
migration changes nothing and tiles are built in process, as on SQLite.

Revision ID: c4e2a7d1b012
Revises: b3d9e1f0a011
Create Date: 2026-12-04 03:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e2a7d1b012'
down_revision = "b3d9e1f0a011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.execute(sa.text(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first()
    if not available:
        return
    # A savepoint: a refusal (no CREATE right on the database) must not abort the migration.
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        savepoint.commit()
    except sa.exc.DBAPIError:
        savepoint.rollback()


def downgrade() -> None:
    pass  # the extension may serve other schemas in the database: it is left in place
