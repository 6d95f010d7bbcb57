"""Reads a coroutine makes on the event loop: on PostgreSQL awaited through psycopg's own async
connections, on SQLite made at once through sqlite3 connections of their own; both apart from the
engine's pool (`for_engine` picks the one for an engine).

A plain `def` route reads the database in the thread pool, and the trip there and back costs a
request two thread switches and more CPU than the read itself (http/on_the_loop.py). A read awaited
on the loop costs neither, and while it waits for the server the worker answers other requests.
Only short reads of one row belong here: the register's size, which every conditional GET asks
first, and a jurisdiction's spatial version, which a check asks. They run in autocommit outside any
unit of work, on the primary, with a deadline; what they cannot do is left to the pool.

- At most `connections` are open per worker, each used by one read at a time; a read that finds all
  busy waits for one.
- The register's size and a spatial version are read fresh (`fresh`): each caller gets a read that
  began after it asked. On PostgreSQL the callers asking while a read of the same statement is under
  way share the next one, so a busy worker asks the server once for several requests. Such a caller
  waits for the read under way to end before its own begins: with a server that stops answering, up
  to two deadlines.
- A deadline (`timeout_s`) bounds the connect and the statement: a server that stops answering costs a
  request that long, not the worker its loop. Past it, and on any error of the driver, the connection
  is closed, never reused, and the error is SQLAlchemy's, as from a Connection (a database that is
  down is answered 503 by http/errors.py, not 500).
- Connections belong to the event loop that opened them: a read on another loop (a test client's new
  portal) drops them and opens its own.

On SQLite (`SQLiteReads`) the same reads are made on the loop without awaiting: a read of one row
of a local file in WAL mode, which no writer blocks, takes microseconds; through the engine's pool
and a session the spatial version cost a check about a fifth of its CPU (0.3 of 1.6 ms at 100,000
titles, in one process). The connections are opened on the file that exists (never creating one)
with `query_only` set, and a lock wait is bounded by the same deadline."""

from __future__ import annotations

import abc
import asyncio
import contextlib
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from maadan.store.audit_repository import REGISTER_SIZE_SQL
from maadan.store.cadastre_repository import SPATIAL_VERSION_SQL


