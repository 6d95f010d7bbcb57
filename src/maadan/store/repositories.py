"""Repositories: translate between tables and domain objects. No commits here."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import Table, and_, delete, insert, select, update
from sqlalchemy.orm import Session

from maadan.evidence.model import Correction, Source
from maadan.minerals.model import (
    CriticalList,
    Figure,
    ImportReliance,
    ImportSource,
    ListEntry,
    Mineral,
    WorldStatistic,
)
from maadan.organisations.model import Organisation
from maadan.projects.model import Holding, Location, OwnershipReading, Project, ProjectFact
from maadan.store import tables as t
from maadan.unit_of_work import SyncCounts


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


Progress = Callable[[int, int], None]


def sync_rows(session: Session, table: Table, key: Sequence[str], rows: Iterable[dict[str, Any]],
              progress: Progress | None = None, chunk: int = 500) -> SyncCounts:
    """Insert rows whose key is new, update rows that differ, leave equal rows alone.
    `progress(done, total)` is called after each chunk of writes."""
    rows = list(rows)
    if not rows:
        return SyncCounts()
    cols = [c for c in rows[0] if c not in key]
    existing = {
        tuple(r._mapping[k] for k in key): r._mapping
        for r in session.execute(select(*[table.c[c] for c in (*key, *cols)]))
    }
    to_insert, to_update, unchanged = [], [], 0
    for row in rows:
        k = tuple(row[c] for c in key)
        old = existing.get(k)
        if old is None:
            to_insert.append(row)
        elif all(_same(old[c], row[c]) for c in cols):
            unchanged += 1
        else:
            to_update.append(row)
    total, done = len(to_insert) + len(to_update), 0
    for start in range(0, len(to_insert), chunk):
        session.execute(insert(table), to_insert[start:start + chunk])
        done += len(to_insert[start:start + chunk])
        if progress:
            progress(done, total)
    for row in to_update:
        cond = and_(*[table.c[c] == row[c] for c in key])
        session.execute(update(table).where(cond).values({c: row[c] for c in cols}))
        done += 1
        if progress and (done % chunk == 0 or done == total):
            progress(done, total)
    if progress and total == 0:
        progress(0, 0)
    return SyncCounts(len(to_insert), len(to_update), unchanged)


def _figure(row: Any) -> Figure:
    return Figure(value=row.value, status=row.status, qualifier=row.qualifier)


class MineralRepository:
    def __init__(self, session: Session):
        self.s = session

    def all(self) -> list[Mineral]:
        aliases: dict[str, list[str]] = defaultdict(list)
        for a in self.s.execute(select(t.mineral_alias).where(t.mineral_alias.c.kind == "alias")):
            aliases[a.mineral_id].append(a.alias)
        return [
            Mineral(
                id=r.id, name=r.name, kind=r.kind, group_id=r.group_id, symbol=r.symbol, source=r.source,
                aliases=tuple(sorted(aliases[r.id])),
            )
            for r in self.s.execute(select(t.mineral).order_by(t.mineral.c.name))
        ]

    def names(self) -> list[tuple[str, str, tuple[str, ...]]]:
        """Each mineral's id, name and other names (its aliases, sorted, then its symbol), ordered by
        name (as `all`), in one statement: what resolving a user's mineral names needs (minerals.service)."""
        a = t.mineral_alias
        rows = self.s.execute(
            select(t.mineral.c.id, t.mineral.c.name, t.mineral.c.symbol, a.c.alias)
            .join(a, (a.c.mineral_id == t.mineral.c.id) & (a.c.kind == "alias"), isouter=True)
            .order_by(t.mineral.c.name, t.mineral.c.id))
        found: dict[str, tuple[str, str | None, list[str]]] = {}
        for mineral_id, name, symbol, alias in rows:
            entry = found.setdefault(mineral_id, (name, symbol, []))
            if alias is not None:
                entry[2].append(alias)
        return [(i, name, (*sorted(aliases), *([symbol] if symbol else []))) for i, (name, symbol, aliases) in found.items()]

    def alias_rows(self) -> list[tuple[str, str, str]]:
        return [(r.alias, r.mineral_id, r.kind) for r in self.s.execute(select(t.mineral_alias))]

    def lists(self) -> list[CriticalList]:
        return [
            CriticalList(
                id=r.id, name=r.name, authority=r.authority, jurisdiction=r.jurisdiction,
                published_on=r.published_on, citation=r.citation, official_count=r.official_count,
                source=r.source, note=r.note,
            )
            for r in self.s.execute(select(t.critical_list).order_by(t.critical_list.c.published_on))
        ]

    def entries(self, list_id: str | None = None, mineral_id: str | None = None) -> list[ListEntry]:
        q = select(t.list_entry)
        if list_id:
            q = q.where(t.list_entry.c.list_id == list_id)
        if mineral_id:
            q = q.where(t.list_entry.c.mineral_id == mineral_id)
        return [
            ListEntry(
                list_id=r.list_id, mineral_id=r.mineral_id, listed_name=r.listed_name, status=r.status,
                source=r.source, strategic=bool(r.strategic), added_on=r.added_on, note=r.note,
            )
            for r in self.s.execute(q.order_by(t.list_entry.c.list_id, t.list_entry.c.mineral_id))
        ]

    def sync(self, minerals: list[Mineral], aliases: list[tuple[str, str, str]],
             lists: list[CriticalList], entries: list[ListEntry]) -> SyncCounts:
        counts = sync_rows(self.s, t.mineral, ["id"], [
            {"id": m.id, "name": m.name, "kind": m.kind, "group_id": None, "symbol": m.symbol, "source": m.source}
            for m in minerals
        ])
        # Groups point at minerals inserted above, so set them in a second pass.
        for m in minerals:
            self.s.execute(update(t.mineral).where(t.mineral.c.id == m.id).values(group_id=m.group_id))
        self.s.execute(delete(t.mineral_alias))
        self.s.execute(insert(t.mineral_alias), [
            {"alias": a, "mineral_id": mid, "kind": kind} for a, mid, kind in aliases
        ])
        counts += sync_rows(self.s, t.critical_list, ["id"], [
            {"id": c.id, "name": c.name, "authority": c.authority, "jurisdiction": c.jurisdiction,
             "published_on": c.published_on, "citation": c.citation, "official_count": c.official_count,
             "note": c.note, "source": c.source}
            for c in lists
        ])
        wanted = {(e.list_id, e.mineral_id) for e in entries}
        for r in self.s.execute(select(t.list_entry.c.list_id, t.list_entry.c.mineral_id)).all():
            if (r.list_id, r.mineral_id) not in wanted:
                self.s.execute(delete(t.list_entry).where(
                    and_(t.list_entry.c.list_id == r.list_id, t.list_entry.c.mineral_id == r.mineral_id)))
        counts += sync_rows(self.s, t.list_entry, ["list_id", "mineral_id"], [
            {"list_id": e.list_id, "mineral_id": e.mineral_id, "listed_name": e.listed_name, "status": e.status,
             "strategic": e.strategic, "added_on": e.added_on, "note": e.note, "source": e.source}
            for e in entries
        ])
        return counts


