"""Supply-risk indicators per mineral and the composite score that ranks them (docs/analytics.md §1).

Pure functions over knowledge-base objects: no I/O. Every indicator keeps its inputs and sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from maadan.minerals.model import (
    ESTIMATED,
    NET_EXPORTER,
    NUMERIC_STATUSES,
    ImportReliance,
    ImportSource,
    SeriesTable,
    WorldStatistic,
)
from maadan.minerals.shares import series_tables

GEOPOLRISK_NOTE = ("GeoPolRisk (Gemechu et al. 2015) = normalised production HHI x US net import reliance / 100 x "
                   "partner shares weighted by political instability g = (2.5 - PV) / 5, PV the World Bank WGI "
                   "Political Stability and Absence of Violence/Terrorism estimate for 2023 "
                   "(data/governance/wgi_political_stability.csv); partner shares are US import shares where MCS "
                   "gives percentages, else world production shares; the unlisted rest counts g = 0.5 "
                   "(docs/analytics.md §1, §2e). Reported beside the score, not ranked on.")
LOWER_BOUND_NOTE = ('"Other countries" rows and withheld/blank figures are excluded, so the HHI and shares '
                    "are lower bounds")
SCORE_METHOD = "score = normalised production HHI (0-1) x US net import reliance / 100"
_HEADLINE_WORDS = ("total", "all ", "combined", "principal")
_FALLBACK_WORDS = ("refined", "primary")
_OTHER_NAMES = {"other", "others", "other countries"}


def hhi(shares_pct: Iterable[float]) -> float:
    """Herfindahl-Hirschman index on the 0-10,000 scale from shares in percent."""
    return float(sum(s * s for s in shares_pct))


@dataclass(frozen=True)
class ShareRow:
    country: str
    value: float
    share_pct: float
    qualifier: str | None  # "<" or ">" when the figure or the total is a bound
    source: str


@dataclass
class Concentration:
    """Concentration of one USGS table (series, metric, year) over the countries it lists."""

    edition: str
    series: str
    metric: str
    year: int
    unit: str
    estimated: bool
    world_total: float
    world_qualifier: str | None
    world_source: str
    rows: list[ShareRow]
    excluded: list[str]
    hhi: float
    top3_pct: float
    china_pct: float | None
    coverage_pct: float
    bounded: bool
    note: str = LOWER_BOUND_NOTE

    @property
    def hhi_normalised(self) -> float:
        return self.hhi / 10_000.0

    @property
    def top1(self) -> ShareRow | None:
        return self.rows[0] if self.rows else None

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys([self.world_source, *(r.source for r in self.rows)]))


def _file_source(source: str) -> str:
    return source.split(" line ", 1)[0]


def concentration_of(table: SeriesTable, edition: str) -> Concentration | None:
    """HHI, top shares and China's share of one table; None when it has no usable world total."""
    world = table.world
    if world is None or not world.figure.known or not world.figure.value:
        return None
    rows, excluded, bounded = [], [], False
    for r in table.rows:
        s = r.statistic
        if r.share_pct is None or s.figure.value is None:
            why = "above the world total" if r.exceeds_world else s.figure.display()
            excluded.append(f"{s.country} ({why})")
            continue
        share = 100.0 * s.figure.value / world.figure.value
        bounded = bounded or r.share_qualifier is not None
        rows.append(ShareRow(s.country, s.figure.value, share, r.share_qualifier, _file_source(s.source)))
    for o in table.other:
        excluded.append(f"{o.country} ({o.figure.display()})")
    if not rows:
        return None
    rows.sort(key=lambda x: (-x.share_pct, x.country))
    china = next((r.share_pct for r in rows if r.country.strip().lower() == "china"), None)
    return Concentration(
        edition=edition, series=table.series, metric=table.metric, year=table.year, unit=table.unit,
        estimated=table.status == ESTIMATED, world_total=world.figure.value,
        world_qualifier=world.figure.qualifier, world_source=_file_source(world.source), rows=rows,
        excluded=excluded, hhi=hhi(r.share_pct for r in rows), top3_pct=sum(r.share_pct for r in rows[:3]),
        china_pct=china, coverage_pct=sum(r.share_pct for r in rows), bounded=bounded,
    )


