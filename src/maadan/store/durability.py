"""Durable receipts (issue 18 item 6): no receipt, grant or payment is acknowledged before its transaction
is on disk. SQLite runs with `synchronous=FULL` (WAL: every commit syncs the log; `extra` also syncs the
folder) — `store/database.py` sets it on every connection from MAADAN_SQLITE_SYNCHRONOUS. PostgreSQL is
checked at start-up: `fsync=off` is refused in production (warned about in dev: a crash may corrupt
the database); `synchronous_commit=off` is overridden for Maadan's own sessions (each connection sets it
to `on`) and warned about, so a commit returns only once its WAL record is flushed."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, event, text

from maadan.config import Settings
from maadan.errors import ConfigError

log = logging.getLogger("maadan.store")
DURABLE_COMMIT = ("on", "remote_apply", "remote_write", "local")  # all flush the primary's WAL to disk


def postgres_settings(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, setting FROM pg_settings WHERE name IN "
                                 "('fsync', 'synchronous_commit', 'full_page_writes')")).all()
    return {name: value for name, value in rows}


def require_durable(engine: Engine, settings: Settings) -> list[str]:
    """Check (and, where Maadan can, fix) that commits are durable; returns the warnings given.
    Raises ConfigError for what cannot be fixed from here when MAADAN_ENV=prod."""
    if engine.url.get_backend_name() != "postgresql":
        return []
    found = postgres_settings(engine)
    warnings = []
    if found.get("fsync") == "off" or found.get("full_page_writes") == "off":
        off = " and ".join(n for n in ("fsync", "full_page_writes") if found.get(n) == "off")
        message = (f"PostgreSQL runs with {off} = off: a power loss or OS crash can lose or corrupt committed "
                   "transactions, and with them receipts already given. Set it to on in postgresql.conf.")
        if settings.production:
            raise ConfigError(message + " Maadan refuses to start with it off when MAADAN_ENV=prod.")
        warnings.append(message)
    if found.get("synchronous_commit") not in DURABLE_COMMIT:
        warnings.append(f"PostgreSQL's synchronous_commit is {found.get('synchronous_commit')!r}: Maadan sets it "
                        "to on for its own sessions, so that no receipt is given before its commit is on disk.")
        _commit_synchronously(engine)
    for message in warnings:
        log.warning(message)
    return warnings


def _commit_synchronously(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("SET synchronous_commit TO on")
        cursor.close()
        dbapi_connection.commit()

    engine.dispose()  # pooled connections were opened without it