class StatisticsRepository:
    def __init__(self, session: Session):
        self.s = session

    def world(self, mineral_id: str, edition: str | None = None) -> list[WorldStatistic]:
        q = select(t.world_statistic).where(t.world_statistic.c.mineral_id == mineral_id)
        if edition:
            q = q.where(t.world_statistic.c.edition == edition)
        return [
            WorldStatistic(
                edition=r.edition, usgs_label=r.usgs_label, mineral_id=r.mineral_id, series=r.series,
                country=r.country, country_kind=r.country_kind, metric=r.metric, year=r.year,
                figure=_figure(r), unit=r.unit, source=r.source, note=r.note,
            )
            for r in self.s.execute(q.order_by(t.world_statistic.c.id))
        ]

    def count_world(self, edition: str | None = None) -> int:
        from sqlalchemy import func

        q = select(func.count()).select_from(t.world_statistic)
        if edition:
            q = q.where(t.world_statistic.c.edition == edition)
        return self.s.execute(q).scalar_one()

    def reliance(self, mineral_id: str) -> list[ImportReliance]:
        q = select(t.import_reliance).where(t.import_reliance.c.mineral_id == mineral_id)
        return [
            ImportReliance(mineral_id=r.mineral_id, edition=r.edition, year=r.year, basis=r.basis,
                           figure=_figure(r), source=r.source, note=r.note)
            for r in self.s.execute(q.order_by(t.import_reliance.c.edition, t.import_reliance.c.basis,
                                               t.import_reliance.c.year))
        ]

    def import_sources(self, mineral_id: str) -> list[ImportSource]:
        q = select(t.import_source).where(t.import_source.c.mineral_id == mineral_id)
        return [
            ImportSource(mineral_id=r.mineral_id, edition=r.edition, period=r.period, category=r.category,
                         rank=r.rank, country=r.country, share_pct=r.share_pct, source=r.source, note=r.note)
            for r in self.s.execute(q.order_by(t.import_source.c.edition, t.import_source.c.category,
                                               t.import_source.c.rank))
        ]

    def sync_world(self, stats: Iterable[WorldStatistic], progress: Progress | None = None) -> SyncCounts:
        return sync_rows(self.s, t.world_statistic,
                         ["edition", "usgs_label", "series", "country", "metric", "year"], progress=progress, rows=[
            {"edition": s.edition, "usgs_label": s.usgs_label, "series": s.series, "country": s.country,
             "metric": s.metric, "year": s.year, "mineral_id": s.mineral_id, "country_kind": s.country_kind,
             "value": s.figure.value, "qualifier": s.figure.qualifier, "status": s.figure.status,
             "unit": s.unit, "note": s.note, "source": s.source}
            for s in stats
        ])

    def sync_reliance(self, items: Iterable[ImportReliance]) -> SyncCounts:
        return sync_rows(self.s, t.import_reliance, ["mineral_id", "edition", "year", "basis"], [
            {"mineral_id": r.mineral_id, "edition": r.edition, "year": r.year, "basis": r.basis,
             "value": r.figure.value, "qualifier": r.figure.qualifier, "status": r.figure.status,
             "note": r.note, "source": r.source}
            for r in items
        ])

    def sync_import_sources(self, items: Iterable[ImportSource]) -> SyncCounts:
        return sync_rows(self.s, t.import_source, ["mineral_id", "edition", "period", "category", "rank"], [
            {"mineral_id": r.mineral_id, "edition": r.edition, "period": r.period, "category": r.category,
             "rank": r.rank, "country": r.country, "share_pct": r.share_pct, "note": r.note, "source": r.source}
            for r in items
        ])


