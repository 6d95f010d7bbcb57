"""Engine factory. SQLite gets foreign keys, WAL, synchronous=FULL (durable commits) and a busy timeout,
and its transactions are begun explicitly (BEGIN IMMEDIATE for writers) so that concurrent writers queue instead of failing;
a read unit of work begins none (`read_options`: each statement in autocommit, as on PostgreSQL).
Both stores wait at most MAADAN_LOCK_WAIT_MS for another transaction's lock (SQLite's busy timeout,
PostgreSQL's lock_timeout); a longer wait is `StoreBusy` (503 with Retry-After), raised by the unit of work.
A pooled PostgreSQL connection is pinged before use only when it sat idle in the pool for PING_AFTER_IDLE_S
or more (SQLAlchemy's pool_pre_ping pings on every checkout: one more round trip per unit of work); a
connection lost within that second fails its request (503, http/errors.py) and SQLAlchemy then renews the pool."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Dialect, Engine, create_engine, event, inspect
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.engine import make_url

from maadan.config import Settings
from maadan.errors import ConfigError, DatabaseNotReady

WRITE = "maadan_write"  # execution option: this transaction will write
READ = "maadan_read"  # execution option: a read unit of work, its statements in autocommit


def read_options(engine: Engine) -> dict[str, object]:
    """The execution options of a read unit of work (store/uow.py): no BEGIN, no ROLLBACK.
    PostgreSQL: the AUTOCOMMIT isolation level (the pool restores the connection's level on return;
    psycopg switches it client-side, no round trip). SQLite: no BEGIN is issued (`_on_begin`), and the
    sqlite3 module's rollback does nothing outside a transaction. Not SQLite's AUTOCOMMIT level: the
    pool's reset to the default level would turn the sqlite3 module's own implicit BEGINs back on."""
    return {"isolation_level": "AUTOCOMMIT"} if engine.dialect.name == "postgresql" else {READ: True}


def snapshot_options(engine: Engine) -> dict[str, object]:
    """The execution options of a snapshot unit of work: one read-only transaction whose statements
    all see the store as it was at its first (PostgreSQL: REPEATABLE READ, READ ONLY; SQLite: a
    deferred BEGIN, whose first read fixes the snapshot WAL mode keeps for it until it ends)."""
    if engine.dialect.name == "postgresql":
        return {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    return {}


def create_db_engine(settings: Settings) -> Engine:
    """Create the engine for `settings.database_url`; creates the SQLite folder if needed."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        path = settings.sqlite_path
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"Cannot create the database folder {path.parent}: {exc.strerror}") from exc
        engine = create_engine(url, echo=settings.sql_echo, connect_args={"timeout": settings.lock_wait_ms / 1000})
        _configure_sqlite(engine, settings.sqlite_synchronous, settings.lock_wait_ms)
        return engine
    # JIT off on every connection: the queries here are short, and PostgreSQL's JIT compiled a z8
    # vector tile query for seconds to run it in a fraction of that (EXPLAIN ANALYZE at 100,000
    # titles: JIT 6.4 s of 4.1 s total; 0.55 s without). Per connection, not `SET LOCAL` in the
    # query's transaction: a read unit of work runs in autocommit, where SET LOCAL does nothing.
    engine = create_engine(url, echo=settings.sql_echo,
                           connect_args={"options": f"-c lock_timeout={settings.lock_wait_ms} -c jit=off"})
    ping_when_idle(engine)
    return engine


@contextmanager
def driver_errors(dialect: Dialect, statement: str, driver: Any,
                  invalidate: Callable[[BaseException], None]) -> Iterator[None]:
    """Errors of calls made on the driver's own connection (`driver`: a COPY, a binary cursor, a
    statement without SQLAlchemy's overhead) raised as SQLAlchemy raises them from a Connection, so
    that a database that went away is answered 503 like any other read (http/errors.py) and not 500;
    a connection the server has closed is invalidated (`invalidate(exc)`), not handed out again."""
    base = dialect.loaded_dbapi.Error
    try:
        yield
    except base as exc:
        lost = dialect.is_disconnect(exc, driver, None)
        if lost:
            invalidate(exc)
        raise DBAPIError.instance(statement, (), exc, base, connection_invalidated=lost) from exc


PING_AFTER_IDLE_S = 1.0


def ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection on checkout when it was idle PING_AFTER_IDLE_S or more (a dead one is
    replaced, as pool_pre_ping would); a connection used within the last second is handed out as it is."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection, record) -> None:
        record.info["maadan_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("maadan_idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return  # a new connection, or one in use a moment ago
        try:
            ok = engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - any failure of the ping means: not usable
            raise DisconnectionError(str(exc)) from exc
        if not ok:
            raise DisconnectionError("ping failed")


LOCKED_SQLSTATES = {"55P03", "40P01"}  # PostgreSQL: lock_not_available (lock_timeout), deadlock_detected


def is_lock_wait(exc: BaseException) -> bool:
    """Did this database error come from waiting too long for another transaction's lock?"""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in LOCKED_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and str(orig).startswith(("database is locked", "database table is locked"))


def _configure_sqlite(engine: Engine, synchronous: str = "full", lock_wait_ms: int = 30_000) -> None:
    # synchronous=FULL (issue 18): in WAL mode every commit syncs the log before it returns, so a receipt
    # outlives a power loss (NORMAL could roll back the last commits); EXTRA also syncs the folder.
    # ("normal" is only for bench/durability.py's baseline; settings accept full or extra)
    pragma = f"PRAGMA synchronous={ {'extra': 'EXTRA', 'normal': 'NORMAL'}.get(synchronous, 'FULL') }"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_wait_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        options = conn.get_execution_options()
        if options.get(READ):  # a read unit of work: each statement in its own implicit transaction
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE) else "BEGIN")


def describe(engine: Engine) -> str:
    """A human description of where the data lives, without credentials."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {Path(url.database).resolve() if url.database else ':memory:'}"
    return f"PostgreSQL database {url.database} on {url.host}:{url.port or 5432}"


def require_schema(engine: Engine) -> None:
    """Raise DatabaseNotReady when the schema has not been created or is older than this code."""
    from maadan.store import migrate

    if not inspect(engine).has_table("mineral"):
        raise DatabaseNotReady(
            f"The {describe(engine)} has no Maadan schema yet. Run: maadan db init"
        )
    migrate.refuse_newer(engine)
    current, head = migrate.current_revision(engine), migrate.head_revision()
    if current != head:
        raise DatabaseNotReady(
            f"The {describe(engine)} has schema revision {current}, this version of Maadan needs {head}. "
            "Run: maadan db upgrade"
        )
