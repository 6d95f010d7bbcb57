"""Deposits and projects: where they are, who owns them, what they hold. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SHARE_TOLERANCE_PCT = 0.1


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    source: str
    preferred: bool = False
    note: str | None = None


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
    source: str
    holders: tuple[Holding, ...]
    note: str | None = None

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
    kind: str  # resource | production | phase | capex | event | life-of-mine
    data: dict[str, Any]
    source: str


@dataclass
class Project:
    id: str
    name: str
    full_name: str
    kind: str  # project | deposit
    country: str
    status: str
    sources: list[str]
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
