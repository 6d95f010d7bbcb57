"""Read replicas (issue 18 item 3): PostgreSQL streaming standbys that answer reads, with
read-your-writes by the write-ahead log position (LSN).

A writer is told the primary's LSN after its write (`primary_lsn`); a read that brings an LSN is
served by a replica only once that replica has replayed past it, else by the primary. A read
without one goes to a replica (round robin) when one is up. A replica's replay position is asked
at most every `REFRESH` seconds per process (and at once when a reader needs a newer one); a
replica that cannot be reached is skipped for `RETRY` seconds. Lag is measured on demand for
/api/health and /metrics."""

from __future__ import annotations

import itertools
import re
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, text

REFRESH = 0.5  # seconds a replica's known replay position is trusted
RETRY = 5.0  # seconds an unreachable replica is left alone
_LSN = re.compile(r"^([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})$")


def parse_lsn(value: str | None) -> int | None:
    """An LSN ('16/B374D848') as a number; None for anything else (the value may come from a client)."""
    m = _LSN.fullmatch(value or "")
    return (int(m.group(1), 16) << 32) + int(m.group(2), 16) if m else None


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


@dataclass
class _Replica:
    engine: Engine
    name: str
    replayed: int | None = None  # the replay LSN last seen
    seen_at: float = 0.0
    down_until: float = 0.0


class Replicas:
    """The standbys of one primary, for one process."""

    def __init__(self, urls: tuple[str, ...], echo: bool = False):
        self._replicas = [_Replica(create_engine(u, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5,
                                                 connect_args={"connect_timeout": 3}), _name(u)) for u in urls]
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._replicas)

    def dispose(self) -> None:
        for r in self._replicas:
            r.engine.dispose()

    def _replay(self, r: _Replica, now: float) -> int | None:
        try:
            with r.engine.connect() as conn:
                lsn = conn.execute(text("SELECT pg_last_wal_replay_lsn()::text")).scalar()
        except Exception:
            r.down_until, r.replayed = now + RETRY, None
            return None
        r.replayed, r.seen_at = parse_lsn(lsn), now
        return r.replayed

    def pick(self, at_least: int | None = None) -> Engine | None:
        """A replica that has replayed at least `at_least` (any live one when None), or None: read the primary."""
        if not self._replicas:
            return None
        start = next(self._turn)
        now = time.monotonic()
        for i in range(len(self._replicas)):
            r = self._replicas[(start + i) % len(self._replicas)]
            if r.down_until > now:
                continue
            with self._lock:
                replayed = r.replayed if now - r.seen_at < REFRESH else self._replay(r, now)
                if replayed is not None and at_least is not None and replayed < at_least:
                    replayed = self._replay(r, now)  # perhaps it has caught up since
            if replayed is None:
                continue
            if at_least is None or replayed >= at_least:
                return r.engine
        return None

    def status(self, primary: Engine) -> list[dict]:
        """Each replica: up, its replay position, and its lag behind the primary in bytes and seconds."""
        out = []
        try:
            with primary.connect() as conn:
                head = parse_lsn(conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar())
        except Exception:
            head = None
        for r in self._replicas:
            row = {"name": r.name, "up": False, "replay_lsn": None, "lag_bytes": None, "lag_seconds": None}
            try:
                with r.engine.connect() as conn:
                    lsn, seconds = conn.execute(text(
                        "SELECT pg_last_wal_replay_lsn()::text, CASE WHEN pg_last_wal_receive_lsn() = "
                        "pg_last_wal_replay_lsn() THEN 0 ELSE extract(epoch FROM now() - "
                        "pg_last_xact_replay_timestamp()) END")).one()
            except Exception:
                out.append(row)
                continue
            replayed = parse_lsn(lsn)
            row.update(up=replayed is not None, replay_lsn=lsn,
                       lag_bytes=max(0, head - replayed) if head is not None and replayed is not None else None,
                       lag_seconds=round(float(seconds), 3) if seconds is not None else None)
            out.append(row)
        return out


def primary_lsn(engine: Engine) -> int | None:
    """The primary's current write-ahead log position (None on SQLite or when it cannot be read)."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        with engine.connect() as conn:
            return parse_lsn(conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar())
    except Exception:
        return None


def _name(url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return f"{u.host or 'localhost'}:{u.port or 5432}/{u.database}"
