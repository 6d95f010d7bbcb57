"""Per-process caches shared by the cadastre use cases: the rule files, read once, and one
spatial index per database and jurisdiction, rebuilt when its stored spatial version changes."""

from __future__ import annotations

import threading
from datetime import date, datetime

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.rule_files import load_rulesets
from maadan.cadastre.rules import AppliedRules, RuleSet, applicable_rules
from maadan.cadastre.spatial_index import SpatialIndex
from maadan.unit_of_work import AbstractUnitOfWork

# --- rules and spatial caches ------------------------------------------------------------------

class _Caches:
    """Per-process caches: rule files (read once) and one spatial index per jurisdiction and
    database, rebuilt when the stored spatial version changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rulesets: list[RuleSet] | None = None
        self.indexes: dict[tuple[str, str], tuple[int, SpatialIndex]] = {}

    def rules(self) -> list[RuleSet]:
        with self.lock:
            if self.rulesets is None:
                self.rulesets = load_rulesets()
            return self.rulesets


CACHES = _Caches()


def applied_rules_for(jurisdiction: str, at: datetime | date) -> AppliedRules:
    """The rule version applied on the day of `at`, why, and whether that is certain."""
    return applicable_rules(CACHES.rules(), jurisdiction, at)


def rules_for(jurisdiction: str, at: datetime | date) -> RuleSet:
    return applied_rules_for(jurisdiction, at).ruleset


def jurisdictions() -> list[str]:
    return sorted({r.jurisdiction for r in CACHES.rules()})


def spatial_index(uow: AbstractUnitOfWork, jurisdiction: str) -> SpatialIndex:
    repo = uow.cadastre
    version = repo.spatial_version(jurisdiction)
    key = (uow.key, jurisdiction)
    cached = CACHES.indexes.get(key)
    if cached and cached[0] == version and version > 0:
        return cached[1]
    rows = repo.spatial_rows(jurisdiction, lc.PENDING)
    geoms = shapely.from_wkb([r[2] for r in rows]) if rows else []
    index = SpatialIndex([(f"{kind}:{ref}", g) for (kind, ref, _), g in zip(rows, geoms)])
    CACHES.indexes[key] = (version, index)
    return index
