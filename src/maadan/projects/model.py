"""Deposits and projects: where they are (a point, a box or a point with a radius of uncertainty,
each with its confidence), who owns them, what they hold; every claim with its own sources.
Plain Python (Shapely and pyproj for the geometry of a location)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyproj import Geod

from maadan.evidence.model import Claim, Correction, Source

SHARE_TOLERANCE_PCT = 0.1
LOCATION_KINDS = ("point", "box", "circle")  # circle: a point with a radius of uncertainty
CONFIDENCE = ("high", "medium", "low")
_GEOD = Geod(ellps="WGS84")
_CIRCLE_VERTICES = 64


def _label(sources: tuple[Source, ...]) -> str:
    return "; ".join(s.reference for s in sources)


@dataclass(frozen=True)
class Location:
    """Where a deposit lies, as the source gives it: a `point` (lat, lon), a `box` (south, west, north,
    east) or a `circle` (a point with `radius_km` of uncertainty). `derived` marks a position worked
    out by Maadan from a description ("about 3 km south of ..."); `preferred` the one used for the map
    and searches when sources disagree (the others are kept as readings)."""

    kind: str
    lat: float  # the point, the centre of the circle, or the middle of the box
    lon: float
    sources: tuple[Source, ...] = ()
    confidence: str = "medium"
    preferred: bool = False
    south: float | None = None
    west: float | None = None
    north: float | None = None
    east: float | None = None
    radius_km: float | None = None
    derived: bool = False
    label: str | None = None
    note: str | None = None

    @property
    def source(self) -> str:
        return _label(self.sources)

    @property
    def precise(self) -> bool:
        return self.kind == "point"

    def describe(self) -> str:
        if self.kind == "box":
            return f"box {self.south:g}–{self.north:g}°N, {self.west:g}–{self.east:g}°E"
        if self.kind == "circle":
            return f"within {self.radius_km:g} km of {self.lat:.4f}, {self.lon:.4f}"
        return f"{self.lat:.4f}, {self.lon:.4f}"

    def geometry(self):
        """The area the deposit may lie in, lon/lat WGS 84: a Point, a box Polygon, or a geodesic circle."""
        import shapely

        if self.kind == "box":
            return shapely.box(self.west, self.south, self.east, self.north)
        if self.kind == "circle":
            azimuths = [360.0 * i / _CIRCLE_VERTICES for i in range(_CIRCLE_VERTICES)]
            lons, lats, _ = _GEOD.fwd([self.lon] * _CIRCLE_VERTICES, [self.lat] * _CIRCLE_VERTICES, azimuths,
                                      [self.radius_km * 1000.0] * _CIRCLE_VERTICES)
            return shapely.Polygon(list(zip(lons, lats)))
        return shapely.Point(self.lon, self.lat)

    def distances_km(self, lat: float, lon: float) -> tuple[float, float]:
        """(nearest, centre): the geodesic distance from (lat, lon) to the nearest place the deposit may
        be (0 inside a box or circle), and to its point or centre."""
        _, _, centre = _GEOD.inv(lon, lat, self.lon, self.lat)
        centre_km = centre / 1000.0
        if self.kind == "circle":
            return max(0.0, centre_km - float(self.radius_km or 0.0)), centre_km
        if self.kind == "box":
            near_lat = min(max(lat, self.south), self.north)
            near_lon = min(max(lon, self.west), self.east)
            _, _, nearest = _GEOD.inv(lon, lat, near_lon, near_lat)
            return nearest / 1000.0, centre_km
        return centre_km, centre_km

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "lat": self.lat, "lon": self.lon, "south": self.south, "west": self.west,
                "north": self.north, "east": self.east, "radius_km": self.radius_km, "confidence": self.confidence,
                "preferred": self.preferred, "derived": self.derived, "label": self.label, "note": self.note,
                "description": self.describe(), "sources": [s.as_dict() for s in self.sources]}


@dataclass(frozen=True)
class Holding:
    """A share held by an organisation, or by something that is not one (`label`, e.g. a CSR fund)."""

    organisation_id: str | None
    share_pct: float | None
    label: str | None = None
    via_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class OwnershipReading:
    """One source's account of who holds what; conflicting sources give several readings."""

    basis: str  # equity | revenue | profit-share | asset-owner | lease
    holders: tuple[Holding, ...]
    sources: tuple[Source, ...] = ()
    note: str | None = None

    @property
    def source(self) -> str:
        return _label(self.sources)

    @property
    def total_pct(self) -> float | None:
        shares = [h.share_pct for h in self.holders]
        if not shares or any(s is None for s in shares):
            return None
        return round(sum(shares), 4)

    @property
    def complete(self) -> bool:
        total = self.total_pct
        return total is not None and abs(total - 100.0) <= SHARE_TOLERANCE_PCT


