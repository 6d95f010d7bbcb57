"""Values kept per database and per register sequence: every change to the data is recorded in the
audit register in the transaction that makes it, so the register's last sequence number moves with
every write, in any process; a value cached for one sequence is exactly what a read at that sequence
would build again. A new sequence empties the cache (no entry outlives the data it was built from)."""

from __future__ import annotations

import threading
from typing import Any, Hashable


class SequenceCache:
    """`cache.at(db, sequence)` is a dict of what was built at that sequence of that database; a
    new sequence, or more than `size` entries, starts an empty one (a race may build a value twice)."""

    def __init__(self, size: int = 50_000):
        self.size = size
        self._lock = threading.Lock()
        self._by_db: dict[Hashable, tuple[Hashable, dict[Any, Any]]] = {}

    def at(self, db: Hashable, sequence: Hashable) -> dict[Any, Any]:
        with self._lock:
            held = self._by_db.get(db)
            if held is None or held[0] != sequence or len(held[1]) >= self.size:
                held = (sequence, {})
                self._by_db[db] = held
            return held[1]

    def holds(self, db: Hashable, key: Any) -> bool:
        """Whether what was built at the latest sequence seen holds `key` (that sequence may be past)."""
        with self._lock:
            held = self._by_db.get(db)
            return held is not None and key in held[1]
