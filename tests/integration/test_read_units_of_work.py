"""Read units of work (store/uow.py): on both stores they run in autocommit (no BEGIN and no ROLLBACK:
round trips on PostgreSQL, statements and GIL releases on SQLite), each statement reading its own
snapshot, and refuse to flush a change, which would commit statement by statement; writes are
unchanged (SQLite: BEGIN IMMEDIATE)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

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


def _in_transaction(uow) -> bool:
    raw = uow.session.connection().connection.driver_connection
    return not raw.autocommit if uow.engine.dialect.name == "postgresql" else raw.in_transaction


def test_a_read_runs_without_a_transaction_and_a_write_in_one(engine):
    postgres = engine.dialect.name == "postgresql"
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_: sent.append(statement))
    with UnitOfWork(engine) as uow:
        uow.session.execute(text("SELECT 1"))
        assert _in_transaction(uow) is False
        if postgres:
            assert uow.session.execute(text("SELECT now() = statement_timestamp()")).scalar() is True
    # No BEGIN was sent; and no transaction was open after the statement (above), so the driver's
    # rollback at the end had nothing to end (SQLite's sends no ROLLBACK then).
    assert sent[0] == "SELECT 1" and not any(s.split()[0].upper() == "BEGIN" for s in sent), sent
    sent.clear()
    with UnitOfWork(engine, write=True) as uow:
        uow.session.execute(text("SELECT 1"))
        assert _in_transaction(uow) is True
        if postgres:
            assert uow.session.execute(text("SELECT now() = statement_timestamp()")).scalar() is False
    if not postgres:  # the event hook begins it, so that concurrent writers queue (store/database.py)
        assert sent[0] == "BEGIN IMMEDIATE"
    with UnitOfWork(engine) as uow:  # the pooled connection went back to transactions for the writer
        uow.session.execute(text("SELECT 1"))
        assert _in_transaction(uow) is False
    with UnitOfWork(engine, write=True) as uow:
        uow.session.execute(text("SELECT 1"))
        assert _in_transaction(uow) is True


def test_each_statement_of_a_read_sees_what_was_committed_before_it(engine):
    with UnitOfWork(engine) as uow:
        before = uow.session.execute(text("SELECT count(*) FROM mineral")).scalar()
        with UnitOfWork(engine, write=True) as writer:
            writer.session.execute(t.mineral.insert().values(**_row_like_first(engine)))
            writer.commit()
        assert uow.session.execute(text("SELECT count(*) FROM mineral")).scalar() == before + 1


def test_a_read_unit_of_work_that_would_write_is_refused_and_nothing_is_written(engine):
    before = _count(engine)
    insert = t.mineral.insert().values(**_row_like_first(engine))
    with pytest.raises(RuntimeError, match="read unit of work cannot write"):
        with UnitOfWork(engine) as uow:
            uow.session.execute(insert)
    assert _count(engine) == before
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


def test_a_snapshot_unit_of_work_sees_the_store_as_its_first_statement_did(engine):
    """A long read that must hold one state (a download of the register) reads in one snapshot: a
    commit made meanwhile is not seen by its later statements, and it cannot write either."""
    with UnitOfWork(engine, snapshot=True) as snap:
        before = snap.session.execute(text("SELECT count(*) FROM mineral")).scalar()
        with UnitOfWork(engine, write=True) as writer:
            writer.session.execute(t.mineral.insert().values(**_row_like_first(engine)))
            writer.commit()
        assert snap.session.execute(text("SELECT count(*) FROM mineral")).scalar() == before
        with pytest.raises(Exception):  # noqa: B017 - PostgreSQL refuses in a READ ONLY transaction, SQLite's session
            snap.session.execute(t.mineral.delete())
    assert _count(engine) == before + 1
    with UnitOfWork(engine) as uow:
        assert uow.snapshot().engine is engine
        assert uow.session.execute(text("SELECT count(*) FROM mineral")).scalar() == before + 1
    with pytest.raises(ValueError, match="only reads"):
        UnitOfWork(engine, write=True, snapshot=True)