class OrganisationRepository:
    def __init__(self, session: Session):
        self.s = session

    def names(self) -> list[tuple[str, str, str | None, tuple[str, ...]]]:
        """(id, name, short name, aliases) of every organisation: what matching a holder's name
        needs, without building the directory's full records (a filing asks this while it holds
        the write lock). In one statement, ordered by id, each organisation's aliases in order."""
        o, a = t.organisation.c, t.organisation_alias.c
        rows = self.s.execute(select(o.id, o.name, o.short_name, a.alias)
                              .join_from(t.organisation, t.organisation_alias, a.organisation_id == o.id, isouter=True)
                              .order_by(o.id, a.alias))
        found: dict[str, tuple[str, str | None, list[str]]] = {}
        for oid, name, short, alias in rows:
            entry = found.setdefault(oid, (name, short, []))
            if alias is not None:
                entry[2].append(alias)
        return [(oid, name, short, tuple(aliases)) for oid, (name, short, aliases) in found.items()]

    def all(self) -> list[Organisation]:
        aliases: dict[str, list[str]] = defaultdict(list)
        for a in self.s.execute(select(t.organisation_alias)):
            aliases[a.organisation_id].append(a.alias)
        return [
            Organisation(id=r.id, name=r.name, kind=r.kind, source=r.source, short_name=r.short_name,
                         country=r.country, parent_id=r.parent_id, note=r.note,
                         aliases=tuple(sorted(aliases[r.id])), capabilities=tuple(r.capabilities or ()),
                         minerals=tuple(r.minerals or ()), regions=tuple(r.regions or ()), ownership=r.ownership,
                         profile_source=r.profile_source,
                         claim_sources=tuple((k, sources_of(v)) for k, v in (r.claims or {}).items()),
                         corrections=tuple(correction_of(c) for c in r.corrections or ()))
            for r in self.s.execute(select(t.organisation).order_by(t.organisation.c.name))
        ]

    def sync(self, orgs: list[Organisation]) -> SyncCounts:
        counts = sync_rows(self.s, t.organisation, ["id"], [
            {"id": o.id, "name": o.name, "short_name": o.short_name, "country": o.country, "kind": o.kind,
             "parent_id": None, "note": o.note, "source": o.source, "capabilities": list(o.capabilities),
             "minerals": list(o.minerals), "regions": list(o.regions), "ownership": o.ownership,
             "profile_source": o.profile_source,
             "claims": {k: [x.as_dict() for x in v] for k, v in o.claim_sources} or None,
             "corrections": [c.as_dict() for c in o.corrections] or None}
            for o in orgs
        ])
        for o in orgs:
            self.s.execute(update(t.organisation).where(t.organisation.c.id == o.id).values(parent_id=o.parent_id))
        self.s.execute(delete(t.organisation_alias))
        seen: set[str] = set()
        rows = []
        for o in orgs:
            for a in o.aliases:
                if a.lower() not in seen:
                    seen.add(a.lower())
                    rows.append({"alias": a, "organisation_id": o.id})
        if rows:
            self.s.execute(insert(t.organisation_alias), rows)
        return counts


