"""Mineral-title rules as versioned data: one YAML file per jurisdiction and effective date, at
data/rules/<JURISDICTION>/<YYYY-MM-DD>.yaml. Every value carries its legal basis and whether a source
confirms it (`verified`); placeholders are never silent. Changing a file changes behaviour with no
code change. The loader refuses malformed files and names the file, line and key path."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from maadan.errors import InvalidInput

PLACEHOLDER = "placeholder — not found in sources read; replace with the gazetted value"
OBLIGATION_EVENTS = ("grant", "discovery", "renewal", "expiry")
# kind -> whether it takes value_pct
ELIGIBILITY_KINDS = {"pakistani_body_corporate_only": False, "disclose_shareholders_above_pct": True,
                     "local_share_min": True}
AREA_MODES = ("polygon", "grid")
PRIORITY_WINDOWS = ("calendar-day",)
# How a competition group (overlapping applications received the same day) is resolved, and what losers get.
COMPETITION_METHODS = ("officer-decision", "ballot", "sealed-bids")
LOSER_OUTCOMES = ("refused", "remainder")


@dataclass(frozen=True)
class RuleValue:
    value: Any
    legal_basis: str
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str


@dataclass(frozen=True)
class Obligation:
    code: str
    description: str
    due_days: int
    after: str  # the event the days count from: one of OBLIGATION_EVENTS
    legal_basis: str
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class Eligibility:
    kind: str
    value: float | None
    legal_basis: str
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class TitleType:
    code: str
    name: str
    min_area_km2: RuleValue | None
    max_area_km2: RuleValue | None
    term_years: RuleValue | None
    max_renewals: RuleValue | None
    renewal_term_years: RuleValue | None
    exclusive: RuleValue
    application_fee: RuleValue  # value is Money
    rent_schedule: tuple[tuple[int, RuleValue], ...]  # (from_year, rate per km² as Money), ascending
    rent_grace_days: RuleValue | None
    obligations: tuple[Obligation, ...]
    eligibility: tuple[Eligibility, ...]
    grants_after: RuleValue | None = None  # value: tuple of title type codes it may follow
    note: str | None = None


@dataclass(frozen=True)
class CompetitionRule:
    """How a competition group is resolved: an officer's decision with written reasons, a public
    ballot, or sealed bids opened after `bid_days`; losers are refused or offered their remainder."""

    method: str  # one of COMPETITION_METHODS
    losers: str  # one of LOSER_OUTCOMES
    legal_basis: str
    verified: bool
    bid_days: int | None = None  # sealed-bids: bids close at the end of this many days after the group's day
    note: str | None = None


DEFAULT_COMPETITION = CompetitionRule(
    method="officer-decision", losers="refused", verified=False,
    legal_basis="no competition rule in the rule file: an officer decides with written reasons (Maadan's default)")


@dataclass(frozen=True)
class Conversion:
    """Security of tenure: while a `parent` title is active, only its holders may apply for one of
    the `children` title types over its ground."""

    parent: str
    children: tuple[str, ...]
    legal_basis: str
    verified: bool
    note: str | None = None


@dataclass(frozen=True)
class RuleSet:
    jurisdiction: str
    name: str
    version: str  # the file name: the date this version takes effect
    effective_from: date
    effective_to: date | None  # exclusive; None = until further notice
    authority: str
    title_types: dict[str, TitleType]
    same_date_simultaneous: RuleValue
    timezone: str
    grid_cell_arcsec: RuleValue | None
    max_vertices: int
    sources: tuple[str, ...]
    area_mode: str = "polygon"
    effective_from_basis: RuleValue | None = None
    notes: tuple[str, ...] = field(default=())
    # keyed by title type code, "*" for the default; see competition_rule()
    competition: dict[str, CompetitionRule] = field(default_factory=dict)
    conversions: tuple[Conversion, ...] = ()

    def competition_rule(self, title_types: set[str] | frozenset[str] | tuple[str, ...]) -> CompetitionRule:
        """The rule for a group whose members apply for `title_types`: the type's own rule when they
        all apply for one type that has one, else the file's default, else Maadan's default."""
        codes = set(title_types)
        if len(codes) == 1 and (own := self.competition.get(next(iter(codes)))) is not None:
            return own
        return self.competition.get("*", DEFAULT_COMPETITION)

    def conversion(self, parent: str, child: str) -> Conversion | None:
        """The conversion rule that lets a `parent` title's holders apply for a `child` title, if any."""
        return next((c for c in self.conversions if c.parent == parent and child in c.children), None)

    def title_type(self, code: str) -> TitleType:
        """The title type with this code (case-insensitive); InvalidInput naming the known codes."""
        found = self.title_types.get(code) or self.title_types.get(str(code).strip().upper())
        if found is None:
            known = ", ".join(sorted(self.title_types))
            raise InvalidInput(f"unknown title type {code!r} in {self.name} ({self.jurisdiction}) rules "
                               f"{self.version}; known: {known}")
        return found


@dataclass(frozen=True)
class HolderFacts:
    name: str
    country: str | None  # ISO 3166 alpha-2 of registration or nationality
    kind: str  # private | state-owned | foreign | individual | cooperative
    share_pct: float
    is_body_corporate: bool
    shareholders_disclosed: bool | None = None  # None: not known, so disclosure rules are not judged


