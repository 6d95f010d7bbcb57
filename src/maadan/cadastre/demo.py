"""A deterministic synthetic cadastre for demonstrations and benchmarks. Every title it makes is
flagged synthetic and numbered with a SYN- prefix, so it cannot be mistaken for a real one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import shapely
from pyproj import Geod

from maadan.cadastre.model import Holder, Title

CHAGAI = (62.0, 29.2)  # lon, lat: the generator fills outward from the Chagai belt
_GEOD = Geod(ellps="WGS84")
_KINDS = (  # type, share of titles, area range km² (ELs like EL-322/323 at ~500 km²), term years
    ("EL", 0.35, (380.0, 520.0), 3),
    ("ML", 0.25, (5.0, 60.0), 30),
    ("SSML", 0.25, (0.5, 5.0), 10),
    ("SSPL", 0.15, (1.0, 10.0), 2),
)
_MINERALS = {"EL": ["copper", "gold"], "ML": ["chromium"], "SSML": ["chromium"], "SSPL": ["antimony"]}
_FOREIGN = ("US", "CN", "CA", "AE", "SA")


@dataclass(frozen=True)
class DemoSpec:
    titles: int
    seed: int
    jurisdiction: str = "PK-BA"
    rules_version: str = "synthetic"
    as_of: date = date(2026, 11, 1)  # fixed, so that the same seed gives the same cadastre on any day


def _area_km2(g) -> float:
    return abs(_GEOD.geometry_area_perimeter(g)[0]) / 1e6


def generate(spec: DemoSpec, boundary) -> list[Title]:
    """`spec.titles` non-overlapping rectangles inside `boundary` (a shapely polygon, lon/lat),
    nearest to Chagai first; the same spec always gives the same titles."""
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
    kinds = rng.choice(len(_KINDS), size=spec.titles, p=[k[1] for k in _KINDS])
    cell_side_km = side_deg * 100.0
    titles: list[Title] = []
    counters: dict[tuple[str, int], int] = {}
    for i, (cell_i, k) in enumerate(zip(chosen, kinds)):
        code, _, (lo, hi), term = _KINDS[k]
        want_km2 = float(rng.uniform(lo, hi))
        side_km = min(np.sqrt(want_km2), cell_side_km * 0.9)
        aspect = float(rng.uniform(0.7, 1.3))
        w = min(side_deg * 0.95, side_km * aspect / 97.0)
        h = min(side_deg * 0.95, side_km / aspect / 111.0)
        x0 = cx[cell_i] - side_deg / 2 + float(rng.uniform(0, side_deg - w))
        y0 = cy[cell_i] - side_deg / 2 + float(rng.uniform(0, side_deg - h))
        geom = shapely.box(x0, y0, x0 + w, y0 + h)
        # Granted within its term before `as_of`, so every generated title is still in force then.
        granted = spec.as_of - timedelta(days=int(rng.integers(30, max(31, term * 365 - 30))))
        counters[(code, granted.year)] = counters.get((code, granted.year), 0) + 1
        n = counters[(code, granted.year)]
        if rng.random() < 0.25:
            foreign = str(rng.choice(_FOREIGN))
            share = float(rng.choice([25.0, 40.0, 49.0, 50.0]))
            holders = [Holder(f"Synthetic Local Partner {i + 1:05d} (Pvt) Ltd", 100.0 - share, "PK", "private"),
                       Holder(f"Synthetic Foreign Investor {i + 1:05d}", share, foreign, "foreign")]
        else:
            holders = [Holder(f"Synthetic Mining Co {i + 1:05d} (Pvt) Ltd", 100.0, "PK", "private")]
        expires = granted.replace(year=granted.year + term) if not (granted.month == 2 and granted.day == 29) \
            else granted.replace(year=granted.year + term, day=28)
        titles.append(Title(
            id=None, jurisdiction=spec.jurisdiction, number=f"SYN-{spec.jurisdiction}/{code}/{granted.year}/{n:04d}",
            title_type=code, rules_version=spec.rules_version, holders=holders, geometry=geom,
            area_km2=round(_area_km2(geom), 6), granted_on=granted, expires_on=expires, state="active",
            minerals=list(_MINERALS[code]), synthetic=True,
        ))
    return titles
