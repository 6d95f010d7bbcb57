"""A deterministic synthetic cadastre for demonstrations and benchmarks. Every title it makes is
flagged synthetic and numbered with a SYN- prefix, so it cannot be mistaken for a real one. Its
sizes and terms are drawn from titles granted in practice (the observations the rule files cite for
each title type, e.g. EL-186's 501 km²), never from the legal limits; where no title was observed,
the plan says that the range is Maadan's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Callable

import numpy as np
import shapely
from pyproj import Geod

from maadan.cadastre.geometry import area_km2
from maadan.cadastre.model import Holder, Title

CHAGAI = (62.0, 29.2)  # lon, lat: the generator fills outward from the Chagai belt
_GEOD = Geod(ellps="WGS84")
# type, share of titles, Maadan's own area range (km²) and term (years) where no title was observed
_KINDS = (
    ("EL", 0.35, (380.0, 520.0), 3),
    ("ML", 0.25, (5.0, 60.0), 30),
    ("SSML", 0.25, (0.5, 5.0), 10),
    ("SSPL", 0.15, (1.0, 10.0), 2),
)
ACRE_FLOOR_KM2 = 0.0040468564224  # 1 acre: the floor where a source says only "from under 1 acre"


@dataclass(frozen=True)
class SizePlan:
    """Where the generator draws one title type's areas and term from, and why."""

    code: str
    share: float
    area_km2: tuple[float, float]
    term_years: int
    basis: str  # the observations (with sources) or "Maadan's own range"


def plan_from_rules(ruleset) -> list[SizePlan]:
    """The size plan for a rule set: per title type the generator uses (those of _KINDS the rules
    have), areas between the smallest and largest observed and the observed term, else the rules'
    term and Maadan's own range, each saying which."""
    kinds = [k for k in _KINDS if ruleset is None or k[0] in ruleset.title_types]
    total = sum(k[1] for k in kinds) or 1.0
    out = []
    for code, share, default_area, default_term in kinds:
        tt = ruleset.title_types[code] if ruleset is not None else None
        obs = list(tt.observations) if tt is not None else []
        areas = [(o, o.area_km2()) for o in obs if o.area_max is not None]
        terms = [o for o in obs if o.term_years is not None]
        if areas:
            lo = min((a[0] if a[0] is not None else ACRE_FLOOR_KM2) for _, a in areas)
            hi = max(a[1] for _, a in areas)
            area_basis = "areas observed in " + "; ".join(f"{o.label} ({o.text or _area_text(o)}; {o.source})"
                                                          for o, _ in areas)
            if any(o.area_min is None for o, _ in areas):
                area_basis += "; 1 acre is Maadan's floor where a source says 'under 1 acre'"
        else:
            lo, hi = default_area
            area_basis = "no title observed: Maadan's own area range"
        if terms:
            term = int(round(max(o.term_years for o in terms)))  # type: ignore[type-var]
            term_basis = f"term observed in {', '.join(o.label for o in terms)}"
        elif tt is not None and tt.term_years is not None:
            term = int(round(float(tt.term_years.value)))
            term_basis = "term from the rules" + ("" if tt.term_years.verified else " (a placeholder)")
        else:
            term, term_basis = default_term, "Maadan's own term"
        out.append(SizePlan(code, share / total, (lo, hi), term, f"{area_basis}; {term_basis}"))
    return out


def _area_text(o) -> str:
    unit = "km²" if o.area_unit == "km2" else "acres"
    return f"{o.area_max:,g} {unit}" if o.area_min == o.area_max else f"up to {o.area_max:,g} {unit}"

_MINERALS = {"EL": ["copper", "gold"], "ML": ["chromium"], "SSML": ["chromium"], "SSPL": ["antimony"]}
_FOREIGN = ("US", "CN", "CA", "AE", "SA")


@dataclass(frozen=True)
class DemoSpec:
    titles: int
    seed: int
    jurisdiction: str = "PK-BA"
    rules_version: str = "synthetic"
    as_of: date = date(2026, 11, 1)  # fixed, so that the same seed gives the same cadastre on any day
    plan: tuple[SizePlan, ...] | None = None  # None: Maadan's own ranges (plan_from_rules(None))


PROGRESS_EVERY = 10_000


def _area_km2(g) -> float:
    return abs(_GEOD.geometry_area_perimeter(g)[0]) / 1e6


