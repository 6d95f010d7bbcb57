"""Safe upgrades (issue 18 item 5): a populated registry at every earlier schema revision is migrated
to the newest, on both backends, and keeps every row, every value and a verifiable register; a
database newer than the code is refused.

The chain is walked from the migrations themselves, so a revision added later is tested without an
edit here. The registry at revision R is the populated head registry cut down to R's schema: every
table and column that exists at R, copied row for row (in foreign-key order); what later revisions
add, they must fill in themselves (the Merkle register's salts, leaf hashes and tree, for one)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, Table, create_engine, inspect, select, text

from maadan.audit import service as audit
from maadan.config import load_settings
from maadan.store import migrate
from maadan.store.database import create_db_engine
from maadan.store.schema import full_metadata
from maadan.store.uow import UnitOfWork
from tests.conftest import Database
from tests.integration.ops.conftest import maadan, maadan_json, square

EARLIER = migrate.revisions()[:-1]


def engine_for(url: str):
    return create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))


def columns_at(engine) -> dict[str, list[str]]:
    insp = inspect(engine)
    return {t: [c["name"] for c in insp.get_columns(t)] for t in insp.get_table_names() if t != "alembic_version"}


def rows(engine, table: Table) -> list[tuple]:
    order = list(table.primary_key.columns) or list(table.columns)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*order))]


def cut(table: Table, names: list[str]) -> Table:
    """`table` (as the code declares it now) with only the columns `names`."""
    return Table(table.name, MetaData(), *[Column(n, table.c[n].type, primary_key=table.c[n].primary_key)
                                           for n in names if n in table.c])


def copy_registry(source, target, schema: dict[str, list[str]]) -> dict[str, Table]:
    copied = {}
    with source.connect() as src, target.connect() as conn:
        # rows go in as they are (a table may refer to itself): no foreign-key checks while copying
        sqlite = conn.connection.dbapi_connection if target.dialect.name == "sqlite" else None
        if sqlite is not None:  # outside a transaction, where the pragma takes effect
            sqlite.execute("PRAGMA foreign_keys=OFF")
        with conn.begin():
            if target.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in full_metadata().sorted_tables:
                if table.name not in schema:
                    continue
                narrow = cut(table, schema[table.name])
                data = [dict(r._mapping) for r in src.execute(select(narrow))]
                if data:
                    conn.execute(narrow.insert(), data)
                copied[table.name] = narrow
        if sqlite is not None:
            sqlite.execute("PRAGMA foreign_keys=ON")
    if target.dialect.name == "postgresql":  # explicit keys were inserted: move the sequences past them
        with target.begin() as conn:
            for name, narrow in copied.items():
                for col in narrow.primary_key.columns:
                    seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                       {"t": name, "c": col.name}).scalar()
                    if seq:
                        conn.execute(text(f"SELECT setval('{seq}', COALESCE((SELECT max({col.name}) FROM "
                                          f"{name}), 0) + 1, false)"))
    return copied


@pytest.mark.parametrize("revision", EARLIER)
def test_populated_registry_upgrades_from_every_earlier_revision(registry, revision, tmp_path):
    source = engine_for(registry.url)
    target_db = Database(registry.backend, tmp_path)
    target = engine_for(target_db.url)
    try:
        migrate.upgrade(target, revision)
        copied = copy_registry(source, target, columns_at(target))
        had_register = "audit_event" in copied  # the first revision predates the cadastre
        assert not had_register or (len(rows(target, copied["audit_event"])) >= 10
                                    and len(rows(target, copied["application"])) >= 4
                                    and len(rows(target, copied["payment"])) >= 1)
        assert len(rows(target, copied["mineral"])) > 100

        migrate.upgrade(target)

        assert migrate.current_revision(target) == migrate.head_revision()
        for name, narrow in copied.items():  # every row and value that existed at the revision is kept
            assert rows(target, narrow) == rows(source, narrow), f"{name} changed by the upgrade from {revision}"
        for name in ("title", "application", "reserved_area"):  # a flag later revisions fill in themselves
            if name in copied:
                flags = cut(full_metadata().tables[name], ["id", "rectangle"])
                assert rows(target, flags) == rows(source, flags), f"{name}.rectangle after the upgrade from {revision}"
                if name == "application":  # squares and an L
                    assert {bool(r) for _, r in rows(source, flags)} == {True, False}
        check = audit.verify_register(UnitOfWork(target))
        assert check.ok, check
        assert check.events == (audit.verify_register(UnitOfWork(source)).events if had_register else 0)
        # the upgraded registry works: a filing, a decision, and the register still verifies
        area = tmp_path / "new.geojson"
        area.write_text(__import__("json").dumps(square(65.3, 28.8)))
        filed = maadan_json(target_db.url, "cadastre", "apply", area, "--type", "EL", "--mineral", "copper",
                            "--holder", "Chagai Minerals (Pvt) Ltd=100:PK:private")
        maadan_json(target_db.url, "cadastre", "decide", filed["number"], "accept")
        assert audit.verify_register(UnitOfWork(target)).events == check.events + 2
        assert audit.verify_register(UnitOfWork(target)).ok
    finally:
        source.dispose()
        target.dispose()
        target_db.close()


def test_upgrade_refuses_a_database_newer_than_the_code(fresh_db):
    code, _ = maadan(fresh_db.url, "db", "upgrade")
    assert code == 0
    engine = create_engine(fresh_db.url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed2099'"))
            tables = len(inspect(conn).get_table_names())
        from maadan.cli.app import main

        for command in (["db", "upgrade"], ["db", "init"], ["cadastre", "titles"]):
            code, out = maadan(fresh_db.url, *command, "--json") if command[-1] == "titles" else \
                maadan(fresh_db.url, *command)
            assert code == 4, command
        err = _error(fresh_db.url, main)
        assert "f00dfeed2099" in err and "newer Maadan" in err and "nothing was changed" in err
        with engine.connect() as conn:  # untouched
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "f00dfeed2099"
            assert len(inspect(conn).get_table_names()) == tables
    finally:
        engine.dispose()


def _error(url: str, main) -> str:
    import contextlib
    import io
    import os

    os.environ["MAADAN_DATABASE_URL"] = url
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            assert main(["db", "upgrade"]) == 4
    finally:
        os.environ.pop("MAADAN_DATABASE_URL", None)
    return " ".join(err.getvalue().split())