def _is_mine(series: str) -> bool:
    return series.strip().lower().startswith("mine p")  # "Mine production", USGS's "Mine poduction"


def pick_tables(stats: Sequence[WorldStatistic], metric: str = "production",
                series: str | None = None) -> tuple[str | None, list[tuple[SeriesTable, Concentration]]]:
    """Newest edition's usable tables of `metric`, best first (docs/analytics.md §1 'Series and year')."""
    editions = sorted({s.edition for s in stats})
    if not editions:
        return None, []
    edition = editions[-1]
    usable = []
    for t in series_tables(s for s in stats if s.edition == edition):
        if t.metric != metric or (series and t.series != series):
            continue
        c = concentration_of(t, edition)
        if c is not None:
            usable.append((t, c))
    usable.sort(key=lambda tc: (-tc[0].year, not _is_mine(tc[0].series), -len(tc[1].rows), tc[0].series))
    return edition, usable


def production_concentration(stats: Sequence[WorldStatistic], series: str | None = None) -> Concentration | None:
    return next(iter(c for _, c in pick_tables(stats, "production", series)[1]), None)


def reserves_concentration(stats: Sequence[WorldStatistic], series: str) -> Concentration | None:
    """Reserves table of the same series as the production figures (latest year held)."""
    return next(iter(c for _, c in pick_tables(stats, "reserves", series)[1]), None)


@dataclass(frozen=True)
class Reliance:
    """US net import reliance as used in the score, with the figure as published."""

    value_pct: float  # the number scored: E -> 0, a bound -> midpoint of its interval
    published: str  # "45", ">50", "E"
    bound: bool
    net_exporter: bool
    edition: str
    year: int
    basis: str
    estimated: bool
    source: str
    other_bases: tuple[str, ...] = ()


def _reliance_value(r: ImportReliance) -> float | None:
    f = r.figure
    if f.status == NET_EXPORTER:
        return 0.0
    if f.status not in NUMERIC_STATUSES or f.value is None:
        return None
    if f.qualifier == ">":
        return (f.value + 100.0) / 2.0
    if f.qualifier == "<":
        return f.value / 2.0
    return float(f.value)


def pick_reliance(items: Sequence[ImportReliance], edition: str | None) -> Reliance | None:
    """Latest NIR of `edition` (else the newest edition); the highest basis when several are given."""
    editions = sorted({r.edition for r in items})
    if not editions:
        return None
    chosen = edition if edition in editions else editions[-1]
    scored = [(r, _reliance_value(r)) for r in items if r.edition == chosen]
    scored = [(r, v) for r, v in scored if v is not None]
    if not scored:
        return None
    year = max(r.year for r, _ in scored)
    in_year = sorted(((r, v) for r, v in scored if r.year == year), key=lambda rv: (-rv[1], rv[0].basis))
    best, value = in_year[0]
    return Reliance(
        value_pct=value,
        published="E" if best.figure.status == NET_EXPORTER else f"{best.figure.qualifier or ''}{best.figure.value:g}",
        bound=best.figure.qualifier is not None, net_exporter=best.figure.status == NET_EXPORTER,
        edition=chosen, year=year, basis=best.basis, estimated=best.figure.status == ESTIMATED,
        source=best.source,
        other_bases=tuple(f"{r.basis}: {r.figure.display()}" for r, _ in in_year[1:]),
    )


@dataclass
class ImportConcentration:
    """Concentration of US import sources in one import category (named countries only)."""

    edition: str
    period: str
    category: str
    shares: list[tuple[str, float]]  # named countries, % of the category's imports
    other_pct: float
    hhi: float
    complete: bool  # shares incl. "Other" sum to 100 +/- 2
    source: str
    note: str | None = None

    @property
    def hhi_normalised(self) -> float:
        return self.hhi / 10_000.0


