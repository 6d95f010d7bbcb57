"""Per-process caches shared by the cadastre use cases: the rule files, read once, and one
spatial index per database and jurisdiction, kept at the stored spatial version.

When the stored version has moved on, the index catches up: it reads which keys the versions since
its own changed (the store's spatial change log, written in the same transaction as each change),
re-reads just those items and returns an updated index (`SpatialIndex.updated`), so a filing in any
process costs the other processes a few rows, not a rebuild. It rebuilds from the store only when it
has none yet, after a bulk load (a change of kind "*"), or when it is too far behind. When the items
added beside the base grow past a fraction of it, a background thread compacts them into a new base
(in memory, nothing read again) and swaps it in; requests meanwhile use the uncompacted index."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.rule_files import load_rulesets
from maadan.cadastre.rules import AppliedRules, RuleSet, applicable_rules, rules_day
from maadan.cadastre.spatial_index import SpatialIndex
from maadan.unit_of_work import AbstractUnitOfWork

# --- rules and spatial caches ------------------------------------------------------------------

APPLIED_KEPT = 4_096  # (jurisdiction, day) answers of the applied rules kept; then the memo starts again
MAX_CATCH_UP_KEYS = 5_000  # more changed items than this since the index's version: rebuild


@dataclass(frozen=True)
class IndexState:
    version: int
    index: SpatialIndex
    how: str  # built | caught-up | compacted


class Caches:
    """Per-process caches: rule files (read once) and one spatial index per jurisdiction and
    database, kept at the stored spatial version (caught up, not rebuilt)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rulesets: list[RuleSet] | None = None
        self.indexes: dict[tuple[str, str], IndexState] = {}
        self.building: dict[tuple[str, str], threading.Lock] = {}
        self.compacting: set[tuple[str, str]] = set()
        self.counts = {"built": 0, "caught-up": 0, "compacted": 0}
        self.applied_for: list[RuleSet] | None = None  # the rule files `applied` was answered from
        self.applied: dict[tuple[str, date], AppliedRules] = {}

    def build_lock(self, key: tuple[str, str]) -> threading.Lock:
        with self.lock:
            return self.building.setdefault(key, threading.Lock())

    def rules(self) -> list[RuleSet]:
        with self.lock:
            if self.rulesets is None:
                self.rulesets = load_rulesets()
            return self.rulesets

    def applied_rules(self, jurisdiction: str, at: datetime | date) -> AppliedRules:
        """`applicable_rules` of the rule files read, kept per (jurisdiction, day): the answer depends on
        nothing else, and the priority queue asks it for every pending application on every filing.
        Replaced rule files, or more than APPLIED_KEPT days, start the memo again."""
        rulesets = self.rules()
        key = (jurisdiction, rules_day(rulesets, jurisdiction, at))
        with self.lock:
            if self.applied_for is not rulesets or len(self.applied) >= APPLIED_KEPT:
                self.applied_for, self.applied = rulesets, {}
            found = self.applied.get(key)
        if found is None:
            found = applicable_rules(rulesets, jurisdiction, key[1])
            with self.lock:
                if self.applied_for is rulesets:
                    self.applied[key] = found
        return found


CACHES = Caches()


def applied_rules_for(jurisdiction: str, at: datetime | date) -> AppliedRules:
    """The rule version applied on the day of `at`, why, and whether that is certain."""
    return CACHES.applied_rules(jurisdiction, at)


def rules_for(jurisdiction: str, at: datetime | date) -> RuleSet:
    return applied_rules_for(jurisdiction, at).ruleset


def jurisdictions() -> list[str]:
    return sorted({r.jurisdiction for r in CACHES.rules()})


def spatial_index(uow: AbstractUnitOfWork, jurisdiction: str) -> SpatialIndex:
    """The jurisdiction's index at the stored spatial version (see the module's docstring)."""
    return index_state(uow, jurisdiction).index


