"""Read units of work (store/uow.py): on PostgreSQL they run in autocommit (no BEGIN and no ROLLBACK
round trips) and refuse to flush a change, which would commit statement by statement; writes are
unchanged. On SQLite a read unit of work is a deferred transaction, as before."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from maadan.config import load_settings
from maadan.ingest.service import seed_reference_data
from maadan.store import migrate
from maadan.store import tables as t
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork


@pytest.fixture
def engine(fresh_db):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": fresh_db.url}))
    migrate.upgrade(engine)
    seed_reference_data(UnitOfWork(engine, write=True))
    yield engine
    engine.dispose()


def test_a_read_runs_without_a_transaction_on_postgresql_and_a_write_in_one(engine):
    postgres = engine.dialect.name == "postgresql"
    with UnitOfWork(engine) as uow:
        uow.session.execute(text("SELECT 1"))
        if postgres:  # psycopg: autocommit, so no transaction is open after a statement
            assert uow.session.connection().connection.driver_connection.autocommit is True
            assert uow.session.execute(text("SELECT now() = statement_timestamp()")).scalar() is True
    with UnitOfWork(engine, write=True) as uow:
        uow.session.execute(text("SELECT 1"))
        if postgres:
            assert uow.session.connection().connection.driver_connection.autocommit is False
            assert uow.session.execute(text("SELECT now() = statement_timestamp()")).scalar() is False
    with UnitOfWork(engine) as uow:  # the pooled connection went back to transactions for the writer
        uow.session.execute(text("SELECT 1"))
    with UnitOfWork(engine, write=True) as uow:
        if postgres:
            assert uow.session.connection().connection.driver_connection.autocommit is False


def test_a_read_unit_of_work_that_would_write_is_refused_on_postgresql_and_nothing_is_written(engine):
    before = _count(engine)
    insert = t.mineral.insert().values(**_row_like_first(engine))
    if engine.dialect.name == "postgresql":
        with pytest.raises(RuntimeError, match="read unit of work cannot write"):
            with UnitOfWork(engine) as uow:
                uow.session.execute(insert)
    with UnitOfWork(engine, write=True) as uow:  # the write path is unchanged
        uow.session.execute(insert)
        uow.commit()
    assert _count(engine) == before + 1


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM mineral")).scalar()


def _row_like_first(engine) -> dict:
    with engine.connect() as conn:
        kind = conn.execute(text("SELECT kind FROM mineral LIMIT 1")).scalar()
    return {"id": "test-read-uow", "name": "Test (read units of work)", "kind": kind, "source": "test"}