@dataclass(frozen=True)
class ProjectFact:
    """A resource, production, phase, capex, key date or life-of-mine figure with its own sources.
    `reading` names a group of facts that sources give differently (kept side by side); `preferred`
    marks the one figures are computed from. `as_of` dates a statement that changes over time."""

    kind: str  # resource | production | phase | capex | event | life-of-mine
    data: dict[str, Any]
    sources: tuple[Source, ...] = ()
    as_of: str | None = None
    reading: str | None = None
    preferred: bool = True

    @property
    def source(self) -> str:
        return _label(self.sources)

    @property
    def alternative(self) -> bool:
        """Another source's reading of a figure (not the one computed with)."""
        return self.reading is not None and not self.preferred


FACT_LABELS = {"resource": "Resource or reserve", "production": "Production", "phase": "Phase",
               "capex": "Capital cost", "event": "Key date", "life-of-mine": "Life of mine"}


@dataclass
class Project:
    id: str
    name: str
    full_name: str
    kind: str  # project | deposit
    country: str
    status: str
    sources: list[str]  # every publication cited on the record, as labels, in order of first use
    province: str | None = None
    district: str | None = None
    deposit_type: str | None = None
    status_note: str | None = None
    operator_id: str | None = None
    commodities: list[str] = field(default_factory=list)
    byproducts: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    location_note: str | None = None
    ownership: list[OwnershipReading] = field(default_factory=list)
    ownership_incomplete: bool = False
    ownership_note: str | None = None
    facts: list[ProjectFact] = field(default_factory=list)
    notes: str | None = None
    claim_sources: dict[str, tuple[Source, ...]] = field(default_factory=dict)  # status, operator, commodities, ...
    status_as_of: str | None = None
    corrections: list[Correction] = field(default_factory=list)

    @property
    def location(self) -> Location | None:
        """The preferred location, else the first one given, else None."""
        for loc in self.locations:
            if loc.preferred:
                return loc
        return self.locations[0] if self.locations else None

    def facts_of(self, kind: str) -> list[ProjectFact]:
        return [f for f in self.facts if f.kind == kind]

    def ownership_problems(self) -> list[str]:
        """Why the ownership is not a clean 100%; empty when one equity reading sums to 100."""
        if any(r.basis == "equity" and r.complete for r in self.ownership):
            return []
        if self.ownership_incomplete:
            return []
        return [f"no equity reading of {self.id} sums to 100% and it is not marked ownership_incomplete"]

    def all_sources(self) -> list[Source]:
        out: list[Source] = [s for sources in self.claim_sources.values() for s in sources]
        for item in (*self.locations, *self.ownership, *self.facts):
            out.extend(item.sources)
        for c in self.corrections:
            out.extend(c.sources)
        return out

    def claims(self, names: dict[str, str] | None = None) -> list[Claim]:
        """Every claim of the record with the sources that support it (empty: unsourced)."""
        names = names or {}
        out = [Claim("status", "Status", self.status + (f": {self.status_note}" if self.status_note else ""),
                     self.claim_sources.get("status", ()), as_of=self.status_as_of)]
        if self.operator_id:
            out.append(Claim("operator", "Operator", names.get(self.operator_id, self.operator_id),
                             self.claim_sources.get("operator", ())))
        if self.commodities:
            out.append(Claim("commodities", "Commodities", ", ".join(names.get(c, c) for c in self.commodities),
                             self.claim_sources.get("commodities", ())))
        if self.deposit_type:
            out.append(Claim("deposit_type", "Deposit type", self.deposit_type, self.claim_sources.get("deposit_type", ())))
        for i, loc in enumerate(self.locations):
            out.append(Claim(f"locations[{i}]", "Location" + (f" ({loc.label})" if loc.label else ""),
                             f"{loc.describe()}, {loc.confidence} confidence" + (", derived" if loc.derived else ""),
                             loc.sources))
        for i, r in enumerate(self.ownership):
            holders = "; ".join(f"{names.get(h.organisation_id or '', h.organisation_id or h.label or '?')} "
                                f"{'?' if h.share_pct is None else format(h.share_pct, 'g')}%" for h in r.holders)
            out.append(Claim(f"ownership[{i}]", f"Ownership ({r.basis})", holders, r.sources))
        counters: dict[str, int] = {}
        for f in self.facts:
            n = counters.get(f.kind, 0)
            counters[f.kind] = n + 1
            out.append(Claim(f"{f.kind}[{n}]", FACT_LABELS.get(f.kind, f.kind), fact_text(f.kind, f.data, names),
                             f.sources, as_of=f.as_of))
        return out


