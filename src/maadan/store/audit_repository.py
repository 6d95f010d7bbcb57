"""Persistence of the register's Merkle tree: leaf hashes (on the events), stored subtree roots,
signed checkpoints and the public keys that signed them."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from maadan.audit.events import Event, event_from_row
from maadan.audit.model import StoredCheckpoint
from maadan.store import tables as t
from maadan.store.cadastre_repository import CadastreRepository
from maadan.store.database import driver_errors


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


_SIZE = select(func.coalesce(func.max(t.audit_event.c.seq), 0))
REGISTER_SIZE_SQL = "SELECT coalesce(max(seq), 0) FROM audit_event"  # the same, on the driver's connection


def register_size(engine: Engine) -> int:
    """The register's last sequence number (0 when empty) in one statement and one round trip: on a
    pooled connection in autocommit (no BEGIN, no ROLLBACK, no session settings to restore; SQLite's
    connections already run without an implicit transaction). What a conditional GET asks first.
    The driver's errors come out as SQLAlchemy's, as from a Connection (a database that is down is
    then a 503, not a 500), and a connection found broken is not handed back to the pool."""
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        raw = engine.raw_connection()
    except dbapi_error as exc:  # no connection could be made
        raise DBAPIError.instance(REGISTER_SIZE_SQL, (), exc, dbapi_error, connection_invalidated=True) from exc
    try:
        driver = raw.driver_connection
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            driver.autocommit = True  # psycopg: a client-side switch while the connection is idle
        try:
            with driver_errors(engine.dialect, REGISTER_SIZE_SQL, driver, raw.invalidate):
                cursor = driver.cursor()
                try:
                    cursor.execute(REGISTER_SIZE_SQL)
                    return int(cursor.fetchone()[0])
                finally:
                    cursor.close()
        finally:
            if postgres and raw.dbapi_connection is not None:  # None: invalidated, closed
                driver.autocommit = False
    finally:
        raw.close()


class AuditRepository:
    def __init__(self, session: Session):
        self.s = session
        self._events = CadastreRepository(session)  # the events table is shared with the cadastre's readers

    # --- events --------------------------------------------------------------------------------
    def lock(self, name: str) -> None:
        """Serialise appends: the counter row `name` is locked until the transaction ends."""
        self._events.lock(name)

    def last_event(self) -> Event | None:
        return self._events.last_event()

    def append_event(self, ev: Event) -> None:
        self._events.append_event(ev)

    def size(self) -> int:
        return int(self.s.execute(_SIZE).scalar_one())

    def hash_at(self, seq: int) -> str | None:
        """The chain hash of event `seq` (it covers every event before it), or None."""
        return self.s.execute(select(t.audit_event.c.hash).where(t.audit_event.c.seq == seq)).scalar()

    def event_rows(self, seq: int, limit: int, until: int | None = None) -> list[tuple]:
        """Up to `limit` events with seq > `seq` (and <= `until`) as raw column tuples, in order:
        a page of a long walk, in plain SQL (see `maadan.audit.events.event_from_row`)."""
        sql = ("SELECT seq, at, actor, kind, subject, data, documents, reason, prev_hash, hash, salt, leaf_hash "
               "FROM audit_event WHERE seq > :after" + (" AND seq <= :until" if until is not None else "")
               + " ORDER BY seq LIMIT :limit")
        return [tuple(r) for r in self.s.execute(text(sql), {"after": seq, "until": until, "limit": limit})]

    def events_after(self, seq: int, limit: int, until: int | None = None) -> list[Event]:
        return [event_from_row(r) for r in self.event_rows(seq, limit, until)]

    def event(self, seq: int) -> Event | None:
        r = self.s.execute(select(t.audit_event).where(t.audit_event.c.seq == seq)).first()
        return CadastreRepository._event(r) if r else None

    # --- tree ----------------------------------------------------------------------------------
    def hashes(self, level: int, first: int, last: int) -> list[bytes]:
        """Stored hashes at `level` with indices first..last-1: leaf hashes at level 0 (leaf i is
        event i + 1), subtree roots above."""
        if level == 0:
            c = t.audit_event.c
            q = select(c.leaf_hash).where(c.seq > first, c.seq <= last).order_by(c.seq)
        else:
            c = t.audit_node.c
            q = select(c.hash).where(c.level == level, c.idx >= first, c.idx < last).order_by(c.idx)
        return [bytes.fromhex(h) for h in self.s.execute(q).scalars()]

    def add_nodes(self, nodes: list[tuple[int, int, bytes]]) -> None:
        if nodes:
            self.s.execute(insert(t.audit_node), [{"level": lv, "idx": i, "hash": h.hex()} for lv, i, h in nodes])

    def nodes(self) -> dict[tuple[int, int], bytes]:
        """Every stored subtree root (a million events have about 4,000)."""
        return {(r.level, r.idx): bytes.fromhex(r.hash) for r in self.s.execute(select(t.audit_node))}

    # --- checkpoints and keys ------------------------------------------------------------------
    def add_checkpoint(self, tree_size: int, root_hash: str, signed_at: datetime, origin: str, key_id: str,
                       note: str) -> int:
        return self.s.execute(insert(t.register_checkpoint).values(
            tree_size=tree_size, root_hash=root_hash, signed_at=signed_at, origin=origin, key_id=key_id, note=note,
        ).returning(t.register_checkpoint.c.id)).scalar_one()

    @staticmethod
    def _checkpoint(r) -> StoredCheckpoint:
        return StoredCheckpoint(id=r.id, tree_size=r.tree_size, root_hash=r.root_hash, signed_at=_utc(r.signed_at),
                                origin=r.origin, key_id=r.key_id, note=r.note)

    def checkpoints(self, limit: int | None = None, offset: int = 0, newest_first: bool = False) -> list[StoredCheckpoint]:
        c = t.register_checkpoint.c
        q = select(t.register_checkpoint).order_by(c.id.desc() if newest_first else c.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        return [self._checkpoint(r) for r in self.s.execute(q)]

    def count_checkpoints(self) -> int:
        return int(self.s.execute(select(func.count()).select_from(t.register_checkpoint)).scalar_one())

    def checkpoint(self, checkpoint_id: int) -> StoredCheckpoint | None:
        r = self.s.execute(select(t.register_checkpoint).where(t.register_checkpoint.c.id == checkpoint_id)).first()
        return self._checkpoint(r) if r else None

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        found = self.checkpoints(limit=1, newest_first=True)
        return found[0] if found else None

    def checkpoint_of_size(self, tree_size: int) -> StoredCheckpoint | None:
        c = t.register_checkpoint.c
        r = self.s.execute(select(t.register_checkpoint).where(c.tree_size == tree_size)
                           .order_by(c.id.desc()).limit(1)).first()
        return self._checkpoint(r) if r else None

    def first_checkpoint_after(self, moment: datetime) -> StoredCheckpoint | None:
        c = t.register_checkpoint.c
        r = self.s.execute(select(t.register_checkpoint).where(c.signed_at > moment)
                           .order_by(c.signed_at, c.id).limit(1)).first()
        return self._checkpoint(r) if r else None

    def add_key(self, vkey: str, key_id: str, first_used: datetime) -> None:
        if self.s.execute(select(t.register_key.c.vkey).where(t.register_key.c.vkey == vkey)).first() is None:
            self.s.execute(insert(t.register_key).values(vkey=vkey, key_id=key_id, first_used=first_used))

    def keys(self) -> list[tuple[str, str, datetime]]:
        """(vkey, key id, first used) of every key that signed a checkpoint, oldest first."""
        c = t.register_key.c
        return [(r.vkey, r.key_id, _utc(r.first_used))
                for r in self.s.execute(select(t.register_key).order_by(c.first_used, c.vkey))]
REPOSITORIES = {"audit": AuditRepository}  # collected by store/uow.py
