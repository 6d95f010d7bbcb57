"""What if a project's output is added to a country's production (docs/analytics.md §3). Pure functions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from maadan.analytics.criticality import Concentration, ImportConcentration, hhi
from maadan.analytics.units import convert
from maadan.errors import InvalidInput


@dataclass(frozen=True)
class Addition:
    """Output to add: `value` `unit` of `mineral_id` produced in `country` (a rate per year)."""

    mineral_id: str
    label: str
    value: float
    unit: str
    source: str
    country: str = "Pakistan"

    def __post_init__(self) -> None:
        if not math.isfinite(self.value) or self.value < 0:
            raise InvalidInput(f"{self.label}: output must be a non-negative number, not {self.value!r}")


@dataclass
class CountryChange:
    country: str
    before_pct: float | None  # None: not listed before
    after_pct: float
    rank_before: int | None
    rank_after: int


@dataclass
class SupplyWhatIf:
    mineral_id: str
    addition: Addition
    series: str
    year: int
    unit: str
    added: float  # in the table's unit
    conversion: str
    world_before: float
    world_after: float
    hhi_before: float
    hhi_after: float
    rows: list[CountryChange]  # every listed country after the change, largest first
    country_rank_before: int | None
    country_rank_after: int
    n_countries_after: int
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def country_row(self) -> CountryChange:
        return next(r for r in self.rows if r.country == self.addition.country)


def _ranks(values: dict[str, float]) -> dict[str, int]:
    order = sorted(values, key=lambda c: (-values[c], c))
    return {c: i + 1 for i, c in enumerate(order)}


def add_supply(base: Concentration, addition: Addition) -> SupplyWhatIf:
    """World shares, HHI and the country's rank after adding `addition` to `base` (one USGS table)."""
    if base.metric != "production":
        raise InvalidInput(f"What-if needs a production table, not {base.metric}")
    added = convert(addition.value, addition.unit, base.unit)
    conversion = f"{addition.value:g} {addition.unit} = {added:,.6g} {base.unit}"
    before = {r.country: r.value for r in base.rows}
    key = next((c for c in before if c.lower() == addition.country.lower()), addition.country)
    notes = [base.note]
    if key not in before:
        notes.append(f"{addition.country} has no row of its own in this USGS table: any current output sits in "
                     f"'Other countries' and is not counted, so its share after is the added output alone.")
    after = dict(before)
    after[key] = before.get(key, 0.0) + added
    world_after = base.world_total + added
    rb, ra = _ranks(before), _ranks(after)
    rows = [
        CountryChange(c, (100.0 * before[c] / base.world_total) if c in before else None,
                      100.0 * v / world_after, rb.get(c), ra[c])
        for c, v in sorted(after.items(), key=lambda kv: ra[kv[0]])
    ]
    if base.world_qualifier:
        notes.append(f"The world total is a bound ({base.world_qualifier}{base.world_total:g}); shares are approximate.")
    return SupplyWhatIf(
        mineral_id=addition.mineral_id, addition=addition, series=base.series, year=base.year, unit=base.unit,
        added=added, conversion=conversion, world_before=base.world_total, world_after=world_after,
        hhi_before=base.hhi, hhi_after=hhi(r.after_pct for r in rows), rows=rows,
        country_rank_before=rb.get(key), country_rank_after=ra[key], n_countries_after=len(after),
        notes=notes, sources=[addition.source, *base.sources],
    )


@dataclass(frozen=True)
class ImportVolume:
    """US imports in the category over the same period as the shares, given by hand with a source."""

    value: float
    unit: str
    source: str

    def __post_init__(self) -> None:
        if not math.isfinite(self.value) or self.value <= 0:
            raise InvalidInput(f"US import volume must be a positive number, not {self.value!r}")
        if not self.source.strip():
            raise InvalidInput("US import volume needs a source (where the figure comes from)")


@dataclass
class ImportWhatIf:
    category: str
    edition: str
    period: str
    shipped: float  # in the volume's unit
    us_share_pct: float
    volume: ImportVolume
    hhi_before: float
    hhi_after: float
    shares_before: list[tuple[str, float]]
    shares_after: list[tuple[str, float]]
    other_after_pct: float
    notes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def add_us_imports(base: ImportConcentration, addition: Addition, us_share_pct: float,
                   volume: ImportVolume) -> ImportWhatIf:
    """US import shares and their HHI if `us_share_pct` of the added output is shipped to the US."""
    if not 0 <= us_share_pct <= 100:
        raise InvalidInput(f"--us-share must be between 0 and 100 %, not {us_share_pct:g}")
    shipped = convert(addition.value, addition.unit, volume.unit) * us_share_pct / 100.0
    scale = volume.value / (volume.value + shipped)
    after = {c: s * scale for c, s in base.shares}
    key = next((c for c in after if c.lower() == addition.country.lower()), addition.country)
    after[key] = after.get(key, 0.0) + 100.0 * shipped / (volume.value + shipped)
    shares_after = sorted(after.items(), key=lambda kv: (-kv[1], kv[0]))
    notes = ['"Other" import sources are excluded from the HHI (lower bound).',
             "Assumes the added shipments do not displace other suppliers' volumes (imports grow by the shipment).",
             f"The category '{base.category}' must match the form shipped (e.g. concentrate vs refined metal)."]
    if not base.complete:
        notes.append("The category's published shares do not sum to 100 %; treat the result with care.")
    return ImportWhatIf(
        category=base.category, edition=base.edition, period=base.period, shipped=shipped, us_share_pct=us_share_pct,
        volume=volume, hhi_before=base.hhi, hhi_after=hhi(v for _, v in shares_after),
        shares_before=list(base.shares), shares_after=shares_after, other_after_pct=base.other_pct * scale,
        notes=notes, sources=[addition.source, base.source, volume.source],
    )