def generate(spec: DemoSpec, boundary, progress: Callable[[int, int], None] | None = None) -> list[Title]:
    """`spec.titles` non-overlapping rectangles inside `boundary` (a shapely polygon, lon/lat),
    nearest to Chagai first; the same spec always gives the same titles. `progress(done, total)`
    is called every `PROGRESS_EVERY` titles and at the end."""
    if spec.titles < 1:
        raise ValueError("titles must be at least 1")
    rng = np.random.default_rng(spec.seed)
    minx, miny, maxx, maxy = boundary.bounds
    usable_km2 = _area_km2(boundary) * 0.55
    cell_km2 = usable_km2 / spec.titles
    # Cells of about cell_km2; at 29°N one degree is ~111 km north-south and ~97 km east-west.
    side_deg = max(0.004, min(0.4, float(np.sqrt(cell_km2) / 104.0)))
    xs = np.arange(minx, maxx, side_deg)
    ys = np.arange(miny, maxy, side_deg)
    gx, gy = np.meshgrid(xs, ys)
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + side_deg, gy.ravel() + side_deg)
    boundary = shapely.transform(boundary, lambda xy: xy)  # a private copy: the cached one is shared
    shapely.prepare(boundary)
    inside = shapely.contains(boundary, cells)
    cells = cells[inside]
    cx, cy = gx.ravel()[inside] + side_deg / 2, gy.ravel()[inside] + side_deg / 2
    order = np.argsort((cx - CHAGAI[0]) ** 2 + (cy - CHAGAI[1]) ** 2, kind="stable")
    if len(order) < spec.titles:
        raise ValueError(f"only {len(order)} cells fit; ask for fewer titles")
    chosen = order[: spec.titles]
    n = spec.titles
    plan = list(spec.plan) if spec.plan else plan_from_rules(None)
    kinds = rng.choice(len(plan), size=n, p=[k.share for k in plan])
    cell_side_km = side_deg * 100.0
    # Drawn for all titles at once: sizes log-uniform between the smallest and largest observed
    # (they span orders of magnitude), a rectangle of aspect 0.7-1.3 placed at random in its cell.
    lo = np.array([p.area_km2[0] for p in plan])[kinds]
    hi = np.array([p.area_km2[1] for p in plan])[kinds]
    term = np.array([p.term_years for p in plan])[kinds]
    want_km2 = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    side_km = np.minimum(np.sqrt(want_km2), cell_side_km * 0.9)
    aspect = rng.uniform(0.7, 1.3, n)
    w = np.minimum(side_deg * 0.95, side_km * aspect / 97.0)
    h = np.minimum(side_deg * 0.95, side_km / aspect / 111.0)
    x0 = cx[chosen] - side_deg / 2 + rng.uniform(0, 1, n) * (side_deg - w)
    y0 = cy[chosen] - side_deg / 2 + rng.uniform(0, 1, n) * (side_deg - h)
    geoms = shapely.box(x0, y0, x0 + w, y0 + h)
    areas = np.round(area_km2(geoms), 6)
    # Granted within its term before `as_of`, so every generated title is still in force then.
    age_days = rng.integers(30, np.maximum(31, term * 365 - 30))
    two_holders = rng.random(n) < 0.25
    foreign = rng.choice(len(_FOREIGN), size=n)
    share = rng.choice(np.array([25.0, 40.0, 49.0, 50.0]), size=n)
    titles: list[Title] = []
    counters: dict[tuple[str, int], int] = {}
    for i, (k, geom, a, age, two, f, sh) in enumerate(zip(kinds.tolist(), geoms, areas.tolist(), age_days.tolist(),
                                                           two_holders.tolist(), foreign.tolist(), share.tolist())):
        code, years = plan[k].code, plan[k].term_years
        granted = spec.as_of - timedelta(days=age)
        counters[(code, granted.year)] = number = counters.get((code, granted.year), 0) + 1
        if two:
            holders = [Holder(f"Synthetic Local Partner {i + 1:05d} (Pvt) Ltd", 100.0 - sh, "PK", "private"),
                       Holder(f"Synthetic Foreign Investor {i + 1:05d}", sh, _FOREIGN[f], "foreign")]
        else:
            holders = [Holder(f"Synthetic Mining Co {i + 1:05d} (Pvt) Ltd", 100.0, "PK", "private")]
        expires = granted.replace(year=granted.year + years) if not (granted.month == 2 and granted.day == 29) \
            else granted.replace(year=granted.year + years, day=28)
        titles.append(Title(
            id=None, jurisdiction=spec.jurisdiction, number=f"SYN-{spec.jurisdiction}/{code}/{granted.year}/{number:04d}",
            title_type=code, rules_version=spec.rules_version, holders=holders, geometry=geom,
            area_km2=a, granted_on=granted, expires_on=expires, state="active",
            minerals=list(_MINERALS.get(code, ["copper"])), synthetic=True,
        ))
        if progress and (i + 1) % PROGRESS_EVERY == 0:
            progress(i + 1, n)
    if progress:
        progress(n, n)
    return titles
