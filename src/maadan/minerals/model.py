"""Minerals, critical lists and the figures USGS publishes about them. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Status of a published figure. Anything but reported/estimated has no usable number.
REPORTED = "reported"
ESTIMATED = "estimated"
WITHHELD = "withheld"  # USGS "W": withheld to avoid disclosing company proprietary data
NO_DATA = "no-data"  # empty cell in the data release
NOT_AVAILABLE = "not-available"  # "NA"
NET_EXPORTER = "net-exporter"  # "E" in net import reliance
QUALITATIVE = "qualitative"  # a word instead of a number ("Large"); the word is kept in the note
NUMERIC_STATUSES = frozenset({REPORTED, ESTIMATED})


@dataclass(frozen=True)
class Mineral:
    id: str
    name: str
    kind: str  # element | group | mineral | material
    group_id: str | None = None
    symbol: str | None = None
    source: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CriticalList:
    id: str
    name: str
    authority: str
    jurisdiction: str
    published_on: date
    citation: str
    official_count: int
    source: str
    note: str | None = None


@dataclass(frozen=True)
class ListEntry:
    list_id: str
    mineral_id: str
    listed_name: str
    status: str
    source: str
    strategic: bool = False
    added_on: date | None = None  # an amendment after the list was published
    note: str | None = None


@dataclass(frozen=True)
class Figure:
    """A number as published: value (None when not numeric), bound qualifier and status."""

    value: float | None
    status: str
    qualifier: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None and self.status in NUMERIC_STATUSES

    def display(self) -> str:
        if self.status == WITHHELD:
            return "W (withheld)"
        if self.status == NET_EXPORTER:
            return "E (net exporter)"
        if self.status == NOT_AVAILABLE:
            return "NA (not available)"
        if self.status == QUALITATIVE:
            return "qualitative (see note)"
        if self.value is None:
            return "unknown"
        v = self.value
        text = f"{int(v):,}" if float(v).is_integer() else f"{v:,.4f}".rstrip("0").rstrip(".")
        return f"{self.qualifier or ''}{text}"


@dataclass(frozen=True)
class WorldStatistic:
    edition: str
    usgs_label: str
    mineral_id: str
    series: str
    country: str
    country_kind: str  # country | other | world
    metric: str  # production | capacity | reserves
    year: int
    figure: Figure
    unit: str
    source: str
    note: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str, str, int]:
        return (self.edition, self.usgs_label, self.series, self.country, self.metric, self.year)


@dataclass(frozen=True)
class ImportReliance:
    mineral_id: str
    edition: str
    year: int
    basis: str
    figure: Figure
    source: str
    note: str | None = None


@dataclass(frozen=True)
class ImportSource:
    mineral_id: str
    edition: str
    period: str
    category: str
    rank: int
    country: str
    share_pct: float | None
    source: str
    note: str | None = None


@dataclass(frozen=True)
class CountryShare:
    """One country's figure in a series, with its share of the published world total."""

    statistic: WorldStatistic
    share_pct: float | None  # None when the share cannot be computed
    share_qualifier: str | None = None  # "<" or ">" when the value or total is a bound
    exceeds_world: bool = False  # the country figure is above the published world total


@dataclass
class SeriesTable:
    """All countries of one USGS series for one metric and year, world total last."""

    series: str
    metric: str
    year: int
    unit: str
    status: str  # reported | estimated (from the world-total row, else the countries)
    rows: list[CountryShare] = field(default_factory=list)
    world: WorldStatistic | None = None
    other: list[WorldStatistic] = field(default_factory=list)
