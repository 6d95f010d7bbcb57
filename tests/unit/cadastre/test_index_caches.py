"""The per-process index cache: built once, caught up from the change log (never rebuilt for a few
changes), rebuilt after a bulk change or when too far behind, compacted in the background."""

from __future__ import annotations

import time

import shapely

from maadan.cadastre import caches
from maadan.cadastre.caches import Caches, index_state
from maadan.cadastre.spatial_index import SpatialIndex


class Repo:
    """The three reads the cache makes, over a dict of items and a change log."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], object] = {}
        self.version = 0
        self.log: list[tuple[int, str, str]] = []
        self.reads = 0

    def change(self, kind: str, ref: str, geometry=None) -> None:
        self.version += 1
        if geometry is None:
            self.items.pop((kind, ref), None)
        elif kind != "*":
            self.items[(kind, ref)] = geometry
        self.log.append((self.version, kind, ref))

    def spatial_version(self, jurisdiction: str) -> int:
        return self.version

    def spatial_changes(self, jurisdiction: str, after: int, upto: int):
        return {(k, r) for v, k, r in self.log if after < v <= upto}

    def spatial_rows(self, jurisdiction: str, pending, keys=None):
        self.reads += 1
        return [(k, r, shapely.to_wkb(g)) for (k, r), g in self.items.items() if keys is None or (k, r) in keys]


class Uow:
    key = "memory"

    def __init__(self, repo: Repo) -> None:
        self.cadastre = repo


def box(i: int):
    return shapely.box(62 + 0.1 * i, 29, 62.08 + 0.1 * i, 29.08)


def test_built_once_then_caught_up_then_rebuilt_after_a_bulk_change():
    repo, cache = Repo(), Caches()
    for i in range(5):
        repo.change("title", str(i), box(i))
    assert index_state(Uow(repo), "PK-BA", cache).how == "built"
    repo.change("application", "1", box(7))
    repo.change("title", "2", None)  # relinquished
    state = index_state(Uow(repo), "PK-BA", cache)
    assert state.how == "caught-up" and cache.counts == {"built": 1, "caught-up": 1, "compacted": 0}
    assert sorted(state.index.keys()) == sorted(f"{k}:{r}" for k, r in repo.items)
    assert index_state(Uow(repo), "PK-BA", cache) is state  # nothing new: the same index
    repo.change("*", "")
    assert index_state(Uow(repo), "PK-BA", cache).how == "built"


def test_compaction_runs_in_the_background_and_keeps_the_answers(monkeypatch):
    monkeypatch.setattr(SpatialIndex, "COMPACT_MIN", 2)
    repo, cache = Repo(), Caches()
    for i in range(5):
        repo.change("title", str(i), box(i))
    index_state(Uow(repo), "PK-BA", cache)
    for i in range(5, 9):
        repo.change("application", str(i), box(i))
    caught = index_state(Uow(repo), "PK-BA", cache)
    assert caught.how == "caught-up" and caught.index.needs_compaction()
    deadline = time.monotonic() + 30
    while cache.counts["compacted"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    now = index_state(Uow(repo), "PK-BA", cache)
    assert now.how == "compacted" and now.version == caught.version and now.index.pending == 0
    probe = shapely.box(62, 29, 63, 29.1)
    assert now.index.conflicts(probe) == caught.index.conflicts(probe)


def test_too_many_changes_rebuild(monkeypatch):
    monkeypatch.setattr(caches, "MAX_CATCH_UP_KEYS", 3)
    repo, cache = Repo(), Caches()
    repo.change("title", "0", box(0))
    index_state(Uow(repo), "PK-BA", cache)
    for i in range(1, 6):
        repo.change("title", str(i), box(i))
    assert index_state(Uow(repo), "PK-BA", cache).how == "built"
