"""Alembic environment: runs on the connection handed over by maadan.store.migrate."""

from alembic import context

from maadan.store.schema import full_metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI directly
    raise SystemExit("Run migrations with `maadan db upgrade`, which passes the database connection.")

context.configure(
    connection=connection,
    target_metadata=full_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    # PostGIS's own table, created with the extension (migration 0012), is not Maadan's to manage.
    include_name=lambda name, type_, parent: not (type_ == "table" and name == "spatial_ref_sys"),
)
with context.begin_transaction():
    context.run_migrations()
