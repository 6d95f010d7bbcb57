"""Applications, titles, holders, invoices and obligations. Plain Python; geometry is Shapely."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from maadan.errors import InvalidInput

SHARE_TOLERANCE = 0.01
HOLDER_KINDS = ("private", "state-owned", "foreign", "individual", "cooperative")


@dataclass(frozen=True)
class Holder:
    """A holder of an application or title, with its share. A joint venture has several."""

    name: str
    share_pct: float
    country: str | None = None  # ISO 3166 alpha-2
    kind: str = "private"
    organisation_id: str | None = None
    body_corporate: bool = True
    beneficial_owners: tuple[str, ...] = ()
    # Shareholders a body corporate discloses (name, %); None: not disclosed. Where a rule asks for
    # holders above a threshold to be disclosed, an empty tuple says there are none.
    shareholders: tuple[tuple[str, float], ...] | None = None
    # Zones (data/boundaries/zones) the holder declares itself local to, for locals-only rules; None: not declared.
    local_to: tuple[str, ...] | None = None


MAX_SHAREHOLDERS = 200


def _validate_shareholders(h: Holder, where: str) -> None:
    if h.shareholders is None:
        return
    if len(h.shareholders) > MAX_SHAREHOLDERS:
        raise InvalidInput(f"{where}.shareholders: at most {MAX_SHAREHOLDERS} may be listed")
    seen: set[str] = set()
    for j, item in enumerate(h.shareholders):
        name, pct = item
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(f"{where}.shareholders[{j}].name is empty")
        if name.strip().lower() in seen:
            raise InvalidInput(f"{where}.shareholders[{j}]: {name!r} is listed twice")
        seen.add(name.strip().lower())
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or math.isnan(pct) or not 0 < pct <= 100:
            raise InvalidInput(f"{where}.shareholders[{j}].share_pct must be a percentage above 0, got {pct!r}")
    total = sum(p for _, p in h.shareholders)
    if total > 100 + SHARE_TOLERANCE:
        raise InvalidInput(f"{where}.shareholders: shares sum to {total:g}%, more than 100%")


def validate_holders(holders: list[Holder], field_name: str = "holders") -> list[Holder]:
    """Holders with positive shares summing to 100%, no name twice; InvalidInput says which."""
    if not holders:
        raise InvalidInput(f"{field_name}: at least one holder is required")
    seen: set[str] = set()
    for i, h in enumerate(holders):
        where = f"{field_name}[{i}]"
        if not h.name.strip():
            raise InvalidInput(f"{where}.name is empty")
        if h.name.strip().lower() in seen:
            raise InvalidInput(f"{where}: {h.name!r} is listed twice")
        seen.add(h.name.strip().lower())
        if not isinstance(h.share_pct, (int, float)) or math.isnan(h.share_pct) or h.share_pct <= 0:
            raise InvalidInput(f"{where}.share_pct must be a positive percentage, got {h.share_pct!r}")
        if h.share_pct > 100:
            raise InvalidInput(f"{where}.share_pct {h.share_pct} is above 100%")
        if h.kind not in HOLDER_KINDS:
            raise InvalidInput(f"{where}.kind must be one of {', '.join(HOLDER_KINDS)}, got {h.kind!r}")
        if h.country is not None and (len(h.country) != 2 or not h.country.isalpha()):
            raise InvalidInput(f"{where}.country must be an ISO 3166 alpha-2 code such as PK or US")
        _validate_shareholders(h, where)
        if h.local_to is not None and not all(isinstance(z, str) and re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,4}){0,2}", z)
                                              for z in h.local_to):
            raise InvalidInput(f"{where}.local_to: give zone codes such as PK-KP-MD")
    total = sum(h.share_pct for h in holders)
    if abs(total - 100.0) > SHARE_TOLERANCE:
        raise InvalidInput(f"{field_name}: shares sum to {total:g}%, they must sum to 100%")
    return holders


@dataclass(frozen=True)
class Conflict:
    """Ground the area overlaps: a title, an application or a reserved area."""

    kind: str  # title | application | reserved
    ref: str  # title number, application number or reserved-area name
    overlap_km2: float
    note: str | None = None


@dataclass
class Application:
    id: int | None
    jurisdiction: str
    number: int  # gapless per jurisdiction, in order of receipt
    title_type: str
    rules_version: str
    minerals: list[str]
    holders: list[Holder]
    geometry: Any  # shapely (Multi)Polygon, lon/lat WGS 84
    area_km2: float
    received_at: datetime  # UTC
    state: str
    priority: str  # clear | competing | behind
    fee_amount: float | None
    fee_currency: str | None
    fee_verified: bool
    conflicts: list[Conflict] = field(default_factory=list)
    applicant_org: str | None = None  # the organisation that filed it (for access control)
    synthetic: bool = False
    # The rule version applied and why, as decided at receipt (rules.AppliedRules.as_dict()).
    rules_basis: dict[str, Any] | None = None
    # Derived queue state (cadastre/queue.py keeps it current under the jurisdiction lock):
    competition_group: int | None = None  # the group it competes in (open) or competed in (decided)
    waits_on: list[tuple[str, str]] = field(default_factory=list)  # (kind, ref): earlier claims on its ground
    converts_title: str | None = None  # the parent title it converts (security of tenure)
    competing_with: list[int] = field(default_factory=list)  # other members of its open group (read side)

    @property
    def ref(self) -> str:
        return f"{self.jurisdiction}/A{self.number}"

    @property
    def group_ref(self) -> str | None:
        return group_ref(self.jurisdiction, self.competition_group) if self.competition_group else None


def group_ref(jurisdiction: str, number: int) -> str:
    """A competition group's public reference, e.g. PK-BA/G3."""
    return f"{jurisdiction}/G{number}"


@dataclass
class Title:
    id: int | None
    jurisdiction: str
    number: str  # e.g. PK-BA/EL/2026/0001
    title_type: str
    rules_version: str
    holders: list[Holder]
    geometry: Any
    area_km2: float
    granted_on: date
    expires_on: date | None
    state: str
    minerals: list[str] = field(default_factory=list)
    application_number: int | None = None
    renewals: int = 0
    synthetic: bool = False
    rules_basis: dict[str, Any] | None = None  # the application's, carried to the title at grant


@dataclass(frozen=True)
class TitleStanding:
    """What rent and the list of what is due need of a title: its type (for the rules), its state,
    its area and the day it was granted; no holders, no geometry."""
    number: str
    jurisdiction: str
    title_type: str
    state: str
    area_km2: float
    granted_on: date


@dataclass
class Invoice:
    id: int | None
    title_number: str | None
    application_number: int | None
    kind: str  # application-fee | rent
    period: str  # e.g. "2026" or "application"
    due_on: date
    amount: float
    currency: str
    verified: bool
    paid: float = 0.0
    jurisdiction: str | None = None  # as stored; the title number or application ref says it too

    @property
    def outstanding(self) -> float:
        return round(max(0.0, self.amount - self.paid), 2)


@dataclass
class Obligation:
    id: int | None
    title_number: str
    code: str
    description: str
    due_on: date
    legal_basis: str
    verified: bool
    met_on: date | None = None


def add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)