def _local_day(at: datetime | date, timezone: str) -> date:
    if isinstance(at, datetime):
        # An aware time is judged on the jurisdiction's calendar; a naive one is taken as local already.
        return at.astimezone(ZoneInfo(timezone)).date() if at.tzinfo is not None else at.date()
    if isinstance(at, date):
        return at
    raise InvalidInput(f"`at` must be a date or datetime, got {at!r}")


def ruleset_in_force(rulesets: list[RuleSet], jurisdiction: str, at: datetime | date) -> RuleSet:
    """The version of `jurisdiction` whose [effective_from, effective_to) holds `at` (the receipt
    date, on the jurisdiction's calendar); InvalidInput if the jurisdiction or a version is missing."""
    versions = sorted((r for r in rulesets if r.jurisdiction == jurisdiction), key=lambda r: r.effective_from)
    if not versions:
        known = ", ".join(sorted({r.jurisdiction for r in rulesets})) or "none"
        raise InvalidInput(f"no rules for jurisdiction {jurisdiction!r}; known: {known}")
    for r in versions:
        day = _local_day(at, r.timezone)
        if r.effective_from <= day and (r.effective_to is None or day < r.effective_to):
            return r
    spans = ", ".join(f"{r.version} to {r.effective_to or 'open'}" for r in versions)
    raise InvalidInput(f"no {versions[0].name} rules in force on {_local_day(at, versions[0].timezone)}; "
                       f"versions: {spans}")


def annual_rent(title_type: TitleType, area_km2: float, year_held: int) -> tuple[Money, bool]:
    """Rent for year `year_held` (1 = first year): area × the rate of the schedule step in force
    that year, rounded to 0.01, and whether that rate is verified."""
    if isinstance(area_km2, bool) or not isinstance(area_km2, (int, float)) or not math.isfinite(area_km2) or area_km2 < 0:
        raise InvalidInput(f"area_km2 must be a non-negative number, got {area_km2!r}")
    if isinstance(year_held, bool) or not isinstance(year_held, int) or year_held < 1:
        raise InvalidInput(f"year_held counts from 1, got {year_held!r}")
    if not title_type.rent_schedule:
        raise InvalidInput(f"the {title_type.name} ({title_type.code}) has no rent schedule")
    rate = [rv for start, rv in title_type.rent_schedule if start <= year_held][-1]
    money: Money = rate.value
    return Money(round(area_km2 * money.amount, 2), money.currency), rate.verified


def unverified(title_type: TitleType) -> list[str]:
    """Names of every value of this title type that no source confirms (verified: false), in file order."""
    out = [name for name in ("min_area_km2", "max_area_km2", "term_years", "max_renewals", "renewal_term_years",
                             "exclusive", "application_fee")
           if (rv := getattr(title_type, name)) is not None and not rv.verified]
    out += [f"rent year {start}" for start, rv in title_type.rent_schedule if not rv.verified]
    for name in ("rent_grace_days", "grants_after"):
        rv = getattr(title_type, name)
        if rv is not None and not rv.verified:
            out.append(name)
    out += [f"obligation {o.code}" for o in title_type.obligations if not o.verified]
    out += [f"eligibility {e.kind}" for e in title_type.eligibility if not e.verified]
    return out


def _cite(rule: Eligibility) -> str:
    return f"({rule.legal_basis}{'' if rule.verified else '; unverified'})"


def _violations(prefix: str, rule: Eligibility, holders: list[HolderFacts]) -> list[str]:
    out: list[str] = []
    if rule.kind == "pakistani_body_corporate_only":
        for h in holders:
            country = (h.country or "").upper()
            reason = ("is not a body corporate" if not h.is_body_corporate
                      else "gives no country of registration" if not country
                      else f"is registered in {country}" if country != "PK"
                      else "is recorded as foreign" if h.kind == "foreign" else None)
            if reason:
                out.append(f"{prefix}: only a Pakistani body corporate may hold it; {h.name!r} {reason} {_cite(rule)}")
    elif rule.kind == "disclose_shareholders_above_pct":
        for h in holders:
            if h.is_body_corporate and h.shareholders_disclosed is False:
                out.append(f"{prefix}: shareholders above {rule.value:g}% must be disclosed; "
                           f"{h.name!r} has not disclosed them {_cite(rule)}")
    elif rule.kind == "local_share_min":
        local = sum(h.share_pct for h in holders if (h.country or "").upper() == "PK" and h.kind != "foreign")
        if local + 1e-9 < (rule.value or 0):
            out.append(f"{prefix}: Pakistani holders must hold at least {rule.value:g}%; they hold {local:g}% {_cite(rule)}")
    return out


def check_eligibility(ruleset: RuleSet, title_type: TitleType, holders: list[HolderFacts]) -> list[str]:
    """A message per eligibility rule of `title_type` the holders break (empty list: eligible), each
    citing its legal basis. Facts not given (shareholders_disclosed None) are not held against them."""
    if ruleset.title_types.get(title_type.code) != title_type:
        raise InvalidInput(f"title type {title_type.code!r} is not from the {ruleset.name} rules {ruleset.version}")
    if not holders:
        raise InvalidInput("holders: at least one holder is required")
    prefix = f"{ruleset.name} {title_type.name.lower()}"
    return [msg for rule in title_type.eligibility for msg in _violations(prefix, rule, holders)]
