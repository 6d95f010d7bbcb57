"""Exactly-once writes (issue 18): an `Idempotency-Key` claim that rides on a request's unit of work.

While a request carries a key, its write transaction is not committed by the use case: `UnitOfWork.commit()`
hands the open transaction to the claim (`hold`), which adds the key's row to it. The HTTP layer commits it
(`finish`) once the answer is complete, with the answer in the same row: the write, its key and its answer
become durable together or not at all. A retry finds the row and gets the stored answer (`lookup`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from maadan.errors import Conflict
from maadan.store.idempotency_tables import idempotency_key as table


class KeyInFlight(Conflict):
    """Another request with the same key committed first (or is committing now)."""

    code = "idempotency_key_in_use"


@dataclass(frozen=True)
class Stored:
    """A stored answer: what the first request with this key got."""

    fingerprint: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    created_at: datetime
    route: str | None = None  # the template of the route that answered (for metrics)


@dataclass
class Claim:
    """The key of one request; `session` is its write transaction once the use case has committed it."""

    owner: str
    key: str
    fingerprint: str
    method: str
    path: str
    ttl: timedelta
    engine: Engine | None = None
    session: Session | None = field(default=None, repr=False)
    lost: bool = False  # another request with this key won the race; its answer is the one to give

    def holds(self, session: Session | None) -> bool:
        return session is not None and session is self.session

    def hold(self, session: Session, engine: Engine) -> None:
        """Take over the open write transaction of `session` (instead of committing it) and add the key's
        row to it. A second commit in the same request keeps the same transaction."""
        if self.session is session:
            session.flush()
            return
        if self.session is not None:
            raise RuntimeError("a request with an Idempotency-Key may write in one transaction only")
        now = _now()
        session.execute(delete(table).where(table.c.expires_at < now))  # expired keys go with any write
        try:
            session.execute(table.insert().values(
                owner=self.owner, key=self.key, fingerprint=self.fingerprint, method=self.method,
                path=self.path[:2048], created_at=now, expires_at=now + self.ttl))
            session.flush()
        except IntegrityError:
            self.lost = True
            raise KeyInFlight("another request with this Idempotency-Key was processed first; "
                              "send it again to get that request's answer",
                              details={"header": "Idempotency-Key"}) from None
        self.session, self.engine = session, engine

    def finish(self, status: int, headers: list[tuple[str, str]], body: bytes, route: str | None = None) -> None:
        """Store the answer with the write and commit both (raises when the commit fails)."""
        session = self.session
        assert session is not None
        try:
            session.execute(table.update().where(table.c.owner == self.owner, table.c.key == self.key).values(
                status=status, headers=json.dumps({"headers": headers, "route": route}).encode(), body=body))
            session.commit()
        finally:
            self.release()

    def release(self) -> None:
        """Roll back whatever is still open and give the connection back."""
        session, self.session = self.session, None
        if session is not None:
            try:
                session.rollback()
            finally:
                session.close()


def lookup(engine: Engine, owner: str, key: str) -> Stored | None:
    """The stored answer for this client's key, unless none was stored or it has expired."""
    with Session(engine) as session:
        row = session.execute(select(table).where(table.c.owner == owner, table.c.key == key)).first()
    if row is None or row.status is None or _aware(row.expires_at) <= _now():
        return None
    meta = json.loads(row.headers or b"{}")
    return Stored(row.fingerprint, row.status, [tuple(h) for h in meta.get("headers", [])], row.body or b"",
                  _aware(row.created_at), meta.get("route"))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
