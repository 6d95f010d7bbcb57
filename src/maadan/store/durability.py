"""Durable receipts (issue 18 item 6): no receipt, grant or payment is acknowledged before its transaction
is on disk. SQLite runs with `synchronous=FULL` (WAL: every commit syncs the log; `extra` also syncs the
folder) — `store/database.py` sets it on every connection from MAADAN_SQLITE_SYNCHRONOUS. PostgreSQL is
checked at start-up: `synchronous_commit=off` is overridden for Maadan's own sessions (each connection
sets it to `on`, so a commit returns only once its WAL record is flushed) and warned about; `fsync=off` or
`full_page_writes=off` cannot be fixed from a session and are warned about (a server set up so on purpose,
such as the throwaway test server of scripts/pg-test-server, still starts)."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, event, text

log = logging.getLogger("maadan.store")
DURABLE_COMMIT = ("on", "remote_apply", "remote_write", "local")  # all flush the primary's WAL to disk


def postgres_settings(engine: Engine) -> dict[str, str]:
    """The server's own values (not a session's override) of the settings durability depends on."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, reset_val FROM pg_settings WHERE name IN "
                                 "('fsync', 'synchronous_commit', 'full_page_writes')")).all()
    return {name: value for name, value in rows}


def require_durable(engine: Engine) -> list[str]:
    """Check (and, where Maadan can, fix) that commits are durable; returns the warnings given."""
    if engine.url.get_backend_name() != "postgresql":
        return []
    found = postgres_settings(engine)
    warnings = []
    if found.get("fsync") == "off" or found.get("full_page_writes") == "off":
        off = " and ".join(n for n in ("fsync", "full_page_writes") if found.get(n) == "off")
        warnings.append(f"PostgreSQL runs with {off} = off: a power loss or OS crash can lose or corrupt "
                        "committed transactions, and with them receipts already given. Set it to on in "
                        "postgresql.conf (docs/deploy.md).")
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