def sources_of(items: Any, label: str | None = None) -> tuple[Source, ...]:
    """Sources stored as JSON; rows written before they were (a bare label) give a publisher-only source."""
    if items:
        return tuple(Source(publisher=x.get("publisher") or "", url=x.get("url"), date=x.get("date"),
                            evidence=x.get("evidence"), supports=tuple(x.get("supports") or ())) for x in items)
    return (Source(publisher=label),) if label else ()


def correction_of(c: dict[str, Any]) -> Correction:
    """A correction stored as JSON."""
    return Correction(claim=c["claim"], old=c.get("old"), new=c.get("new"), why=c["why"], by=c["by"], at=c["at"],
                      sources=sources_of(c.get("sources")))


class ProjectRepository:
    def __init__(self, session: Session):
        self.s = session

    def all(self) -> list[Project]:
        return self._load(select(t.project).order_by(t.project.c.name))

    def get(self, project_id: str) -> Project | None:
        found = self._load(select(t.project).where(t.project.c.id == project_id))
        return found[0] if found else None

    def names(self) -> list[tuple[str, str, list[str]]]:
        aliases: dict[str, list[str]] = defaultdict(list)
        for a in self.s.execute(select(t.project_alias)):
            aliases[a.project_id].append(a.alias)
        return [(r.id, r.name, [r.full_name, *aliases[r.id]])
                for r in self.s.execute(select(t.project.c.id, t.project.c.name, t.project.c.full_name))]

    def _load(self, query) -> list[Project]:
        rows = self.s.execute(query).all()
        if not rows:
            return []
        ids = [r.id for r in rows]

        def children(table: Table, order) -> dict[str, list[Any]]:
            out: dict[str, list[Any]] = defaultdict(list)
            for c in self.s.execute(select(table).where(table.c.project_id.in_(ids)).order_by(*order)):
                out[c.project_id].append(c)
            return out

        commodities = children(t.project_commodity, [t.project_commodity.c.position])
        locations = children(t.project_location, [t.project_location.c.id])
        holdings = children(t.project_holding, [t.project_holding.c.reading, t.project_holding.c.id])
        facts = children(t.project_fact, [t.project_fact.c.kind, t.project_fact.c.position])
        aliases = children(t.project_alias, [t.project_alias.c.alias])
        out = []
        for r in rows:
            readings: dict[int, list[Any]] = defaultdict(list)
            for h in holdings[r.id]:
                readings[h.reading].append(h)
            claims = r.claims or {}
            out.append(Project(
                id=r.id, name=r.name, full_name=r.full_name, kind=r.kind, country=r.country, status=r.status,
                sources=list(r.sources or []), province=r.province, district=r.district,
                deposit_type=r.deposit_type, status_note=r.status_note, operator_id=r.operator_id,
                commodities=[c.mineral_id for c in commodities[r.id] if c.role == "main"],
                byproducts=[c.mineral_id for c in commodities[r.id] if c.role == "byproduct"],
                aliases=[a.alias for a in aliases[r.id]],
                locations=[Location(kind=loc.kind or "point", lat=loc.lat, lon=loc.lon, south=loc.south,
                                    west=loc.west, north=loc.north, east=loc.east, radius_km=loc.radius_km,
                                    confidence=loc.confidence or "medium", derived=bool(loc.derived),
                                    label=loc.label, preferred=bool(loc.preferred), note=loc.note,
                                    sources=sources_of(loc.sources, loc.source)) for loc in locations[r.id]],
                location_note=r.location_note,
                ownership=[
                    OwnershipReading(
                        basis=hs[0].basis, sources=sources_of(hs[0].sources, hs[0].source), note=hs[0].reading_note,
                        holders=tuple(Holding(organisation_id=h.organisation_id, share_pct=h.share_pct,
                                              label=h.label, via_id=h.via_id, note=h.note) for h in hs),
                    )
                    for _, hs in sorted(readings.items())
                ],
                ownership_incomplete=bool(r.ownership_incomplete), ownership_note=r.ownership_note,
                facts=[ProjectFact(kind=f.kind, data=dict(f.data), sources=sources_of(f.sources, f.source),
                                   as_of=f.as_of, reading=f.reading, preferred=f.preferred is not False)
                       for f in facts[r.id]],
                notes=r.notes,
                claim_sources={k: sources_of(v) for k, v in (claims.get("sources") or {}).items()},
                status_as_of=claims.get("status_as_of"),
                corrections=[correction_of(c) for c in r.corrections or []],
            ))
        return out

    def replace_all(self, projects: list[Project]) -> SyncCounts:
        """Make the stored projects equal to `projects` (children are rewritten)."""
        existing = {r.id for r in self.s.execute(select(t.project.c.id))}
        for child in (t.project_alias, t.project_commodity, t.project_location, t.project_holding, t.project_fact):
            self.s.execute(delete(child))
        wanted = {p.id for p in projects}
        for gone in existing - wanted:
            self.s.execute(delete(t.project).where(t.project.c.id == gone))
        counts = sync_rows(self.s, t.project, ["id"], [
            {"id": p.id, "name": p.name, "full_name": p.full_name, "kind": p.kind, "country": p.country,
             "province": p.province, "district": p.district, "deposit_type": p.deposit_type, "status": p.status,
             "status_note": p.status_note, "operator_id": p.operator_id,
             "lat": p.location.lat if p.location else None, "lon": p.location.lon if p.location else None,
             "location_note": p.location_note, "ownership_incomplete": p.ownership_incomplete,
             "ownership_note": p.ownership_note, "notes": p.notes, "sources": p.sources,
             "claims": {"sources": {k: [x.as_dict() for x in v] for k, v in p.claim_sources.items()},
                        "status_as_of": p.status_as_of},
             "corrections": [c.as_dict() for c in p.corrections]}
            for p in projects
        ])
        aliases, commodities, locations, holdings, facts = [], [], [], [], []
        seen_alias: set[str] = set()
        for p in projects:
            for a in p.aliases:
                if a.lower() not in seen_alias:
                    seen_alias.add(a.lower())
                    aliases.append({"alias": a, "project_id": p.id})
            for i, m in enumerate(p.commodities):
                commodities.append({"project_id": p.id, "mineral_id": m, "role": "main", "position": i})
            for i, m in enumerate(p.byproducts):
                if m not in p.commodities:
                    commodities.append({"project_id": p.id, "mineral_id": m, "role": "byproduct",
                                        "position": len(p.commodities) + i})
            for loc in p.locations:
                locations.append({"project_id": p.id, "lat": loc.lat, "lon": loc.lon, "preferred": loc.preferred,
                                  "note": loc.note, "source": loc.source, "kind": loc.kind, "south": loc.south,
                                  "west": loc.west, "north": loc.north, "east": loc.east,
                                  "radius_km": loc.radius_km, "confidence": loc.confidence, "derived": loc.derived,
                                  "label": loc.label, "sources": [x.as_dict() for x in loc.sources]})
            for n, reading in enumerate(p.ownership):
                for h in reading.holders:
                    holdings.append({"project_id": p.id, "reading": n, "basis": reading.basis,
                                     "organisation_id": h.organisation_id, "label": h.label, "share_pct": h.share_pct,
                                     "via_id": h.via_id, "note": h.note, "reading_note": reading.note,
                                     "source": reading.source, "sources": [x.as_dict() for x in reading.sources]})
            for i, f in enumerate(p.facts):
                facts.append({"project_id": p.id, "kind": f.kind, "position": i, "data": f.data, "source": f.source,
                              "sources": [x.as_dict() for x in f.sources], "as_of": f.as_of, "reading": f.reading,
                              "preferred": f.preferred})
        for table, rows in ((t.project_alias, aliases), (t.project_commodity, commodities),
                            (t.project_location, locations), (t.project_holding, holdings), (t.project_fact, facts)):
            if rows:
                self.s.execute(insert(table), rows)
        return counts


class DatasetRepository:
    def __init__(self, session: Session):
        self.s = session

    def checksum(self, dataset: str) -> str | None:
        return self.s.execute(select(t.dataset_load.c.checksum).where(t.dataset_load.c.dataset == dataset)).scalar()

    def all(self) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self.s.execute(select(t.dataset_load).order_by(t.dataset_load.c.dataset))]

    def record(self, dataset: str, checksum: str, rows: int) -> None:
        sync_rows(self.s, t.dataset_load, ["dataset"], [{
            "dataset": dataset, "checksum": checksum, "rows": rows,
            "loaded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }])


REPOSITORIES = {"minerals": MineralRepository, "statistics": StatisticsRepository,
                "organisations": OrganisationRepository, "projects": ProjectRepository,
                "datasets": DatasetRepository}