def import_categories(items: Sequence[ImportSource]) -> list[ImportConcentration]:
    """One entry per (edition, period, category) that gives percentage shares."""
    groups: dict[tuple[str, str, str], list[ImportSource]] = {}
    for s in items:
        if s.share_pct is not None:
            groups.setdefault((s.edition, s.period, s.category), []).append(s)
    out = []
    for (edition, period, category), rows in groups.items():
        named = [(s.country, float(s.share_pct)) for s in sorted(rows, key=lambda s: s.rank)
                 if s.country.strip().lower() not in _OTHER_NAMES]
        other = sum(float(s.share_pct) for s in rows if s.country.strip().lower() in _OTHER_NAMES)
        total = sum(v for _, v in named) + other
        out.append(ImportConcentration(
            edition=edition, period=period, category=category, shares=named, other_pct=other,
            hhi=hhi(v for _, v in named), complete=abs(total - 100.0) <= 2.0, source=rows[0].source,
            note=rows[0].note,
        ))
    out.sort(key=lambda c: (c.edition, c.category))
    return out


def headline_category(categories: Sequence[ImportConcentration]) -> ImportConcentration | None:
    """The category that stands for all US imports (docs/analytics.md §1); None when none does."""
    if not categories:
        return None
    newest = max(c.edition for c in categories)
    cats = [c for c in categories if c.edition == newest]
    for c in cats:
        if any(w in c.category.lower() + " " for w in _HEADLINE_WORDS):
            return c
    if len(cats) == 1:
        return cats[0]
    for c in cats:
        if any(w in c.category.lower() for w in _FALLBACK_WORDS):
            return c
    return None


@dataclass
class MineralRisk:
    mineral_id: str
    name: str
    production: Concentration | None
    reserves: Concentration | None
    reliance: Reliance | None
    imports: ImportConcentration | None
    import_categories: list[ImportConcentration] = field(default_factory=list)
    geopolrisk: float | None = None  # set by the service from the bundled WGI table (§1); None = unknown
    geopolrisk_note: str = "not computed"  # the partner-share basis used, or why GeoPolRisk is unknown
    missing: list[str] = field(default_factory=list)
    geopolrisk_sources: list[str] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        if self.production is None or self.reliance is None:
            return None
        return self.production.hhi_normalised * self.reliance.value_pct / 100.0

    @property
    def sources(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in (self.production, self.reserves):
            for s in (c.sources if c else []):
                seen.setdefault(s)
        if self.reliance:
            seen.setdefault(self.reliance.source)
        for c in self.import_categories:
            seen.setdefault(c.source)
        for x in self.geopolrisk_sources:
            seen.setdefault(x)
        return list(seen)


def assess(mineral_id: str, name: str, stats: Sequence[WorldStatistic], reliance: Sequence[ImportReliance],
           sources: Sequence[ImportSource]) -> MineralRisk:
    """Every supply-risk indicator for one mineral; what cannot be computed is named in `missing`."""
    prod = production_concentration(stats)
    res = reserves_concentration(stats, prod.series) if prod else None
    nir = pick_reliance(reliance, prod.edition if prod else None)
    cats = import_categories(sources)
    head = headline_category(cats)
    missing = []
    if prod is None:
        missing.append("world production by country with a numeric world total")
    if nir is None:
        missing.append("US net import reliance" + (" (only 'NA' published)" if reliance else ""))
    if head is None:
        missing.append("US import shares in percent" if not cats else "a headline US import category")
    return MineralRisk(mineral_id, name, prod, res, nir, head, cats, missing=missing)


def rank(risks: Iterable[MineralRisk]) -> list[MineralRisk]:
    """Scored minerals by score (highest risk first), then the unscored ones, each alphabetically on ties."""
    risks = list(risks)
    scored = sorted((r for r in risks if r.score is not None), key=lambda r: (-r.score, r.name))
    rest = sorted((r for r in risks if r.score is None), key=lambda r: r.name)
    return scored + rest
