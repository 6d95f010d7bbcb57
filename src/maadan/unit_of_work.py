"""What the use cases need from storage, without naming it: the unit of work as a Protocol, which
the SQLAlchemy one (store/uow.py) and the in-memory fakes of the unit tests both satisfy.

`with uow: ...; uow.commit()` - leaving the block without commit() rolls back. Inside the block the
unit of work carries one repository per concept as an attribute (uow.cadastre, uow.agreements,
uow.news ...); each concept's service module states, as its own Protocol, which ones it reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class AbstractUnitOfWork(Protocol):
    @property
    def key(self) -> str:
        """Which store this unit of work opens (the same for every unit of work on it): per-process
        caches of stored data are kept under it."""
        ...

    def __enter__(self) -> Any: ...

    def __exit__(self, *exc: Any) -> None: ...

    def commit(self) -> None: ...


@dataclass(frozen=True)
class SyncCounts:
    """What writing a set of rows did: new keys inserted, changed rows updated, the rest unchanged."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "SyncCounts") -> "SyncCounts":
        return SyncCounts(
            self.inserted + other.inserted, self.updated + other.updated, self.unchanged + other.unchanged
        )

    @property
    def changed(self) -> int:
        return self.inserted + self.updated
