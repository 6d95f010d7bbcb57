"""Unit of work: the only place that commits. Leaving the block without commit() rolls back.
Its repositories are the ones the store's modules declare (`REPOSITORIES = {"name": class}`),
each opened on the block's session as `uow.<name>`.

With an idempotency claim (`store/idempotency.py`, a REST write that carries an `Idempotency-Key`), commit()
hands the transaction to the claim instead of committing it, and every unit of work of that request works
in the held transaction from then on (so a read after the write sees it); the HTTP layer commits it with the
answer.

A read unit of work (write=False) runs its statements in autocommit on both stores: no BEGIN and no
ROLLBACK around them (`database.read_options`). On PostgreSQL that is two round trips fewer (a one-statement
read makes one instead of three); under its READ COMMITTED each statement takes its own snapshot inside a
transaction too, so nothing a reader sees changes. On SQLite it is two statements fewer, and two fewer
releases of the GIL that a busy worker's thread must win back; each statement reads its own snapshot, as
on PostgreSQL (before round 15 a SQLite reader held one snapshot for the whole block). A read unit of work
refuses an INSERT, UPDATE or DELETE (ReadOnlySession) instead of autocommitting half a change.

A snapshot unit of work (`snapshot=True`, or `uow.snapshot()`) reads in one read-only transaction
instead (`database.snapshot_options`): every statement sees the store as the first did, for a long
read that must hold one state however many statements it takes (the register's downloads)."""

from __future__ import annotations

import functools
import weakref
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from maadan.errors import StoreBusy
from maadan.registry import collect
from maadan.store.database import WRITE, is_lock_wait, read_options, snapshot_options
from maadan.store.idempotency import Claim


@functools.cache
def repositories() -> dict[str, type]:
    """Attribute name -> repository class, from every store module that declares some."""
    found: dict[str, type] = {}
    for module, declared in collect("maadan.store", "REPOSITORIES"):
        for name, cls in declared.items():
            if name in found:
                raise RuntimeError(f"{module.__name__} declares the repository {name!r} a second time")
            found[name] = cls
    return found


class ReadOnlySession(Session):
    """The session of a read unit of work in autocommit: an INSERT, UPDATE or DELETE is refused, since
    each statement would commit on its own (a change belongs in a unit of work opened with write=True)."""

    def execute(self, statement, *args, **kwargs):  # type: ignore[override]
        if getattr(statement, "is_dml", False):
            raise RuntimeError("a read unit of work cannot write: open it with UnitOfWork(engine, write=True)")
        return super().execute(statement, *args, **kwargs)


_FACTORIES: "weakref.WeakKeyDictionary[Engine, dict[bool, sessionmaker]]" = weakref.WeakKeyDictionary()


def _session_factory(engine: Engine, write: bool) -> sessionmaker:
    """One sessionmaker per engine and kind: making one builds a Session subclass and its event dispatch,
    which cost about a millisecond per unit of work when done for each (a race makes two, harmlessly)."""
    factories = _FACTORIES.get(engine)
    if factories is None:
        factories = _FACTORIES[engine] = {}
    factory = factories.get(write)
    if factory is None:
        factory = factories[write] = sessionmaker(bind=engine, expire_on_commit=False,
                                                  class_=Session if write else ReadOnlySession)
    return factory


class UnitOfWork:
    """`with UnitOfWork(engine, write=True) as uow: ...; uow.commit()`. A read unit of work runs each
    statement on its own (autocommit); `snapshot=True` makes one that reads in one transaction, every
    statement seeing the store as the first did (a long read that must be consistent: a download)."""

    def __init__(self, engine: Engine, *, write: bool = False, claim: Claim | None = None, snapshot: bool = False):
        if snapshot and (write or claim is not None):
            raise ValueError("a snapshot unit of work only reads")
        self._engine = engine
        self._factory = _session_factory(engine, write)
        self._write = write
        self._claim = claim
        self._snapshot = snapshot
        self.session: Session | None = None

    def snapshot(self) -> "UnitOfWork":
        """A unit of work on the same store that reads in one snapshot (see the class)."""
        return UnitOfWork(self._engine, snapshot=True)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def claim(self) -> Claim | None:
        return self._claim

    @property
    def key(self) -> str:
        """The database this unit of work opens (its URL, without a password)."""
        return self._engine.url.render_as_string(hide_password=True)

    def __enter__(self) -> "UnitOfWork":
        if self._claim is not None and self._claim.session is not None:
            self.session = self._claim.session  # the request's held write transaction
        else:
            self.session = self._factory()
            if self._snapshot:
                self.session.connection(execution_options=snapshot_options(self._engine))
            elif not self._write:
                self.session.connection(execution_options=read_options(self._engine))
            else:
                try:
                    self.session.connection(execution_options={WRITE: True})  # SQLite: BEGIN IMMEDIATE
                except DBAPIError as exc:
                    self.session.close()
                    self.session = None
                    if is_lock_wait(exc):
                        raise StoreBusy() from exc
                    raise
        for name, cls in repositories().items():
            setattr(self, name, cls(self.session))
        return self

    def __getattr__(self, name: str) -> Any:  # a repository outside the block: say so plainly
        if name in repositories():
            raise RuntimeError(f"uow.{name} is only available inside `with uow:`")
        raise AttributeError(name)

    def __exit__(self, *exc) -> None:
        assert self.session is not None
        if self._claim is not None and self._claim.holds(self.session):
            self.session = None
            if exc[0] is not None:  # a failure after the write: nothing of it stays
                self._claim.release()
        else:
            try:
                self.session.close()  # what was not committed is rolled back
            finally:
                self.session = None
        if exc[1] is not None and is_lock_wait(exc[1]):  # rolled back: say "busy, try again", not a 500
            raise StoreBusy() from exc[1]

    def commit(self) -> None:
        assert self.session is not None, "commit() outside the unit of work"
        if self._claim is not None and self._write:
            self._claim.hold(self.session, self._engine)
            return
        self.session.commit()  # a lock wait here leaves by __exit__, which says StoreBusy