class _OneValueReads(abc.ABC):
    """The reads both kinds offer, through their own `value` and the driver's parameter mark."""

    MARK: str

    async def register_size(self) -> int:
        """The register's last sequence number (0 when empty)."""
        return int(await self.fresh(REGISTER_SIZE_SQL))

    async def spatial_version(self, jurisdiction: str) -> int:
        """The jurisdiction's stored spatial version (0 before its first change), as a check asks."""
        return int(await self.fresh(SPATIAL_VERSION_SQL.format(mark=self.MARK), (jurisdiction,)) or 0)

    @abc.abstractmethod
    async def value(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        """The first column of the first row `sql` gives, or None."""

    async def fresh(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        """`value`, from a read that begins after this call: it sees every commit made before."""
        return await self.value(sql, parameters)


class AwaitedReads(_OneValueReads):
    """Short reads of one value for coroutines, on the PostgreSQL database of `engine`."""

    MARK = "%s"

    def __init__(self, engine: Engine, *, connections: int = 4, timeout_s: float = 5.0):
        if engine.dialect.name != "postgresql":
            raise ValueError(f"awaited reads are for PostgreSQL, not {engine.dialect.name}")
        _, params = engine.dialect.create_connect_args(engine.url)
        timeout = f"-c statement_timeout={int(timeout_s * 1000)}"
        self._params: dict[str, Any] = {**params, "autocommit": True, "connect_timeout": max(1, round(timeout_s)),
                                        "options": f"{params['options']} {timeout}" if params.get("options") else timeout}
        self._size = connections
        self._timeout_s = timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._idle: list[psycopg.AsyncConnection] = []
        self._slots: asyncio.Semaphore  # made by `_bind`, for the loop the reads run on
        self._next: dict[tuple[str, tuple[Any, ...]], asyncio.Future[Any]] = {}  # a read's callers, before it begins
        self._reading: dict[tuple[str, tuple[Any, ...]], asyncio.Task[None]] = {}  # what makes them, one a statement

    async def fresh(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        """`value`, from a read that begins after this call, shared by the callers that asked for the
        same statement meanwhile. A caller never takes the answer of a read already under way (sent
        before it called, it may miss a commit made just before); it waits for the next one, which
        begins when that read ends and answers everyone who asked since. Under load a worker thus
        asks the server once for several requests, and with one request at a time the read is its own.
        An error, a deadline passed included, goes to every caller of that read."""
        self._bind()
        key = (sql, parameters)
        waiting = self._next.get(key)
        if waiting is None:
            waiting = self._next[key] = self._loop.create_future()  # type: ignore[union-attr]
            if key not in self._reading:
                self._reading[key] = self._loop.create_task(self._read_for_callers(key))  # type: ignore[union-attr]
        return await asyncio.shield(waiting)  # a caller cancelled leaves the read to the others

    async def _read_for_callers(self, key: tuple[str, tuple[Any, ...]]) -> None:
        """Reads `key` for the callers waiting, again while more arrived during a read, then ends."""
        waiting = None
        try:
            while (waiting := self._next.pop(key, None)) is not None:  # taken before the read is sent
                try:
                    waiting.set_result(await self.value(*key))
                except Exception as exc:  # noqa: BLE001 - theirs, as each would have had it from its own read
                    waiting.set_exception(exc)
        finally:
            if self._reading.get(key) is asyncio.current_task():
                del self._reading[key]
                # Cancelled (the loop closing): nobody is left waiting for a read that never comes.
                for left in (waiting, self._next.pop(key, None)):
                    if left is not None and not left.done():
                        left.cancel()

    async def value(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        """The first column of the first row `sql` gives, or None (`parameters` bound by the driver)."""
        self._bind()
        async with self._slots:
            connection = self._idle.pop() if self._idle else None
            try:
                async with asyncio.timeout(self._timeout_s):
                    if connection is None:
                        connection = await psycopg.AsyncConnection.connect(**self._params)
                    cursor = await connection.execute(sql, parameters or None)
                    row = await cursor.fetchone()
            except (psycopg.Error, TimeoutError) as exc:
                _drop(connection)
                if isinstance(exc, TimeoutError):
                    exc = psycopg.OperationalError(f"the database did not answer within {self._timeout_s:g} s")
                raise DBAPIError.instance(sql, (), exc, psycopg.Error, connection_invalidated=True) from exc
            except BaseException:  # cancelled mid-read: the connection's state is unknown
                _drop(connection)
                raise
            self._idle.append(connection)
            return None if row is None else row[0]

    async def close(self) -> None:
        """Close the idle connections (at the app's shutdown, on its loop)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            with contextlib.suppress(psycopg.Error):
                await connection.close()

    def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            for connection in self._idle:
                _drop(connection)
            self._loop, self._idle, self._slots = loop, [], asyncio.Semaphore(self._size)
            self._next, self._reading = {}, {}


def _drop(connection: psycopg.AsyncConnection | None) -> None:
    """Close `connection` at once, without awaiting the server (it may be gone, or on another loop)."""
    if connection is not None and not connection.closed:
        connection.pgconn.finish()


class SQLiteReads(_OneValueReads):
    """The reads of `AwaitedReads` on the SQLite file of `engine`, made on the caller's thread (the
    event loop's) through connections of their own: at most `connections` are kept idle; any thread
    may use one, one thread at a time."""

    MARK = "?"

    def __init__(self, engine: Engine, *, connections: int = 4, timeout_s: float = 5.0):
        database = _sqlite_file(engine)
        if database is None:
            raise ValueError(f"reads of their own need an SQLite file, not {engine.url.render_as_string()}")
        self._uri = f"file:{urllib.parse.quote(str(Path(database).resolve()))}?mode=rw"  # never creates a file
        self._size = connections
        self._timeout_s = timeout_s
        self._idle: list[sqlite3.Connection] = []

    async def value(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        """`value_now`, for a coroutine: it does not wait for anything."""
        return self.value_now(sql, parameters)

    def value_now(self, sql: str, parameters: tuple[Any, ...] = ()) -> Any:
        """The first column of the first row `sql` gives, or None; errors as SQLAlchemy's."""
        try:
            connection = self._idle.pop()  # atomic: two threads never take the same one
        except IndexError:
            connection = None
        try:
            if connection is None:
                connection = self._connect()
            cursor = connection.execute(sql, parameters)
            try:
                row = cursor.fetchone()
            finally:
                cursor.close()  # the statement reset: its snapshot ends here, not when it is collected
        except sqlite3.Error as exc:
            if connection is not None:
                connection.close()
            raise OperationalError(sql, parameters, exc, connection_invalidated=True) from exc
        if len(self._idle) < self._size:
            self._idle.append(connection)
        else:
            connection.close()
        return None if row is None else row[0]

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._uri, uri=True, timeout=self._timeout_s, isolation_level=None,
                                     check_same_thread=False)
        try:
            connection.execute("PRAGMA query_only=ON")
        except sqlite3.Error:
            connection.close()
            raise
        return connection


def _sqlite_file(engine: Engine) -> str | None:
    """The path of `engine`'s SQLite file as its URL gives it; None for another database, one in
    memory, or one named by a `file:` URI."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    return None if not database or database == ":memory:" or database.startswith("file:") else database


def for_engine(engine: Engine) -> AwaitedReads | SQLiteReads | None:
    """The reads for `engine`'s database: None for an SQLite database in memory."""
    if engine.dialect.name == "postgresql":
        return AwaitedReads(engine)
    return SQLiteReads(engine) if _sqlite_file(engine) is not None else None