def _qty(value: Any, high: Any = None, qualifier: Any = None, unit: str = "") -> str:
    q = {"approx": "~", ">": ">", "<": "<"}.get(str(qualifier), "") if qualifier else ""
    text = f"{q}{value:g}" if isinstance(value, (int, float)) else str(value)
    if isinstance(high, (int, float)):
        text += f"–{high:g}"
    return f"{text} {unit}".strip()


def fact_text(kind: str, d: dict[str, Any], names: dict[str, str] | None = None) -> str:
    """One line for a project fact, e.g. 'planned copper Phase 1: 240 kt/yr'."""
    names = names or {}
    if kind == "life-of-mine":
        return f"{d.get('years', '?')} years" + (f" ({d['note']})" if d.get("note") else "")
    if kind == "event":
        return f"{d.get('date', '?')}: {d.get('event', '')}"
    if kind == "capex":
        return (f"{d.get('label', '')}: {d.get('currency', '')} "
                f"{_qty(d.get('value'), d.get('value_high'), d.get('qualifier'), d.get('unit', ''))}"
                + (f" ({d['year']})" if d.get("year") else ""))
    if kind == "phase":
        parts = [str(d.get("name", ""))]
        if d.get("throughput_mtpa") is not None:
            parts.append(f"{d['throughput_mtpa']:g} Mtpa")
        if d.get("start"):
            parts.append(f"from {d['start']}")
        if d.get("description"):
            parts.append(str(d["description"]))
        return ", ".join(parts)
    if kind == "production":
        what = names.get(d.get("commodity", ""), d.get("commodity", ""))
        when = d.get("period") or d.get("year") or ""
        return (f"{d.get('kind', '')} {what}{' ' + str(d['phase']) if d.get('phase') else ''}"
                f"{' ' + str(when) if when else ''}: "
                f"{_qty(d.get('value'), d.get('value_high'), d.get('qualifier'), d.get('unit', ''))}")
    bits = [str(d.get("label", ""))]
    if d.get("ore_mt") is not None:
        reported = f" (reported as {d['ore_reported']})" if d.get("ore_reported") else ""
        bits.append(f"{_qty(d['ore_mt'], d.get('ore_mt_high'), d.get('ore_qualifier'), 'Mt')} ore{reported}")
    for g in d.get("grades") or []:
        bits.append(f"{_qty(g.get('value'), g.get('value_high'), g.get('qualifier'), g.get('unit', ''))} "
                    f"{names.get(g.get('commodity', ''), g.get('commodity', ''))}")
    for g in d.get("contained") or []:
        bits.append(f"{_qty(g.get('value'), g.get('value_high'), g.get('qualifier'), g.get('unit', ''))} "
                    f"contained {names.get(g.get('commodity', ''), g.get('commodity', ''))}")
    if d.get("classification"):
        bits.append(str(d["classification"]))
    return ", ".join(b for b in bits if b)


