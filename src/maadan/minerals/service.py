"""Use cases over minerals: the critical lists side by side, and every fact about one mineral."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from maadan.errors import InvalidInput
from maadan.minerals.model import (
    CriticalList,
    ImportReliance,
    ImportSource,
    ListEntry,
    Mineral,
    SeriesTable,
)
from maadan.minerals.names import NameIndex
from maadan.minerals.shares import series_tables
from maadan.unit_of_work import AbstractUnitOfWork

PRODUCTION_YEARS = (2023, 2024)


@dataclass
class ListedMineral:
    mineral: Mineral
    entries: dict[str, ListEntry]  # list id -> entry


@dataclass
class MineralListing:
    lists: list[CriticalList]
    selected: CriticalList | None
    minerals: list[ListedMineral]


def mineral_index(uow: AbstractUnitOfWork) -> NameIndex:
    """The minerals' names, aliases and symbols; built once per distinct set of them (every filing
    and check asks for it, and normalising every alias each time cost more than reading them)."""
    return _name_index(tuple(uow.minerals.names()))


@functools.lru_cache(maxsize=4)
def _name_index(entries: tuple[tuple[str, str, tuple[str, ...]], ...]) -> NameIndex:
    return NameIndex.build("mineral", entries)


def resolve_list(lists: list[CriticalList], list_id: str) -> CriticalList:
    for c in lists:
        if c.id == list_id:
            return c
    raise InvalidInput(f"Unknown list {list_id!r}; choose one of: {', '.join(c.id for c in lists)}")


def list_minerals(uow: AbstractUnitOfWork, list_id: str | None = None) -> MineralListing:
    """Minerals on any critical list (or on `list_id`), each with the lists it is on."""
    with uow:
        lists = uow.minerals.lists()
        selected = resolve_list(lists, list_id) if list_id else None
        by_mineral: dict[str, dict[str, ListEntry]] = {}
        for e in uow.minerals.entries():
            by_mineral.setdefault(e.mineral_id, {})[e.list_id] = e
        minerals = uow.minerals.all()
    rows = [
        ListedMineral(m, by_mineral[m.id])
        for m in minerals
        if m.id in by_mineral and (selected is None or selected.id in by_mineral[m.id])
    ]
    return MineralListing(lists=lists, selected=selected, minerals=rows)


@dataclass
class MineralFacts:
    mineral: Mineral
    group: Mineral | None
    members: list[Mineral]
    lists: list[CriticalList]
    entries: list[ListEntry]
    edition: str | None
    production: list[SeriesTable] = field(default_factory=list)
    reserves: list[SeriesTable] = field(default_factory=list)
    reliance: list[ImportReliance] = field(default_factory=list)
    import_sources: list[ImportSource] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # what the knowledge base does not hold

    @property
    def sources(self) -> list[str]:
        """Every distinct source behind the figures shown, in order of first use."""
        seen: dict[str, None] = {}
        for e in self.entries:
            seen.setdefault(e.source)
        for table in (*self.production, *self.reserves):
            for row in table.rows:
                seen.setdefault(_file_source(row.statistic.source))
            if table.world:
                seen.setdefault(_file_source(table.world.source))
        for r in self.reliance:
            seen.setdefault(r.source)
        for s in self.import_sources:
            seen.setdefault(s.source)
        return list(seen)


def _file_source(source: str) -> str:
    """'USGS MCS 2025 ..., file.csv line 12, column X' -> the release and file, without the cell."""
    return source.split(" line ", 1)[0]


def mineral_facts(uow: AbstractUnitOfWork, name: str, edition: str | None = None) -> MineralFacts:
    """Everything the knowledge base holds on one mineral; unknown names raise NotFound."""
    with uow:
        index = mineral_index(uow)
        mineral_id = index.resolve(name)
        minerals = {m.id: m for m in uow.minerals.all()}
        stats = uow.statistics.world(mineral_id)
        editions = sorted({s.edition for s in stats})
        chosen = edition or (editions[-1] if editions else None)
        if edition and edition not in editions:
            raise InvalidInput(f"No {edition} figures for {mineral_id}; editions held: {', '.join(editions) or 'none'}")
        facts = MineralFacts(
            mineral=minerals[mineral_id],
            group=minerals.get(minerals[mineral_id].group_id or ""),
            members=[m for m in minerals.values() if m.group_id == mineral_id],
            lists=uow.minerals.lists(),
            entries=uow.minerals.entries(mineral_id=mineral_id),
            edition=chosen,
            reliance=uow.statistics.reliance(mineral_id),
            import_sources=uow.statistics.import_sources(mineral_id),
        )
    tables = series_tables(s for s in stats if s.edition == chosen)
    facts.production = [t for t in tables if t.metric == "production" and t.year in PRODUCTION_YEARS]
    facts.reserves = [t for t in tables if t.metric == "reserves"]
    if not facts.production:
        facts.missing.append("world mine production by country")
    if not facts.reserves:
        facts.missing.append("reserves by country")
    if not facts.reliance:
        facts.missing.append("US net import reliance")
    if not facts.import_sources:
        facts.missing.append("US import sources")
    return facts
