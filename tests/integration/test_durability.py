"""Durable receipts (issue 18 item 6): commits reach the disk before a receipt is given, on both backends."""

from __future__ import annotations

import logging

from sqlalchemy import text

from maadan.config import load_settings
from maadan.store import durability
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork


def test_every_write_commits_durably(fresh_db, caplog):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": fresh_db.url}))
    with caplog.at_level(logging.WARNING, logger="maadan.store"):
        warnings = durability.require_durable(engine)
    with UnitOfWork(engine, write=True) as uow:
        if fresh_db.backend == "sqlite":
            assert uow.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
            assert warnings == []
        else:
            assert uow.session.execute(text("SHOW synchronous_commit")).scalar() in durability.DURABLE_COMMIT
            found = durability.postgres_settings(engine)
            # the throwaway test server runs with synchronous_commit=off: Maadan's sessions turn it on, and say so
            assert (found["synchronous_commit"] == "off") == any("synchronous_commit" in w for w in warnings)
            assert (found["fsync"] == "off") == any("fsync" in w for w in warnings)
            assert [r.getMessage() for r in caplog.records] == warnings
    engine.dispose()


def test_sqlite_extra_is_a_choice_and_normal_is_not(tmp_path):
    import pytest

    from maadan.errors import ConfigError

    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url, "MAADAN_SQLITE_SYNCHRONOUS": "extra"}))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 3  # EXTRA
    engine.dispose()
    with pytest.raises(ConfigError, match="MAADAN_SQLITE_SYNCHRONOUS must be full or extra, not 'normal'"):
        load_settings({"MAADAN_DATABASE_URL": url, "MAADAN_SQLITE_SYNCHRONOUS": "normal"})