def index_at(db: str, jurisdiction: str, version: int, caches: Caches | None = None) -> SpatialIndex | None:
    """This process's index of the jurisdiction in database `db` (a unit of work's `key`) when it is
    at the stored spatial `version`, read by the caller; else None (`spatial_index` catches up)."""
    cached = (caches or CACHES).indexes.get((db, jurisdiction))
    return cached.index if cached and cached.version == version and version > 0 else None


def index_state(uow: AbstractUnitOfWork, jurisdiction: str, caches: Caches | None = None) -> IndexState:
    """The index with its version and how it got there; `caches` (default: this process's) lets a
    test hold a second, independent set, as another process would."""
    caches = caches or CACHES
    repo = uow.cadastre
    version = repo.spatial_version(jurisdiction)
    key = (uow.key, jurisdiction)
    cached = caches.indexes.get(key)
    if cached and cached.version == version and version > 0:
        return cached
    with caches.build_lock(key):  # one thread catches up or builds; the others then find it done
        cached = caches.indexes.get(key)
        if cached and cached.version == version and version > 0:
            return cached
        state = _caught_up(repo, jurisdiction, cached, version) if cached and 0 < cached.version < version else None
        if state is None:
            state = IndexState(version, built_index(repo, jurisdiction), "built")
        caches.indexes[key] = state
        caches.counts[state.how] += 1
    if state.how == "built":  # the first update after a build would otherwise map a million keys
        threading.Thread(target=state.index.prepare_updates, name=f"prepare-{jurisdiction}", daemon=True).start()
    if state.index.needs_compaction():
        _compact_later(caches, key, state)
    return state


def built_index(repo, jurisdiction: str) -> SpatialIndex:
    """A fresh index of the jurisdiction's stored ground (`repo`: the unit of work's `cadastre`)."""
    rows = repo.spatial_rows(jurisdiction, lc.PENDING)
    if not rows:
        return SpatialIndex([])
    kinds, refs, wkb = (np.array(column, dtype=object) for column in zip(*rows))
    del rows  # a million tuples: let them go before the geometries are made
    return SpatialIndex.from_arrays(kinds + ":" + refs, shapely.from_wkb(wkb))  # vectorised, no loop per item


def _caught_up(repo, jurisdiction: str, cached: IndexState, version: int) -> IndexState | None:
    """The cached index moved to `version` by the changes logged since its own, or None when only
    a rebuild will do."""
    changed = repo.spatial_changes(jurisdiction, cached.version, version)
    if changed is None or len(changed) > MAX_CATCH_UP_KEYS or any(kind == "*" for kind, _ in changed):
        return None
    rows = repo.spatial_rows(jurisdiction, lc.PENDING, keys=changed) if changed else []
    geoms = shapely.from_wkb([r[2] for r in rows]) if rows else []
    index = cached.index.updated(removed=[f"{kind}:{ref}" for kind, ref in changed],
                                 added=[(f"{kind}:{ref}", g) for (kind, ref, _), g in zip(rows, geoms)])
    return IndexState(version, index, "caught-up")


def _compact_later(caches: Caches, key: tuple[str, str], state: IndexState) -> None:
    """Compact in a background thread, so no request waits for it; swapped in only if no newer
    version has replaced `state` meanwhile (a newer one carries the same pending items and is
    compacted in its turn)."""
    with caches.lock:
        if key in caches.compacting:
            return
        caches.compacting.add(key)

    def run() -> None:
        try:
            compacted = IndexState(state.version, state.index.compacted(), "compacted")
            compacted.index.prepare_updates()
            with caches.lock:
                if caches.indexes.get(key) is state:
                    caches.indexes[key] = compacted
                    caches.counts["compacted"] += 1
        finally:
            with caches.lock:
                caches.compacting.discard(key)

    threading.Thread(target=run, name=f"compact-{key[1]}", daemon=True).start()
